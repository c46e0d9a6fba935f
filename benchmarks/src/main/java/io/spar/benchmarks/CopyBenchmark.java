package io.spar.benchmarks;

import io.spar.jdbc.SparConnection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * {@code COPY … FROM STDIN} of {@value #ROWS} rows in text format, one score per load: through
 * Spar's COPY API into the distributed table {@code bench_kv} (rows split by shard and sent to
 * both workers), and with pgjdbc's {@code CopyManager} into one plain table of the same shape
 * and index on one worker. The table is emptied before every load.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class CopyBenchmark {
  /** Rows per load. */
  public static final int ROWS = 1_000_000;
  private static final String PLAIN = "bench_copy_plain";

  private BenchCluster cluster;
  private Connection plain;
  private byte[] rows;

  /**
   * Starts the cluster, creates the plain table and renders the rows once.
   *
   * @throws Exception if the set-up fails
   */
  @Setup(Level.Trial)
  public void start() throws Exception {
    cluster = BenchCluster.start();
    plain = cluster.shardConnection(0);
    try (Statement statement = plain.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + PLAIN);
      statement.execute("CREATE TABLE " + PLAIN + " (k bigint NOT NULL, v text NOT NULL)");
      statement.execute("CREATE INDEX " + PLAIN + "_k ON " + PLAIN + " (k)");
    }
    ByteArrayOutputStream text = new ByteArrayOutputStream(ROWS * 40);
    for (long key = 1; key <= ROWS; key++) {
      text.writeBytes((key + "\t" + BenchCluster.value(key) + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    rows = text.toByteArray();
  }

  /**
   * Empties the table the running benchmark loads.
   *
   * @param params tells which benchmark method runs
   * @throws SQLException if truncating fails
   */
  @Setup(Level.Iteration)
  public void truncate(BenchmarkParams params) throws SQLException {
    if (params.getBenchmark().endsWith(".spar")) {
      cluster.truncateThroughSpar();
    } else {
      try (Statement statement = plain.createStatement()) {
        statement.execute("TRUNCATE " + PLAIN);
      }
    }
  }

  /**
   * Loads the rows through {@code jdbc:spar:}.
   *
   * @return the rows copied
   * @throws SQLException if the COPY fails
   */
  @Benchmark
  public long spar() throws SQLException {
    return ((SparConnection) cluster.spar()).getCopyAPI().copyIn(
        "COPY " + BenchCluster.TABLE + " (k, v) FROM STDIN", new ByteArrayInputStream(rows));
  }

  /**
   * Loads the rows with pgjdbc into the plain table.
   *
   * @return the rows copied
   * @throws Exception if the COPY fails
   */
  @Benchmark
  public long direct() throws Exception {
    return plain.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(
        "COPY " + PLAIN + " (k, v) FROM STDIN", new ByteArrayInputStream(rows));
  }

  /**
   * Checks that every row arrived, then stops the cluster.
   *
   * @throws Exception if closing fails
   */
  @TearDown(Level.Trial)
  public void stop() throws Exception {
    cluster.close();
  }

  /**
   * Checks after each load that the table holds every row.
   *
   * @param params tells which benchmark method ran
   * @throws SQLException if counting fails
   */
  @TearDown(Level.Iteration)
  public void check(BenchmarkParams params) throws SQLException {
    long found;
    if (params.getBenchmark().endsWith(".spar")) {
      found = cluster.countShardRows();
    } else {
      try (Statement statement = plain.createStatement();
          var rs = statement.executeQuery("SELECT count(*) FROM " + PLAIN)) {
        rs.next();
        found = rs.getLong(1);
      }
    }
    if (found != ROWS) {
      throw new IllegalStateException("expected " + ROWS + " rows after the load, found "
          + found);
    }
  }
}
