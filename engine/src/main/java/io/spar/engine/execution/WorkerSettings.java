package io.spar.engine.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The limits of a session that its statements carry to the workers: {@code statement_timeout}
 * and {@code lock_timeout}, as the session's coordinator connection has them.
 *
 * <p>On one PostgreSQL server these bound every statement of the session and every lock wait;
 * a statement of a distributed table does its work and waits for its locks on the workers, so
 * the worker connections it runs on must carry them too. Each shard statement is bounded on its
 * own, as PostgreSQL bounds each statement a client sends.
 *
 * @param statementTimeout the session's {@code statement_timeout}, as {@code SHOW} gives it
 * @param lockTimeout the session's {@code lock_timeout}, as {@code SHOW} gives it
 */
public record WorkerSettings(String statementTimeout, String lockTimeout) {
  /** PostgreSQL's defaults: no limit on statements or lock waits. */
  public static final WorkerSettings DEFAULTS = new WorkerSettings("0", "0");

  private static final String READ = "SELECT pg_catalog.current_setting('statement_timeout'),"
      + " pg_catalog.current_setting('lock_timeout')";
  private static final String APPLY = "SELECT pg_catalog.set_config('statement_timeout', ?, false),"
      + " pg_catalog.set_config('lock_timeout', ?, false)";
  private static final String RESET = "RESET statement_timeout; RESET lock_timeout";

  /** Returns the settings the session on {@code coordinator} has now. */
  public static WorkerSettings of(Connection coordinator) throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(READ)) {
      rs.next();
      WorkerSettings read = new WorkerSettings(rs.getString(1), rs.getString(2));
      return read.equals(DEFAULTS) ? DEFAULTS : read;
    }
  }

  /** Returns whether these are PostgreSQL's defaults, which a worker connection has already. */
  public boolean isDefault() {
    return equals(DEFAULTS);
  }

  /** Gives {@code worker} these settings for the rest of its session, or until reset. */
  public void applyTo(Connection worker) throws SQLException {
    try (PreparedStatement statement = worker.prepareStatement(APPLY)) {
      statement.setString(1, statementTimeout);
      statement.setString(2, lockTimeout);
      statement.executeQuery().close();
    }
  }

  /** Gives {@code worker} back its own defaults, before another session may borrow it. */
  public static void reset(Connection worker) throws SQLException {
    try (Statement statement = worker.createStatement()) {
      statement.execute(RESET);
    }
  }
}
