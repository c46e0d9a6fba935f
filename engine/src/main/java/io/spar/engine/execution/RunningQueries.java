package io.spar.engine.execution;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.postgresql.PGConnection;

/**
 * The node connections one session's running statement uses, its own and pooled ones, so that
 * cancelling the statement reaches every node it runs on, as {@code Statement.cancel()} and
 * query timeouts need.
 *
 * <p>A connection is forgotten before it goes back to its pool, under the same lock as a
 * cancel, so a cancel never reaches another session's statement. Cancelling a connection that
 * is between queries does nothing; the statement then fails at its next query only if the cancel
 * arrives while that query runs, as with pgjdbc.
 */
public final class RunningQueries {
  private final Set<Connection> connections = Collections.newSetFromMap(new IdentityHashMap<>());
  private long statement;
  private boolean running;

  /** Notes that the session's next statement starts; returns its number. */
  public synchronized long begin() {
    running = true;
    return ++statement;
  }

  /** Notes that the session's statement ended. */
  public synchronized void end() {
    running = false;
  }

  /** Notes that {@code connection} works for the session now. */
  synchronized void started(Connection connection) {
    connections.add(connection);
  }

  /** Notes that {@code connection} no longer works for the session. */
  synchronized void ended(Connection connection) {
    connections.remove(connection);
  }

  /** Cancels the running statement, if any, on every node it uses. */
  public synchronized void cancel() {
    if (running) {
      cancelAll();
    }
  }

  /** Cancels statement {@code number} if it still runs (for a timeout that fired late). */
  public synchronized void cancel(long number) {
    if (running && statement == number) {
      cancelAll();
    }
  }

  private void cancelAll() {
    for (Connection each : connections) {
      try {
        each.unwrap(PGConnection.class).cancelQuery();
      } catch (SQLException e) {
        // A connection that cannot be reached has no query left to cancel.
      }
    }
  }
}
