package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connections one session holds: at most one per node, as a transaction needs.
 *
 * <p>The coordinator connection stays with the session for its whole life, so session state
 * such as temporary tables and settings behaves as on PostgreSQL. Worker connections stay for
 * the duration of one statement or transaction and then go back to the pool. Which of them
 * have a transaction open is the session's transaction's business, not this holder's.
 */
public final class SessionConnections implements AutoCloseable {
  private final NodePools pools;
  private final NodeAddress coordinatorNode;
  private final Map<NodeAddress, Connection> workers = new LinkedHashMap<>();
  private Connection coordinator;

  /** Creates an empty set of connections that borrows from {@code pools}. */
  public SessionConnections(NodePools pools, NodeAddress coordinatorNode) {
    this.pools = pools;
    this.coordinatorNode = coordinatorNode;
  }

  /** Returns the session's coordinator connection, borrowing it on first use. */
  public Connection coordinator() throws SQLException {
    if (coordinator == null || coordinator.isClosed()) {
      coordinator = pools.borrow(coordinatorNode);
    }
    return coordinator;
  }

  /** Returns the address of the coordinator. */
  public NodeAddress coordinatorNode() {
    return coordinatorNode;
  }

  /** Returns the pools the session borrows from. */
  public NodePools pools() {
    return pools;
  }

  /**
   * Returns the session's connection to {@code node}, the coordinator's or a worker's, borrowing
   * a worker connection on first use.
   */
  public Connection connection(NodeAddress node) throws SQLException {
    if (node.equals(coordinatorNode)) {
      return coordinator();
    }
    Connection connection = workers.get(node);
    if (connection == null) {
      connection = pools.borrow(node);
      workers.put(node, connection);
    }
    return connection;
  }

  /**
   * Ends whatever transaction the connection to {@code node} has open (rolling it back) and, for
   * a worker, returns the connection to its pool, discarding it if it broke.
   */
  public void release(NodeAddress node) {
    if (node.equals(coordinatorNode)) {
      if (coordinator != null) {
        reset(coordinator);
      }
      return;
    }
    Connection connection = workers.remove(node);
    if (connection != null) {
      reset(connection);
      closeQuietly(connection);
    }
  }

  /** Returns every worker connection to its pool, rolling back what they have open. */
  public void releaseWorkers() {
    for (Connection each : workers.values()) {
      reset(each);
      closeQuietly(each);
    }
    workers.clear();
  }

  /** Rolls back {@code connection}'s open transaction, if any, and turns autocommit back on. */
  private static void reset(Connection connection) {
    try {
      if (!connection.isClosed() && !connection.getAutoCommit()) {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      // A broken connection cannot be reset; closing it lets the pool evict it.
      closeQuietly(connection);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // Nothing more to release.
    }
  }

  /**
   * Returns every connection to its pool; the coordinator connection first forgets the
   * session's state (settings, temporary tables, prepared statements), which would otherwise
   * leak into the next session that borrows it.
   */
  @Override
  public void close() {
    releaseWorkers();
    if (coordinator != null) {
      reset(coordinator);
      try (Statement statement = coordinator.createStatement()) {
        statement.execute("DISCARD ALL");
      } catch (SQLException e) {
        pools.evict(coordinatorNode, coordinator);
      }
      closeQuietly(coordinator);
      coordinator = null;
    }
  }
}
