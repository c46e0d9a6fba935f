package io.spar.benchmarks;

import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The INSERT benchmarks' state ({@link InsertBenchmarkBase}: the cluster, the key pool, the rows
 * counted after every iteration) for ShardingSphere-JDBC's table {@value ShardingSphereFixture#TABLE}:
 * its physical tables are truncated on the workers before every iteration and must hold exactly
 * the rows inserted after it, each in the table its key belongs to.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public abstract class ShardingSphereInsertBase extends InsertBenchmarkBase {
  /** ShardingSphere on the cluster's workers. */
  protected ShardingSphereFixture shardingSphere;

  /** Starts ShardingSphere; subclasses prepare their statements after calling this. */
  @Override
  protected void prepare() throws SQLException {
    try {
      shardingSphere = ShardingSphereFixture.start(cluster);
    } catch (IOException e) {
      throw new SQLException("could not load ShardingSphere", e);
    }
  }

  @Override
  protected void empty(String method) throws SQLException {
    shardingSphere.truncate();
    if (shardingSphere.countRows() != 0) {
      throw new IllegalStateException("TRUNCATE left rows in ShardingSphere's tables");
    }
  }

  @Override
  protected void checkRows(String method, long inserted) throws SQLException {
    long rows = shardingSphere.countRows();
    if (rows != inserted) {
      throw new IllegalStateException(inserted + " rows were inserted through ShardingSphere in"
          + " this iteration, but its tables hold " + rows);
    }
  }
}
