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
  /** Sessions that run parts of this session's statement, such as each move of a rebalance. */
  private final Set<RunningQueries> helpers = Collections.newSetFromMap(new IdentityHashMap<>());
  private long statement;
  private boolean running;
  private boolean cancelled;

  /** Notes that the session's next statement starts; returns its number. */
  public synchronized long begin() {
    running = true;
    cancelled = false;
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

  /**
   * Makes a cancel of the running statement reach {@code connection} too, until the returned
   * registration is closed; for connections a long operation opens outside the session's pool.
   * Closing it waits for a cancel being delivered, so the connection's later queries are safe.
   */
  public Registration include(Connection connection) {
    started(connection);
    return () -> ended(connection);
  }

  /**
   * Makes a cancel of the running statement reach {@code helper}, the queries of another
   * session that runs part of it, until the returned registration is closed.
   */
  public synchronized Registration include(RunningQueries helper) {
    helpers.add(helper);
    return () -> {
      synchronized (this) {
        helpers.remove(helper);
      }
    };
  }

  /**
   * Throws PostgreSQL's 57014 if the running statement was cancelled; long operations call
   * it between their steps, where no query of theirs is there to be cancelled.
   */
  public synchronized void checkCancelled() throws SQLException {
    if (cancelled) {
      throw new SQLException("canceling statement due to user request", "57014");
    }
  }

  /** Returns whether the running (or last) statement was cancelled through this session. */
  public synchronized boolean wasCancelled() {
    return cancelled;
  }

  /** A connection or helper whose inclusion in the statement's cancel ends on close. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
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
    cancelled = true;
    for (RunningQueries each : helpers) {
      each.cancel();
    }
    for (Connection each : connections) {
      try {
        each.unwrap(PGConnection.class).cancelQuery();
      } catch (SQLException e) {
        // A connection that cannot be reached has no query left to cancel.
      }
    }
  }
}
