package io.spar.benchmarks;

import java.sql.Connection;

/**
 * The prepared point SELECT of {@link PointSelectBenchmark}, with pgjdbc through Spar's
 * PostgreSQL port (server-side prepared after pgjdbc's fifth execution) versus pgjdbc straight
 * on the shard's worker: what the wire protocol layer adds to a routed statement.
 */
public class PostgresPortSelectBenchmark extends PointSelectBenchmark {
  @Override
  protected Connection sparConnection(BenchCluster cluster) throws Exception {
    return cluster.postgresPort();
  }
}
