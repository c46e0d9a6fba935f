package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one session knows of its {@link WorkerSettings}: their current values, read from the
 * coordinator only after the session's state may have changed, and which of the worker
 * connections it holds were given them.
 *
 * <p>A worker connection is brought up to date when a statement is about to run on it: when it
 * was just borrowed, or when the settings may have changed while it was held. Sessions with the
 * defaults pay nothing. A connection that was ever given a setting counts as changed until it
 * goes back to its pool, where it is reset: a rollback on the worker may revert what was set,
 * or revert a reset to an earlier value, so only a reset at the end is sure to leave nothing
 * behind for the next session.
 */
final class WorkerSettingsTracker {
  private WorkerSettings current;
  /** Grows with every possible change; a held connection is up to date at the current one. */
  private long generation;
  private final Map<NodeAddress, Long> upToDate = new HashMap<>();
  private final Set<NodeAddress> changed = new HashSet<>();

  /** Notes that the session's settings may have changed, so that they are read again. */
  void invalidate() {
    current = null;
    generation++;
  }

  /** Where the session's settings are read. */
  @FunctionalInterface
  interface Coordinator {
    Connection connection() throws SQLException;
  }

  /**
   * Returns the session's settings, read from the {@code coordinator} connection (borrowed only
   * then) if they may have changed.
   */
  WorkerSettings current(Coordinator coordinator) throws SQLException {
    if (current == null) {
      current = WorkerSettings.of(coordinator.connection());
    }
    return current;
  }

  /** Returns whether the settings are known to be up to date on {@code node}'s connection. */
  boolean isUpToDate(NodeAddress node) {
    Long seen = upToDate.get(node);
    return seen != null && seen == generation;
  }

  /** Gives {@code worker}, the session's connection to {@code node}, the settings {@code now}. */
  void bringUpToDate(NodeAddress node, Connection worker, WorkerSettings now)
      throws SQLException {
    if (!now.isDefault()) {
      changed.add(node);
      now.applyTo(worker);
    } else if (changed.contains(node)) {
      WorkerSettings.reset(worker);
    }
    upToDate.put(node, generation);
  }

  /**
   * Forgets {@code node}'s connection, which goes back to its pool; returns whether it must be
   * reset first.
   */
  boolean forget(NodeAddress node) {
    upToDate.remove(node);
    return changed.remove(node);
  }
}
