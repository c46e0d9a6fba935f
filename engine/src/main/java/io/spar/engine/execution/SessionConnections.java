package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Connections one session holds: at most one per node, as a transaction needs.
 *
 * <p>The session holds its coordinator connection only while it needs it: while a statement or
 * a transaction block runs, and while the session has state that lives in that one backend
 * (temporary tables, prepared statements, cursors, LISTEN, advisory locks, sequence values,
 * custom settings, a role). Otherwise the session calls {@link #releaseCoordinator} after each
 * statement and borrows again for the next one; the settings it made with {@code SET} are read
 * before the connection goes back (and reset on it), and applied again to the next connection
 * it borrows, so the session sees them as on PostgreSQL. Worker connections stay for the
 * duration of one statement or transaction and then go back to the pool. Which of them have a
 * transaction open is the session's transaction's business, not this holder's.
 *
 * <p>A worker connection that runs the session's statements carries the session's
 * {@link WorkerSettings}, and gets its own defaults back before it returns to the pool.
 */
public final class SessionConnections implements AutoCloseable {
  /** Reads (and with release, resets) what the session left on its coordinator connection. */
  private static final String SESSION_STATE =
      "SELECT * FROM pgs_distribution_metadata.session_state(?, ?)";
  private static final String APPLY_SETTINGS = "SELECT pg_catalog.set_config(n, v, false)"
      + " FROM unnest(?::text[], ?::text[]) AS s(n, v)";

  private final NodePools pools;
  private final NodeAddress coordinatorNode;
  private final Runnable closed;
  private boolean open = true;
  private final Map<NodeAddress, Connection> workers = new LinkedHashMap<>();
  private final WorkerSettingsTracker settings = new WorkerSettingsTracker();
  private Connection coordinator;
  /** Whether statements other than Spar's own lookups ran on the coordinator connection. */
  private boolean coordinatorUsed;
  /**
   * Whether the session's settings were applied to its coordinator connection, which must then
   * be reset before it goes back to the pool even if no statement of the session's ran on it.
   */
  private boolean settingsApplied;
  /** Why the session keeps its coordinator connection; null when it need not. */
  private String keptFor;
  private String[] settingNames = new String[0];
  private String[] settingValues = new String[0];
  private final Set<String> customSettings = new TreeSet<>();
  private final RunningQueries running = new RunningQueries();
  private volatile ValueForm valueForm = ValueForm.OBJECTS;
  /** Whether the session holds one of the pools' tokens (see {@link #borrowForSession}). */
  private boolean token;

  /**
   * Creates an empty set of connections that borrows from {@code pools}, and runs
   * {@code closed} when it closes.
   */
  public SessionConnections(NodePools pools, NodeAddress coordinatorNode, Runnable closed) {
    this.pools = pools;
    this.coordinatorNode = coordinatorNode;
    this.closed = closed;
  }

  /**
   * Returns the session's coordinator connection for any statement, borrowing it (with the
   * session's settings) if the session holds none.
   */
  public Connection coordinator() throws SQLException {
    Connection connection = coordinatorForSpar();
    coordinatorUsed = true;
    return connection;
  }

  /**
   * Returns the session's coordinator connection for statements that leave no session state on
   * it: Spar's own (catalog lookups, current settings, describing a statement, commit records)
   * and queries that call no volatile function.
   */
  public Connection coordinatorForSpar() throws SQLException {
    if (coordinator == null || coordinator.isClosed()) {
      if (coordinator != null) {
        running.ended(coordinator);
        coordinator = null;
      }
      Connection connection = borrowForSession(coordinatorNode);
      if (settingNames.length > 0) {
        try (PreparedStatement apply = connection.prepareStatement(APPLY_SETTINGS)) {
          apply.setArray(1, connection.createArrayOf("text", settingNames));
          apply.setArray(2, connection.createArrayOf("text", settingValues));
          apply.execute();
        } catch (SQLException e) {
          closeQuietly(connection);
          throw e;
        }
        settingsApplied = true;
      }
      coordinator = connection;
      running.started(connection);
    }
    return coordinator;
  }

  /**
   * Borrows a connection to {@code node} for the session. One that holds a connection already
   * would wait for another while holding it, so it first takes a token, which lets it borrow
   * from the node's reserve and so never wait for a connection (see {@link FairPool}).
   */
  private Connection borrowForSession(NodeAddress node) throws SQLException {
    if (coordinator == null && workers.isEmpty()) {
      return pools.borrow(node);
    }
    if (!token) {
      token = pools.acquireToken();
    }
    return token ? pools.borrowWithToken(node) : pools.borrow(node);
  }

  /**
   * Gives the token back once the session holds at most one connection, and none of the
   * reserve: it no longer waits for a connection while holding another.
   */
  private void releaseTokenIfDone() {
    if (!token) {
      return;
    }
    int held = (coordinator != null ? 1 : 0) + workers.size();
    boolean reserved = coordinator != null && NodePools.fromReserve(coordinator)
        || workers.values().stream().anyMatch(NodePools::fromReserve);
    if (held <= 1 && !reserved) {
      token = false;
      pools.releaseToken();
    }
  }

  /** Returns the connections the session's running statement uses, for cancelling it. */
  public RunningQueries running() {
    return running;
  }

  /** Returns the form in which the session reads values. */
  public ValueForm valueForm() {
    return valueForm;
  }

  /**
   * Makes the session read values in {@code form}: {@link ValueForm#TEXT} for a session that
   * serves the PostgreSQL wire protocol.
   */
  public void setValueForm(ValueForm form) {
    this.valueForm = form;
  }

  /**
   * Notes that the session set the custom (dotted) setting {@code name}, which PostgreSQL does
   * not list among its settings: while it has a value, the session keeps its connection.
   */
  public void customSettingSet(String name) {
    customSettings.add(name);
  }

  /**
   * Returns the coordinator connection to the pool unless the session's state lives in it; for
   * a session between statements whose transaction is not open on the coordinator. The state is
   * read again only if a statement other than Spar's own lookups ran since it was last read.
   */
  public void releaseCoordinator() {
    if (coordinator == null) {
      return;
    }
    if (coordinatorUsed) {
      try {
        // Also resets the settings, unless the connection is kept.
        readSessionState();
      } catch (SQLException e) {
        // Unknown state must not be lost: the session keeps the connection, and a broken one
        // is replaced on next use.
        return;
      }
      coordinatorUsed = false;
      settingsApplied = false;
    }
    if (keptFor != null) {
      return;
    }
    if (settingsApplied) {
      // Only statements that leave no state ran: the settings are the ones applied, and
      // resetting them is cheaper than reading the session's state back.
      try (Statement statement = coordinator.createStatement()) {
        statement.execute("RESET ALL");
      } catch (SQLException e) {
        pools.evict(coordinatorNode, coordinator);
      }
      settingsApplied = false;
    }
    running.ended(coordinator);
    closeQuietly(coordinator);
    coordinator = null;
    releaseTokenIfDone();
  }

  private void readSessionState() throws SQLException {
    try (PreparedStatement read = coordinator.prepareStatement(SESSION_STATE)) {
      read.setBoolean(1, true);
      read.setArray(2, coordinator.createArrayOf("text", customSettings.toArray()));
      try (ResultSet state = read.executeQuery()) {
        state.next();
        settingNames = (String[]) state.getArray(1).getArray();
        settingValues = (String[]) state.getArray(2).getArray();
        keptFor = state.getString(3);
      }
    }
  }

  /** Returns whether the session holds a coordinator connection now. */
  public boolean holdsCoordinator() {
    return coordinator != null;
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
      connection = borrowForSession(node);
      workers.put(node, connection);
      running.started(connection);
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
    return settings.current(this::coordinatorForSpar);
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
    releaseTokenIfDone();
  }

  /** Returns every worker connection to its pool, rolling back what they have open. */
  public void releaseWorkers() {
    for (Map.Entry<NodeAddress, Connection> each : workers.entrySet()) {
      giveBack(each.getKey(), each.getValue());
    }
    workers.clear();
    releaseTokenIfDone();
  }

  /** Returns a worker connection to its pool, reset, or evicted if it cannot be reset. */
  private void giveBack(NodeAddress node, Connection connection) {
    running.ended(connection);
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
    if (open) {
      open = false;
      closed.run();
    }
    releaseWorkers();
    if (coordinator != null) {
      running.ended(coordinator);
    }
    if (coordinator != null && !coordinatorUsed && !settingsApplied && keptFor == null) {
      // Only lookups ran on it since it was borrowed clean: nothing to forget.
      closeQuietly(coordinator);
      coordinator = null;
    } else if (coordinator != null) {
      reset(coordinator);
      try (Statement statement = coordinator.createStatement()) {
        statement.execute("DISCARD ALL");
      } catch (SQLException e) {
        pools.evict(coordinatorNode, coordinator);
      }
      closeQuietly(coordinator);
      coordinator = null;
    }
    releaseTokenIfDone();
  }
}
