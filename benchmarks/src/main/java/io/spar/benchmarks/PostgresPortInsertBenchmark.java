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
 * The prepared single-row INSERT of {@link SingleInsertBenchmark}, with pgjdbc through Spar's
 * PostgreSQL port versus pgjdbc straight into the shard table on the key's worker.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PostgresPortInsertBenchmark extends InsertBenchmarkBase {
  private PreparedStatement sparInsert;
  private PreparedStatement[] directInserts;

  @Override
  protected void prepare() throws SQLException {
    try {
      sparInsert = cluster.postgresPort().prepareStatement("INSERT INTO " + BenchCluster.TABLE
          + " (k, v) VALUES (?, ?)");
    } catch (java.io.IOException e) {
      throw new SQLException("could not start the PostgreSQL port", e);
    }
    directInserts = cluster.prepareOnShards("INSERT INTO %s (k, v) VALUES (?, ?)");
  }

  /**
   * Single-row INSERT with pgjdbc through Spar's PostgreSQL port.
   *
   * @return the update count
   * @throws SQLException if the insert fails
   */
  @Benchmark
  public int spar() throws SQLException {
    long key = keys.key(takeKeys(1));
    sparInsert.setLong(1, key);
    sparInsert.setString(2, BenchCluster.value(key));
    return sparInsert.executeUpdate();
  }

  /**
   * The same INSERT with pgjdbc straight into the shard table.
   *
   * @return the update count
   * @throws SQLException if the insert fails
   */
  @Benchmark
  public int direct() throws SQLException {
    int offset = takeKeys(1);
    long key = keys.key(offset);
    PreparedStatement insert = directInserts[keys.shardIndex(offset)];
    insert.setLong(1, key);
    insert.setString(2, BenchCluster.value(key));
    return insert.executeUpdate();
  }
}
