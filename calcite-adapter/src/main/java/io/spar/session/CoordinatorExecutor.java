package io.spar.session;

import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.StatementLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Runner of statements on the session's coordinator connection, exactly as written: queries
 * and modifications of local tables, session commands, and DDL on the shell tables.
 */
public final class CoordinatorExecutor {
  private final SessionConnections connections;
  private final StatementLog log;

  /** Creates a runner over the session's coordinator connection. */
  public CoordinatorExecutor(SessionConnections connections, StatementLog log) {
    this.connections = connections;
    this.log = log;
  }

  /**
   * Runs the user's statement {@code sql} with {@code parameters} and returns its rows or
   * update count; inside a transaction it becomes part of the transaction's coordinator work.
   */
  public StatementResult execute(String sql, List<Object> parameters) throws SQLException {
    connections.markCoordinatorWork();
    return run(sql, parameters);
  }

  private StatementResult run(String sql, List<Object> parameters) throws SQLException {
    Connection connection = connections.coordinator();
    log.record(connections.coordinatorNode(), null, sql);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      if (statement.execute()) {
        try (ResultSet resultSet = statement.getResultSet()) {
          return StatementResult.ofRows(RowSet.read(resultSet));
        }
      }
      return StatementResult.ofCount(statement.getLargeUpdateCount());
    }
  }

  /**
   * Runs a query Spar needs (a catalog lookup, an expression to evaluate) on the coordinator
   * and returns its rows; it is not user work of the transaction.
   */
  public RowSet query(String sql, List<Object> parameters) throws SQLException {
    return run(sql, parameters).rows();
  }

  /** Runs a query Spar needs on the coordinator and returns its first row's values. */
  public Object[] firstRow(String sql, List<Object> parameters) throws SQLException {
    StatementResult result = run(sql, parameters);
    if (!result.hasRows() || result.rows().rows().isEmpty()) {
      throw new SQLException("query returned no rows: " + sql, "XX000");
    }
    return result.rows().rows().get(0);
  }
}
