package io.spar.benchmarks;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The single-row INSERT of {@link SingleInsertBenchmark} through ShardingSphere-JDBC:
 * {@code INSERT INTO ss_kv (k, v) VALUES (?, ?)}, prepared once, autocommit, with the same new
 * keys; its tables are truncated before and counted after every iteration.
 */
public class ShardingSphereSingleInsertBenchmark extends ShardingSphereInsertBase {
  private PreparedStatement insert;

  @Override
  protected void prepare() throws SQLException {
    super.prepare();
    insert = shardingSphere.connection().prepareStatement("INSERT INTO "
        + ShardingSphereFixture.TABLE + " (k, v) VALUES (?, ?)");
  }

  /**
   * Single-row INSERT through ShardingSphere-JDBC.
   *
   * @return the update count
   * @throws SQLException if the insert fails
   */
  @Benchmark
  public int shardingsphere() throws SQLException {
    long key = keys.key(takeKeys(1));
    insert.setLong(1, key);
    insert.setString(2, BenchCluster.value(key));
    return insert.executeUpdate();
  }
}
