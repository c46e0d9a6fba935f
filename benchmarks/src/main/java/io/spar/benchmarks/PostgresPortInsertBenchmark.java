package io.spar.benchmarks;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The prepared single-row INSERT of {@link SingleInsertBenchmark}, with pgjdbc through Spar's
 * PostgreSQL port versus pgjdbc straight into the shard table on the key's worker.
 */
public class PostgresPortInsertBenchmark extends SingleInsertBenchmark {
  @Override
  protected Connection sparConnection() throws SQLException {
    try {
      return cluster.postgresPort();
    } catch (IOException e) {
      throw new SQLException("could not start the PostgreSQL port", e);
    }
  }
}
