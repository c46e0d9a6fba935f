package io.spar.benchmarks;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The {@value BatchInsertBenchmark#ROWS}-row {@code executeBatch} of {@link BatchInsertBenchmark}
 * through ShardingSphere-JDBC: one prepared {@code INSERT INTO ss_kv (k, v) VALUES (?, ?)},
 * {@value BatchInsertBenchmark#ROWS} {@code addBatch} calls and one {@code executeBatch} (which
 * ShardingSphere splits into one batch per physical table), autocommit, with the same new keys.
 */
public class ShardingSphereBatchInsertBenchmark extends ShardingSphereInsertBase {
  private static final int ROWS = BatchInsertBenchmark.ROWS;

  private PreparedStatement insert;

  @Override
  protected void prepare() throws SQLException {
    super.prepare();
    insert = shardingSphere.connection().prepareStatement("INSERT INTO "
        + ShardingSphereFixture.TABLE + " (k, v) VALUES (?, ?)");
  }

  /**
   * {@value BatchInsertBenchmark#ROWS}-row batch INSERT through ShardingSphere-JDBC.
   *
   * @return the sum of the update counts
   * @throws SQLException if the batch fails
   */
  @Benchmark
  public long shardingsphere() throws SQLException {
    int first = takeKeys(ROWS);
    for (int i = 0; i < ROWS; i++) {
      long key = keys.key((first + i) & (KEYS - 1));
      insert.setLong(1, key);
      insert.setString(2, BenchCluster.value(key));
      insert.addBatch();
    }
    long rows = 0;
    for (int count : insert.executeBatch()) {
      rows += count;
    }
    return rows;
  }
}
