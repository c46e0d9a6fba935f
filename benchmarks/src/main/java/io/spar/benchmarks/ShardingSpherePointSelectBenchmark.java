package io.spar.benchmarks;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * The point SELECT of {@link PointSelectBenchmark} through ShardingSphere-JDBC:
 * {@code SELECT * FROM ss_kv WHERE k = ?}, prepared once, over the same {@value #ROWS} keys in
 * the same order, loaded into ShardingSphere's own tables (see {@link ShardingSphereFixture});
 * the table puts it next to Spar and direct pgjdbc.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ShardingSpherePointSelectBenchmark {
  /** Rows loaded, keys 0 to ROWS - 1, as in {@link PointSelectBenchmark}. */
  public static final int ROWS = PointSelectBenchmark.ROWS;

  private static final int CHECKED_KEYS = 32;

  private BenchCluster cluster;
  private PreparedStatement select;
  private int next;

  /**
   * Starts the cluster and ShardingSphere, loads the rows and checks that ShardingSphere reads
   * the right row for a sample of keys.
   *
   * @throws Exception if the set-up fails or a row read is wrong
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    cluster = BenchCluster.start();
    ShardingSphereFixture shardingSphere = ShardingSphereFixture.start(cluster);
    shardingSphere.load(0, ROWS);
    if (shardingSphere.countRows() != ROWS) {
      throw new IllegalStateException("ShardingSphere's tables do not hold " + ROWS + " rows");
    }
    select = shardingSphere.connection().prepareStatement("SELECT * FROM "
        + ShardingSphereFixture.TABLE + " WHERE k = ?");
    for (long key = 0; key < ROWS; key += ROWS / CHECKED_KEYS) {
      select.setLong(1, key);
      try (ResultSet rs = select.executeQuery()) {
        boolean found = rs.next();
        if (!found || rs.getLong(1) != key || !rs.getString(2).equals(BenchCluster.value(key))
            || rs.next()) {
          throw new IllegalStateException("ShardingSphere did not read the one row of key " + key);
        }
      }
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
   * Point SELECT through ShardingSphere-JDBC.
   *
   * @return a digest of the row read, so that the work is not optimized away
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long shardingsphere() throws SQLException {
    long key = next;
    next = next + 1 == ROWS ? 0 : next + 1;
    select.setLong(1, key);
    try (ResultSet rs = select.executeQuery()) {
      long digest = 0;
      while (rs.next()) {
        digest += rs.getLong(1) + rs.getString(2).length();
      }
      return digest;
    }
  }
}
