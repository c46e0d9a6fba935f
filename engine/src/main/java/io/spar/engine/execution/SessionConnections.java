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
 *
 * <p>A worker connection that runs the session's statements carries the session's
 * {@link WorkerSettings}, and gets its own defaults back before it returns to the pool.
 */
public final class SessionConnections implements AutoCloseable {
  private final NodePools pools;
  private final NodeAddress coordinatorNode;
  private final Map<NodeAddress, Connection> workers = new LinkedHashMap<>();
  private final WorkerSettingsTracker settings = new WorkerSettingsTracker();
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
   * Returns the session's connection to {@code node} for one of the session's statements: a
   * worker's carries the session's current {@link WorkerSettings}.
   */
  public Connection forStatement(NodeAddress node) throws SQLException {
    Connection connection = connection(node);
    if (!node.equals(coordinatorNode) && !settings.isUpToDate(node)) {
      settings.bringUpToDate(node, connection, workerSettings());
    }
    return connection;
  }

  /**
   * Returns the session's current {@link WorkerSettings}, which a pooled connection must carry
   * while it runs one of the session's statements.
   */
  public WorkerSettings workerSettings() throws SQLException {
    return settings.current(coordinator());
  }

  /**
   * Notes that the session's state may have changed (a {@code SET}, a transaction end that
   * reverted one): the settings are read again before the next worker statement.
   */
  public void sessionStateChanged() {
    settings.invalidate();
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
      giveBack(node, connection);
    }
  }

  /** Returns every worker connection to its pool, rolling back what they have open. */
  public void releaseWorkers() {
    for (Map.Entry<NodeAddress, Connection> each : workers.entrySet()) {
      giveBack(each.getKey(), each.getValue());
    }
    workers.clear();
  }

  /** Returns a worker connection to its pool, reset, or evicted if it cannot be reset. */
  private void giveBack(NodeAddress node, Connection connection) {
    boolean changed = settings.forget(node);
    reset(connection);
    if (changed) {
      try {
        WorkerSettings.reset(connection);
      } catch (SQLException e) {
        // Another session must not inherit this session's limits.
        pools.evict(node, connection);
      }
    }
    closeQuietly(connection);
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
