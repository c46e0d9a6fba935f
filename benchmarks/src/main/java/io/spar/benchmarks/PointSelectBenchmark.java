package io.spar.benchmarks;

import java.sql.Connection;
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
 * A prepared point SELECT by the distribution key, with a key that rotates over
 * {@value #ROWS} loaded rows: {@code SELECT * FROM bench_kv WHERE k = ?} through Spar versus
 * {@code SELECT * FROM bench_kv_<shardid> WHERE k = ?} with pgjdbc on the shard's worker (one
 * prepared statement per shard). Both sides read the one row of the same key sequence.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PointSelectBenchmark {
  /** Rows loaded, keys 0 to ROWS - 1. */
  public static final int ROWS = 10_000;

  private static final int CHECKED_KEYS = 32;

  private BenchCluster cluster;
  private BenchCluster.KeyMap keys;
  private PreparedStatement sparSelect;
  private PreparedStatement[] directSelects;
  private int next;

  /**
   * Starts the cluster, loads the rows and prepares the statements, then checks that both sides
   * read the same row for a sample of keys.
   *
   * @throws Exception if the set-up fails or the two sides disagree
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    cluster = BenchCluster.start();
    keys = cluster.keyMap(0, ROWS);
    cluster.load(keys);
    sparSelect = sparConnection(cluster).prepareStatement("SELECT * FROM " + BenchCluster.TABLE
        + " WHERE k = ?");
    directSelects = cluster.prepareOnShards("SELECT * FROM %s WHERE k = ?");
    for (int i = 0; i < ROWS; i += ROWS / CHECKED_KEYS) {
      String viaSpar = describe(select(sparSelect, keys.key(i)));
      String direct = describe(select(directSelects[keys.shardIndex(i)], keys.key(i)));
      String expected = keys.key(i) + "=" + BenchCluster.value(keys.key(i));
      if (!viaSpar.equals(expected) || !direct.equals(expected)) {
        throw new IllegalStateException("key " + keys.key(i) + ": expected [" + expected
            + "], Spar read [" + viaSpar + "], the shard table holds [" + direct + "]");
      }
    }
    prepareMore();
  }

  /**
   * Prepares what the benchmarks a subclass adds need, once the cluster holds the rows.
   *
   * @throws Exception if preparing fails
   */
  protected void prepareMore() throws Exception {
  }

  /** Returns the cluster, for subclasses that add benchmarks. */
  protected BenchCluster cluster() {
    return cluster;
  }

  /** Returns the connection the {@code spar} benchmark reads through. */
  protected Connection sparConnection(BenchCluster cluster) throws Exception {
    return cluster.spar();
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
    return selectNext(sparSelect, null);
  }

  /**
   * The same point SELECT with pgjdbc straight on the shard table.
   *
   * @return a digest of the row read, so that the work is not optimized away
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long direct() throws SQLException {
    return selectNext(null, directSelects);
  }

  /**
   * Runs the point SELECT of the next key with {@code spar}, a statement through Spar, or with
   * the shard's statement of {@code onShards} when that is not null.
   *
   * @param spar the statement through Spar, used when {@code onShards} is null
   * @param onShards statements on the shards, indexed like them, or null
   * @return a digest of the row read
   * @throws SQLException if the query fails
   */
  protected long selectNext(PreparedStatement spar, PreparedStatement[] onShards)
      throws SQLException {
    int offset = nextOffset();
    return read(select(onShards == null ? spar : onShards[keys.shardIndex(offset)],
        keys.key(offset)));
  }

  private int nextOffset() {
    int offset = next;
    next = offset + 1 == ROWS ? 0 : offset + 1;
    return offset;
  }

  private static ResultSet select(PreparedStatement statement, long key) throws SQLException {
    statement.setLong(1, key);
    return statement.executeQuery();
  }

  private static long read(ResultSet rs) throws SQLException {
    try (rs) {
      long digest = 0;
      while (rs.next()) {
        digest += rs.getLong(1) + rs.getString(2).length();
      }
      return digest;
    }
  }

  private static String describe(ResultSet rs) throws SQLException {
    try (rs) {
      StringBuilder rows = new StringBuilder();
      while (rs.next()) {
        rows.append(rows.length() == 0 ? "" : ", ").append(rs.getLong(1)).append('=')
            .append(rs.getString(2));
      }
      return rows.toString();
    }
  }
}
