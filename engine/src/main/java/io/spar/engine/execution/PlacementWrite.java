package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Execution of one shard write on one placement, inside the node connection's transaction.
 */
final class PlacementWrite {
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
    if (replicated) {
      String lock = write.writeClass().lockStatement(write.shard().id(), write.readShards());
      log.record(node, write.shard().id(), lock);
      try (Statement statement = connection.createStatement()) {
        statement.execute(lock);
      }
    }
    log.record(node, write.shard().id(), write.sql());
    List<List<Object>> sets = write.parameterSets();
    if (sets.size() == 1) {
      try (PreparedStatement statement = Statements.prepare(connection, write.sql(), sets.get(0))) {
        if (statement.execute()) {
          try (ResultSet resultSet = statement.getResultSet()) {
            RowSet rows = form.reader().read(resultSet);
            return new Outcome(new long[] {rows.rows().size()}, rows);
          }
        }
        return new Outcome(new long[] {statement.getLargeUpdateCount()}, null);
      }
    }
    try (PreparedStatement statement = connection.prepareStatement(write.sql())) {
      for (List<Object> each : sets) {
        Statements.bind(statement, each);
        statement.addBatch();
      }
      return new Outcome(statement.executeLargeBatch(), null);
    }
  }
}
