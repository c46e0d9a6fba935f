package io.spar.benchmarks;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A {@value #ROWS}-row {@code executeBatch} INSERT in autocommit mode with new keys, one score
 * per batch: through Spar, one prepared {@code INSERT INTO bench_kv (k, v) VALUES (?, ?)} with
 * {@value #ROWS} {@code addBatch} calls and one {@code executeBatch}; directly, the rows grouped
 * by shard into one batch per shard table, each executed on the shard's worker with pgjdbc's
 * defaults (no {@code reWriteBatchedInserts}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class BatchInsertBenchmark extends InsertBenchmarkBase {
  /** Rows per batch. */
  public static final int ROWS = 1_000;

  private PreparedStatement sparInsert;
  private PreparedStatement[] directInserts;
  private boolean[] pending;

  @Override
  protected void prepare() throws SQLException {
    sparInsert = cluster.spar().prepareStatement("INSERT INTO " + BenchCluster.TABLE
        + " (k, v) VALUES (?, ?)");
    directInserts = cluster.prepareOnShards("INSERT INTO %s (k, v) VALUES (?, ?)");
    pending = new boolean[directInserts.length];
  }

  /**
   * {@value #ROWS}-row batch INSERT through {@code jdbc:spar:}.
   *
   * @return the sum of the update counts
   * @throws SQLException if the batch fails
   */
  @Benchmark
  public long spar() throws SQLException {
    int first = takeKeys(ROWS);
    for (int i = 0; i < ROWS; i++) {
      long key = keys.key((first + i) & (KEYS - 1));
      sparInsert.setLong(1, key);
      sparInsert.setString(2, BenchCluster.value(key));
      sparInsert.addBatch();
    }
    return sum(sparInsert.executeBatch());
  }

  /**
   * The same rows with pgjdbc, one batch per shard table on its worker.
   *
   * @return the sum of the update counts
   * @throws SQLException if a batch fails
   */
  @Benchmark
  public long direct() throws SQLException {
    int first = takeKeys(ROWS);
    for (int i = 0; i < ROWS; i++) {
      int offset = (first + i) & (KEYS - 1);
      int shard = keys.shardIndex(offset);
      long key = keys.key(offset);
      PreparedStatement insert = directInserts[shard];
      insert.setLong(1, key);
      insert.setString(2, BenchCluster.value(key));
      insert.addBatch();
      pending[shard] = true;
    }
    long rows = 0;
    for (int shard = 0; shard < directInserts.length; shard++) {
      if (pending[shard]) {
        pending[shard] = false;
        rows += sum(directInserts[shard].executeBatch());
      }
    }
    return rows;
  }

  private static long sum(int[] counts) {
    long rows = 0;
    for (int count : counts) {
      rows += count;
    }
    return rows;
  }
}
