package io.spar.commands;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import io.spar.outcome.SparErrors;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.SQLException;

/**
 * Runner of DDL on shard placements outside any transaction, for the statements PostgreSQL
 * cannot run in one ({@code CREATE INDEX CONCURRENTLY}, {@code DROP INDEX CONCURRENTLY}).
 */
public final class ShardDdlRunner {
  private final NodePools pools;
  private final StatementLog log;

  /** Creates a runner that borrows connections from {@code pools}. */
  public ShardDdlRunner(NodePools pools, StatementLog log) {
    this.pools = pools;
    this.log = log;
  }

  /**
   * Runs {@code sql} on worker {@code node} for shard {@code shardId} (null for the whole
   * worker), in autocommit.
   */
  public void runOnShard(NodeAddress node, Long shardId, String sql) throws SQLException {
    log.record(node, shardId, sql);
    try (Connection connection = pools.borrow(node);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw failureOn(node, e);
    }
  }

  /** Returns {@code e} from worker {@code node}, naming the worker if it could not be reached. */
  static SQLException failureOn(NodeAddress node, SQLException e) {
    if (e.getSQLState() != null && !e.getSQLState().startsWith("08")) {
      return e;
    }
    return SparErrors.error(e.getSQLState() == null ? "08006" : e.getSQLState(),
        "could not reach worker " + node + ": " + e.getMessage());
  }
}
