package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connections one session holds: at most one per node, as a transaction needs.
 *
 * <p>The coordinator connection stays with the session for its whole life, so session state
 * such as temporary tables and settings behaves as on PostgreSQL. Worker connections stay for
 * the duration of one statement or transaction and then go back to the pool.
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

  /** Returns the session's connection to worker {@code node}, borrowing it on first use. */
  public Connection worker(NodeAddress node) throws SQLException {
    Connection connection = workers.get(node);
    if (connection == null) {
      connection = pools.borrow(node);
      workers.put(node, connection);
    }
    return connection;
  }

  /** Returns the connection to {@code node} to the pool, discarding it if it broke. */
  public void releaseWorker(NodeAddress node) {
    Connection connection = workers.remove(node);
    if (connection != null) {
      closeQuietly(connection);
    }
  }

  /** Returns every worker connection to its pool. */
  public void releaseWorkers() {
    workers.values().forEach(SessionConnections::closeQuietly);
    workers.clear();
  }

  private static void closeQuietly(Connection connection) {
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      // A broken connection cannot be reset; closing it below lets the pool evict it.
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // Nothing more to release.
    }
  }

  @Override
  public void close() {
    releaseWorkers();
    if (coordinator != null) {
      closeQuietly(coordinator);
      coordinator = null;
    }
  }
}
