package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Execution of one shard write on one placement, inside the node connection's transaction.
 */
final class PlacementWrite {
  /**
   * Most rows one multi-row INSERT carries: enough that a batch costs a round trip per few
   * hundred rows, few enough that PostgreSQL parses and plans the statement quickly.
   */
  private static final int MAX_ROWS_PER_INSERT = 1_000;
  /** Most parameters of one statement: PostgreSQL's protocol counts them in 16 bits. */
  private static final int MAX_PARAMETERS = 32_767;

  private PlacementWrite() {
  }

  /** Update counts per parameter set, and the rows a single statement returned, if any. */
  record Outcome(long[] counts, RowSet rows) {
  }

  /**
   * Runs {@code write} on {@code connection}: in autocommit mode if {@code autocommit}, else in
   * the connection's transaction (opened if needed); a placement of a replicated shard first
   * takes the shard lock of the write's class. Returned rows are read in {@code form}.
   */
  static Outcome run(Connection connection, ShardWrite write, StatementLog log, NodeAddress node,
      boolean replicated, boolean autocommit, ValueForm form) throws SQLException {
    try {
      return runOnce(connection, write, log, node, replicated, autocommit, form);
    } catch (SQLException e) {
      // A cancel the session did not ask for: perhaps a fence (see WriteCancelled).
      if ("57014".equals(e.getSQLState()) && e.getMessage() != null
          && e.getMessage().contains("user request")) {
        throw new WriteCancelled(write.shard(), e);
      }
      throw e;
    }
  }

  private static Outcome runOnce(Connection connection, ShardWrite write, StatementLog log,
      NodeAddress node, boolean replicated, boolean autocommit, ValueForm form)
      throws SQLException {
    if (connection.getAutoCommit() != autocommit) {
      connection.setAutoCommit(autocommit);
    }
    String lock = replicated
        ? write.writeClass().lockStatement(write.shard().id(), write.readShards()) : null;
    if (lock != null) {
      log.record(node, write.shard().id(), lock);
    }
    List<List<Object>> sets = write.parameterSets();
    if (write.rowsText() != null && sets.size() > 1) {
      takeLock(connection, lock);
      return new Outcome(insertRows(connection, write, sets, log, node), null);
    }
    log.record(node, write.shard().id(), write.sql());
    if (sets.size() == 1) {
      // The lock rides in the write's round trip: pgjdbc sends both statements before one
      // Sync, and PostgreSQL runs the write only if the lock was taken. No space follows the
      // semicolon, so that the workers' pg_stat_activity shows the write's text as before.
      String sql = lock == null ? write.sql() : lock + ";" + write.sql();
      try (PreparedStatement statement = Statements.prepare(connection, sql, sets.get(0))) {
        boolean returnsRows = statement.execute();
        if (lock != null) {
          returnsRows = statement.getMoreResults();
        }
        if (returnsRows) {
          try (ResultSet resultSet = statement.getResultSet()) {
            RowSet rows = form.reader().read(resultSet);
            return new Outcome(new long[] {rows.rows().size()}, rows);
          }
        }
        return new Outcome(new long[] {statement.getLargeUpdateCount()}, null);
      }
    }
    takeLock(connection, lock);
    try (PreparedStatement statement = connection.prepareStatement(write.sql())) {
      for (List<Object> each : sets) {
        Statements.bind(statement, each);
        statement.addBatch();
      }
      return new Outcome(statement.executeLargeBatch(), null);
    }
  }

  /** Takes the shard lock {@code lock} (a statement; none if null) in its own round trip. */
  private static void takeLock(Connection connection, String lock) throws SQLException {
    if (lock != null) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(lock);
      }
    }
  }

  /**
   * Inserts a batch of one-row INSERTs as multi-row INSERTs, which PostgreSQL runs in far less
   * time than the rows one by one; returns each row's count. A plain INSERT inserts its row or
   * fails, unless a trigger skips it: then the counts of that statement's rows are unknown.
   */
  private static long[] insertRows(Connection connection, ShardWrite write,
      List<List<Object>> sets, StatementLog log, NodeAddress node) throws SQLException {
    ShardWrite.RowsText text = write.rowsText();
    long[] counts = new long[sets.size()];
    int perRow = Math.max(1, sets.get(0).size());
    int chunk = Math.min(MAX_ROWS_PER_INSERT, Math.max(1, MAX_PARAMETERS / perRow));
    for (int from = 0; from < sets.size(); from += chunk) {
      int rows = Math.min(chunk, sets.size() - from);
      List<Object> parameters = new ArrayList<>(rows * perRow);
      sets.subList(from, from + rows).forEach(parameters::addAll);
      long inserted;
      String sql = text.sql(rows);
      log.record(node, write.shard().id(), sql);
      try (PreparedStatement statement = Statements.prepare(connection, sql, parameters)) {
        inserted = statement.executeLargeUpdate();
      }
      Arrays.fill(counts, from, from + rows, inserted == rows ? 1 : Statement.SUCCESS_NO_INFO);
    }
    return counts;
  }
}
