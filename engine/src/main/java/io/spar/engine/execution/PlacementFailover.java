package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * How a read outside the session's transaction finds a placement that answers: each node in
 * the query's order, on a pooled connection, moving on only when the node failed. A node gets a
 * second try on a new connection, since a pooled one may predate the node's restart; a node
 * that is down fails at connect and is skipped at once.
 */
final class PlacementFailover {
  /** A read on one pooled connection, which it returns to the pool when it fails. */
  @FunctionalInterface
  interface Attempt<T> {
    T run(NodeAddress node, Connection connection) throws SQLException;
  }

  private PlacementFailover() {
  }

  /** Returns the result of the first attempt that succeeds on a placement of {@code query}. */
  static <T> T run(NodePools pools, ShardQuery query, Attempt<T> attempt) throws SQLException {
    SQLException lastFailure = null;
    for (NodeAddress node : query.nodes()) {
      for (int tries = 0; tries < 2; tries++) {
        Connection connection;
        try {
          connection = pools.borrow(node);
        } catch (SQLException e) {
          if (!Failures.isNodeFailure(e)) {
            throw e;
          }
          lastFailure = e;
          break;
        }
        try {
          return attempt.run(node, connection);
        } catch (SQLException e) {
          if (!Failures.isNodeFailure(e)) {
            throw e;
          }
          lastFailure = e;
        }
      }
    }
    throw noPlacement(query, lastFailure);
  }

  /** Returns the failure to report when no placement of {@code query} answered. */
  static SQLException noPlacement(ShardQuery query, SQLException lastFailure) {
    return lastFailure != null ? lastFailure : new SQLException(
        "could not find any healthy placement for shard " + query.shardId(), "XX000");
  }
}
