package io.spar.engine.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The settings of a session that its statements carry to the workers, as the session's
 * coordinator connection has them: the limits {@code statement_timeout} and {@code lock_timeout},
 * and the settings that decide what a statement computes and prints, {@code TimeZone},
 * {@code DateStyle} and {@code IntervalStyle}.
 *
 * <p>On one PostgreSQL server these apply to every statement of the session; a statement of a
 * distributed table does its work on the workers, so the worker connections it runs on must
 * carry them too. Each shard statement is bounded on its own, as PostgreSQL bounds each
 * statement a client sends. The display settings count as changed when they differ from the
 * coordinator connection's own defaults, which pooled worker connections share (pgjdbc opens
 * every connection of the JVM with the same ones).
 *
 * @param statementTimeout the session's {@code statement_timeout}, as {@code SHOW} gives it
 * @param lockTimeout the session's {@code lock_timeout}, as {@code SHOW} gives it
 * @param timeZone the session's {@code TimeZone}
 * @param dateStyle the session's {@code DateStyle}
 * @param intervalStyle the session's {@code IntervalStyle}
 * @param displayChanged whether any of the last three differs from the connection's default
 */
public record WorkerSettings(String statementTimeout, String lockTimeout, String timeZone,
    String dateStyle, String intervalStyle, boolean displayChanged) {
  /** PostgreSQL's defaults, and the connection's own display settings. */
  public static final WorkerSettings DEFAULTS =
      new WorkerSettings("0", "0", null, null, null, false);

  private static final String READ = "SELECT pg_catalog.current_setting('statement_timeout'),"
      + " pg_catalog.current_setting('lock_timeout'), pg_catalog.current_setting('TimeZone'),"
      + " pg_catalog.current_setting('DateStyle'), pg_catalog.current_setting('IntervalStyle'),"
      + " (SELECT pg_catalog.bool_or(setting IS DISTINCT FROM reset_val)"
      + " FROM pg_catalog.pg_settings WHERE name IN ('TimeZone', 'DateStyle', 'IntervalStyle')),"
      + " pg_catalog.current_setting('standard_conforming_strings')";
  private static final String APPLY = "SELECT pg_catalog.set_config('statement_timeout', ?, false),"
      + " pg_catalog.set_config('lock_timeout', ?, false)";
  private static final String APPLY_DISPLAY = APPLY
      + ", pg_catalog.set_config('TimeZone', ?, false), pg_catalog.set_config('DateStyle', ?, false),"
      + " pg_catalog.set_config('IntervalStyle', ?, false)";
  private static final String RESET = "RESET statement_timeout; RESET lock_timeout;"
      + " RESET TimeZone; RESET DateStyle; RESET IntervalStyle";

  /**
   * Returns the settings the session on {@code coordinator} has now.
   *
   * @throws SQLException 0A000 if the session has turned {@code standard_conforming_strings}
   *     off: the workers would read the backslashes of the statement texts Spar sends them
   *     otherwise than the session wrote them, and store or compare other strings
   */
  public static WorkerSettings of(Connection coordinator) throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(READ)) {
      rs.next();
      if ("off".equals(rs.getString(7))) {
        throw new SQLException("standard_conforming_strings = off is not supported in"
            + " statements on distributed tables (SET standard_conforming_strings = on)",
            "0A000");
      }
      boolean displayChanged = rs.getBoolean(6);
      WorkerSettings read = displayChanged
          ? new WorkerSettings(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getString(5), true)
          : new WorkerSettings(rs.getString(1), rs.getString(2), null, null, null, false);
      return read.equals(DEFAULTS) ? DEFAULTS : read;
    }
  }

  /** Returns whether these are a new connection's settings, which a worker connection has. */
  public boolean isDefault() {
    return equals(DEFAULTS);
  }

  /** Gives {@code worker} these settings for the rest of its session, or until reset. */
  public void applyTo(Connection worker) throws SQLException {
    try (PreparedStatement statement =
        worker.prepareStatement(displayChanged ? APPLY_DISPLAY : APPLY)) {
      statement.setString(1, statementTimeout);
      statement.setString(2, lockTimeout);
      if (displayChanged) {
        statement.setString(3, timeZone);
        statement.setString(4, dateStyle);
        statement.setString(5, intervalStyle);
      }
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
