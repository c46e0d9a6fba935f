package io.spar.benchmarks;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One analytic query over {@link FactsTable}: prepared once, run through Spar on the
 * distributed table ({@code spar}) and with pgjdbc on the same rows in one plain table on the
 * coordinator ({@code direct}); the set-up checks that both give the same rows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public abstract class AnalyticBenchmarkBase {
  private BenchCluster cluster;
  private PreparedStatement spar;
  private PreparedStatement direct;

  /** Returns the query over table {@code table}. */
  protected abstract String query(String table);

  /** Returns the rows the query reads. */
  protected FactsTable table() {
    return FactsTable.LARGE;
  }

  /**
   * Starts the cluster, loads the rows if needed, prepares both statements and compares their
   * results.
   *
   * @throws Exception if the set-up fails or the two sides disagree
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    cluster = BenchCluster.start();
    table().ensure(cluster);
    spar = cluster.spar().prepareStatement(query(table().distributed()));
    direct = cluster.coordinator().prepareStatement(query(table().plain()));
    String viaSpar = describe(spar.executeQuery());
    String plain = describe(direct.executeQuery());
    if (!viaSpar.equals(plain)) {
      throw new IllegalStateException(query(table().distributed()) + ": Spar read ["
          + viaSpar + "], PostgreSQL [" + plain + "]");
    }
  }

  /** Closes the connections and stops the cluster. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * The query through {@code jdbc:spar:} on the distributed table.
   *
   * @return a digest of the rows read
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long spar() throws SQLException {
    return digest(spar.executeQuery());
  }

  /**
   * The same query with pgjdbc on the plain table.
   *
   * @return a digest of the rows read
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long direct() throws SQLException {
    return digest(direct.executeQuery());
  }

  private static long digest(ResultSet rs) throws SQLException {
    try (rs) {
      long digest = 0;
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          String value = rs.getString(i);
          digest += value == null ? 0 : value.length();
        }
      }
      return digest;
    }
  }

  private static String describe(ResultSet rs) throws SQLException {
    try (rs) {
      StringBuilder rows = new StringBuilder();
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        rows.append('(');
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          rows.append(i == 1 ? "" : ", ").append(rs.getString(i));
        }
        rows.append(')');
      }
      return rows.toString();
    }
  }
}
