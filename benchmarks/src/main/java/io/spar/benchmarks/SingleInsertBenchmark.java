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
 * A prepared single-row INSERT in autocommit mode with a new key each time:
 * {@code INSERT INTO bench_kv (k, v) VALUES (?, ?)} through Spar versus the same INSERT into
 * {@code bench_kv_<shardid>} with pgjdbc on the key's worker (one prepared statement per shard).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SingleInsertBenchmark extends InsertBenchmarkBase {
  private PreparedStatement sparInsert;
  private PreparedStatement[] directInserts;

  @Override
  protected void prepare() throws SQLException {
    sparInsert = sparConnection().prepareStatement("INSERT INTO " + BenchCluster.TABLE
        + " (k, v) VALUES (?, ?)");
    directInserts = cluster.prepareOnShards("INSERT INTO %s (k, v) VALUES (?, ?)");
  }

  /**
   * Single-row INSERT through {@code jdbc:spar:}.
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
