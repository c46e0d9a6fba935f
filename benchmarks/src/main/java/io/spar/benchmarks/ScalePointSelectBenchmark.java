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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The routed point SELECT of {@link PointSelectBenchmark} at 8, 64, 512 and 1,024 shards
 * (issue 16's scale goal: Spar's latency flat within ±10% over that range): a prepared
 * {@code SELECT * FROM scale_kv WHERE k = ?} through {@code jdbc:spar:} versus
 * {@code SELECT * FROM scale_kv_<shardid> WHERE k = ?} with pgjdbc on the shard's worker, one
 * prepared statement per shard table. Both read the one row of the same key sequence, which
 * rotates over {@value #ROWS} loaded rows spread over every shard, and check that it is the row
 * of the key asked for.
 *
 * <p>The cluster ({@link ScaleCluster}, 2 workers) is kept between forks; a fork whose shard
 * count differs from the table's recreates the table, which at 1,024 shards takes seconds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ScalePointSelectBenchmark {
  /** Rows loaded, keys 0 to ROWS - 1: the same rows whatever the shard count. */
  public static final int ROWS = 10_000;
  /** Number of workers. */
  public static final int WORKERS = 2;

  /** The number of shards of the table; the chart code of run.sh looks for this name. */
  @Param({"8", "64", "512", "1024"})
  public int shards;

  private ScaleCluster cluster;
  private ScaleCluster.KeyMap keys;
  private PreparedStatement sparSelect;
  private PreparedStatement[] directSelects;
  private int next;

  /**
   * Starts or reuses the cluster, makes the table have {@link #shards} shards holding the rows,
   * and prepares the statements.
   *
   * @throws Exception if the set-up fails or the keys miss a shard
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    cluster = ScaleCluster.start(WORKERS, shards);
    keys = cluster.keyMap(0, ROWS);
    if (keys.shardsCovered() != shards) {
      // Every shard must be read, or more shards would not mean more shard tables in use.
      throw new IllegalStateException(ROWS + " keys fall in only " + keys.shardsCovered()
          + " of " + shards + " shards");
    }
    cluster.ensureRows(keys);
    sparSelect = cluster.spar().prepareStatement("SELECT * FROM " + ScaleCluster.TABLE
        + " WHERE k = ?");
    directSelects = cluster.prepareOnShards("SELECT * FROM %s WHERE k = ?");
  }

  /** Closes the connections and stops the cluster. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Point SELECT through {@code jdbc:spar:}.
   *
   * @return a digest of the row read, so that the work is not optimized away
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long spar() throws SQLException {
    int offset = nextOffset();
    return readOne(sparSelect, keys.key(offset));
  }

  /**
   * The same point SELECT with pgjdbc straight on the shard table.
   *
   * @return a digest of the row read, so that the work is not optimized away
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long direct() throws SQLException {
    int offset = nextOffset();
    return readOne(directSelects[keys.shardIndex(offset)], keys.key(offset));
  }

  private int nextOffset() {
    int offset = next;
    next = offset + 1 == ROWS ? 0 : offset + 1;
    return offset;
  }

  /**
   * Runs {@code statement} for {@code key} and checks that it returns exactly the row of that
   * key; the check is a compare and a length, the same on both sides.
   */
  private static long readOne(PreparedStatement statement, long key) throws SQLException {
    statement.setLong(1, key);
    try (ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException("no row for key " + key);
      }
      long k = rs.getLong(1);
      String v = rs.getString(2);
      if (k != key || rs.next()) {
        throw new IllegalStateException("key " + key + ": read key " + k
            + " or more than one row");
      }
      return k + v.length();
    }
  }
}
