package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
  private final Set<NodeAddress> inTransaction = new HashSet<>();
  private Connection coordinator;
  private boolean coordinatorWork;

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

  /**
   * Records that the user's statements ran on the coordinator in the current transaction, so
   * that its commit must be atomic with the workers'.
   */
  public void markCoordinatorWork() throws SQLException {
    if (!coordinator().getAutoCommit()) {
      coordinatorWork = true;
    }
  }

  /** Returns whether the current transaction ran user statements on the coordinator. */
  public boolean hasCoordinatorWork() {
    return coordinatorWork;
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

  /**
   * Returns the session's connection to {@code node} with its transaction open, marking the
   * node as holding this session's uncommitted work.
   */
  public Connection transactional(NodeAddress node) throws SQLException {
    Connection connection = worker(node);
    if (connection.getAutoCommit()) {
      connection.setAutoCommit(false);
    }
    inTransaction.add(node);
    return connection;
  }

  /**
   * Returns the connection to {@code node} if it holds this session's uncommitted work, which
   * reads must use to see it; otherwise null.
   */
  public Connection pinned(NodeAddress node) {
    return inTransaction.contains(node) ? workers.get(node) : null;
  }

  /** Returns the connection to {@code node} to the pool, discarding it if it broke. */
  public void releaseWorker(NodeAddress node) {
    inTransaction.remove(node);
    Connection connection = workers.remove(node);
    if (connection != null) {
      closeQuietly(connection);
    }
  }

  /** Returns every worker connection to its pool. */
  public void releaseWorkers() {
    workers.values().forEach(SessionConnections::closeQuietly);
    workers.clear();
    inTransaction.clear();
    coordinatorWork = false;
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
