package io.spar.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The prepared point SELECT of {@link PointSelectBenchmark}, with pgjdbc through Spar's
 * PostgreSQL port (server-side prepared after pgjdbc's fifth execution) versus pgjdbc straight
 * on the shard's worker. Two more benchmarks of the same run tell what the port itself adds:
 * {@code embedded}, the same statement through {@code jdbc:spar:}, and {@code proxied}, the
 * direct statements through a proxy that only copies bytes ({@link BytePumpProxy}), the cost
 * of the extra hop that any server in front of PostgreSQL pays.
 */
public class PostgresPortSelectBenchmark extends PointSelectBenchmark {
  private static final String SELECT = "SELECT * FROM " + BenchCluster.TABLE + " WHERE k = ?";

  private PreparedStatement embeddedSelect;
  private PreparedStatement[] proxiedSelects;

  @Override
  protected Connection sparConnection(BenchCluster cluster) throws Exception {
    return cluster.postgresPort();
  }

  @Override
  protected void prepareMore() throws Exception {
    embeddedSelect = cluster().spar().prepareStatement(SELECT);
    proxiedSelects = cluster().prepareOnShardsThroughProxies("SELECT * FROM %s WHERE k = ?");
  }

  /**
   * The point SELECT through {@code jdbc:spar:}, in the same run as the port's.
   *
   * @return a digest of the row read
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long embedded() throws SQLException {
    return selectNext(embeddedSelect, null);
  }

  /**
   * The direct point SELECT through a proxy that only copies bytes.
   *
   * @return a digest of the row read
   * @throws SQLException if the query fails
   */
  @Benchmark
  public long proxied() throws SQLException {
    return selectNext(null, proxiedSelects);
  }
}
