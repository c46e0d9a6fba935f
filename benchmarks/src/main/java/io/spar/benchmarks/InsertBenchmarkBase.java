package io.spar.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The common state of the INSERT benchmarks: the cluster, a pool of {@value #KEYS} consecutive
 * keys whose shards are known, the next key to use, and an empty table at the start of every
 * iteration.
 *
 * <p>Keys increase with every inserted row and wrap around the pool, so within an iteration of
 * up to {@value #KEYS} rows they are unique (the table has no unique constraint, so a wrap-around
 * could not fail anyway). Before each iteration the table is truncated, through Spar for the
 * {@code spar} benchmark and on the shard tables for the {@code direct} one; after it the rows in
 * the shard tables are counted and must equal the rows inserted, which shows that every insert
 * landed in a shard table. Subclasses that write another table override {@link #mapKeys()},
 * {@link #empty(String)} and {@link #checkRows(String, long)}.
 */
public abstract class InsertBenchmarkBase {
  /** Size of the key pool, a power of two. */
  public static final int KEYS = 1 << 20;
  /** The first key of the pool. */
  public static final long FIRST_KEY = 1_000_000_000L;

  /** The fixture. */
  protected BenchCluster cluster;
  /** The shard of every key of the pool. */
  protected BenchCluster.KeyMap keys;

  private int next;
  private long inserted;

  /**
   * Starts the cluster, maps the key pool to shards and lets the benchmark prepare its
   * statements.
   *
   * @throws Exception if the set-up fails
   */
  @Setup(Level.Trial)
  public void startCluster() throws Exception {
    cluster = BenchCluster.start();
    keys = mapKeys();
    prepare();
  }

  /**
   * Maps the key pool to the shards of the table the benchmark writes; {@value BenchCluster#TABLE}
   * unless a subclass writes another.
   *
   * @return the key map
   * @throws SQLException if a query fails
   */
  protected BenchCluster.KeyMap mapKeys() throws SQLException {
    return cluster.keyMap(FIRST_KEY, KEYS);
  }

  /**
   * Prepares the benchmark's statements once the cluster runs; closing the fixture's connections
   * closes them.
   *
   * @throws SQLException if preparing fails
   */
  protected abstract void prepare() throws SQLException;

  /** Returns the connection the {@code spar} benchmark writes through. */
  protected Connection sparConnection() throws SQLException {
    return cluster.spar();
  }

  /**
   * Empties the table the way the running benchmark writes it.
   *
   * @param params tells which benchmark method runs
   * @throws SQLException if truncating fails
   */
  @Setup(Level.Iteration)
  public void truncate(BenchmarkParams params) throws SQLException {
    String benchmark = params.getBenchmark();
    empty(benchmark.substring(benchmark.lastIndexOf('.') + 1));
    inserted = 0;
  }

  /**
   * Empties the table that benchmark method {@code method} writes, the way it writes it (through
   * Spar for {@code spar}, on the shard tables otherwise), and checks that it is empty.
   *
   * @param method the name of the running benchmark method
   * @throws SQLException if truncating fails
   */
  protected void empty(String method) throws SQLException {
    if (method.equals("spar")) {
      cluster.truncateThroughSpar();
    } else {
      cluster.truncateShards();
    }
    if (cluster.countShardRows() != 0) {
      throw new IllegalStateException("TRUNCATE left rows in the shard tables");
    }
  }

  /**
   * Checks that the shard tables hold exactly the rows inserted during the iteration.
   *
   * @param params tells which benchmark method ran
   * @throws SQLException if counting fails
   */
  @TearDown(Level.Iteration)
  public void countRows(BenchmarkParams params) throws SQLException {
    String benchmark = params.getBenchmark();
    checkRows(benchmark.substring(benchmark.lastIndexOf('.') + 1), inserted);
  }

  /**
   * Checks that the rows benchmark method {@code method} inserted in the iteration landed; by
   * default, that the shard tables of {@value BenchCluster#TABLE} hold exactly that many rows.
   *
   * @param method the name of the benchmark method that ran
   * @param inserted the rows it inserted
   * @throws SQLException if counting fails
   * @throws IllegalStateException if the rows found differ
   */
  protected void checkRows(String method, long inserted) throws SQLException {
    long rows = cluster.countShardRows();
    if (rows != inserted) {
      throw new IllegalStateException(inserted + " rows were inserted in this iteration, but the"
          + " shard tables hold " + rows);
    }
  }

  /** Closes the connections and stops the cluster. */
  @TearDown(Level.Trial)
  public void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Takes the next {@code count} keys of the pool.
   *
   * @param count how many keys the caller inserts
   * @return the pool offset of the first; the others follow, modulo {@link #KEYS}
   */
  protected final int takeKeys(int count) {
    int offset = next;
    next = (offset + count) & (KEYS - 1);
    inserted += count;
    return offset;
  }
}
