package io.spar.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * A multi-shard aggregate, {@code SELECT count(*), sum(k), max(v) FROM …}, prepared once, over
 * the same {@value #ROWS} rows (keys 0 to {@value #ROWS} - 1) three ways: through Spar on
 * {@value BenchCluster#TABLE} ({@code spar}), through ShardingSphere-JDBC on its
 * {@value ShardingSphereFixture#TABLE} ({@code shardingsphere}; both read 8 shards on 2
 * workers and combine the partial aggregates), and with pgjdbc on one plain table of the same
 * rows on the coordinator ({@code direct}). The set-up checks that the three answers are equal,
 * and equal to the count and sum the keys give, before anything is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class MultiShardAggregateBenchmark {
  /** Rows in each table. */
  public static final int ROWS = 100_000;
  /** The plain table on the coordinator. */
  static final String PLAIN = "bench_kv_plain";
  /** The query, with {@code %s} where the table goes. */
  static final String QUERY = "SELECT count(*), sum(k), max(v) FROM %s";

  private BenchCluster cluster;
  private PreparedStatement spar;
  private PreparedStatement shardingSphere;
  private PreparedStatement direct;

  /**
   * Starts the cluster and ShardingSphere, loads the rows into the three tables, prepares the
   * queries and compares their answers.
   *
   * @throws Exception if the set-up fails or the answers differ
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    cluster = BenchCluster.start();
    cluster.load(cluster.keyMap(0, ROWS));
    ShardingSphereFixture fixture = ShardingSphereFixture.start(cluster);
    fixture.load(0, ROWS);
    Connection coordinator = cluster.coordinator();
    try (Statement statement = coordinator.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + PLAIN);
      statement.execute("CREATE TABLE " + PLAIN + " (k bigint NOT NULL, v text NOT NULL)");
      statement.execute("CREATE INDEX " + PLAIN + "_k ON " + PLAIN + " (k)");
      // 'value-' || k is BenchCluster.value(k) in SQL; the answers' max(v) compares them.
      statement.execute("INSERT INTO " + PLAIN + " (k, v) SELECT k, 'value-' || k"
          + " FROM generate_series(0::bigint, " + (ROWS - 1) + "::bigint) AS k");
      statement.execute("VACUUM ANALYZE " + PLAIN);
    }
    spar = cluster.spar().prepareStatement(String.format(QUERY, BenchCluster.TABLE));
    shardingSphere = fixture.connection().prepareStatement(
        String.format(QUERY, ShardingSphereFixture.TABLE));
    direct = coordinator.prepareStatement(String.format(QUERY, PLAIN));
    String expected = ROWS + ", " + ((long) ROWS * (ROWS - 1) / 2) + ", "
        + maxValue();
    String viaSpar = answer(spar);
    String viaShardingSphere = answer(shardingSphere);
    String plain = answer(direct);
    if (!viaSpar.equals(expected) || !viaShardingSphere.equals(expected)
        || !plain.equals(expected)) {
      throw new IllegalStateException(String.format(QUERY, "…") + ": expected [" + expected
          + "], Spar answered [" + viaSpar + "], ShardingSphere [" + viaShardingSphere
          + "], PostgreSQL [" + plain + "]");
    }
  }

  /** Returns the greatest value of the rows as text compares in Java, e.g. {@code value-99999}. */
  private static String maxValue() {
    String max = null;
    for (long key = 0; key < ROWS; key++) {
      String value = BenchCluster.value(key);
      if (max == null || value.compareTo(max) > 0) {
        max = value;
      }
    }
    return max;
  }

  /**
   * Returns the one row of the query as {@code count, sum, max}, the sum as an integer whatever
   * numeric type the driver gives it.
   */
  private static String answer(PreparedStatement query) throws SQLException {
    try (ResultSet rs = query.executeQuery()) {
      if (!rs.next()) {
        return "no row";
      }
      String row = rs.getLong(1) + ", " + rs.getBigDecimal(2).toBigIntegerExact() + ", "
          + rs.getString(3);
      return rs.next() ? row + " and more rows" : row;
    }
  }

  /** Closes ShardingSphere and the connections, and stops the cluster. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * The aggregate through {@code jdbc:spar:} on the distributed table.
   *
   * @return a digest of the answer
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long spar() throws SQLException {
    return digest(spar);
  }

  /**
   * The aggregate through ShardingSphere-JDBC on its sharded table.
   *
   * @return a digest of the answer
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long shardingsphere() throws SQLException {
    return digest(shardingSphere);
  }

  /**
   * The aggregate with pgjdbc on the plain table.
   *
   * @return a digest of the answer
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long direct() throws SQLException {
    return digest(direct);
  }

  private static long digest(PreparedStatement query) throws SQLException {
    try (ResultSet rs = query.executeQuery()) {
      long digest = 0;
      while (rs.next()) {
        digest += rs.getLong(1) + rs.getString(2).length() + rs.getString(3).length();
      }
      return digest;
    }
  }
}
