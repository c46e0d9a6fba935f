package io.spar.engine.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Preparation of node statements with their parameters bound.
 */
final class Statements {
  private Statements() {
  }

  /** Prepares {@code sql} on {@code connection} and binds {@code parameters} in order. */
  static PreparedStatement prepare(Connection connection, String sql, List<Object> parameters)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      bind(statement, parameters);
      return statement;
    } catch (SQLException e) {
      statement.close();
      throw e;
    }
  }

  /** Binds {@code parameters} to {@code statement}'s markers in order. */
  static void bind(PreparedStatement statement, List<Object> parameters) throws SQLException {
    for (int i = 0; i < parameters.size(); i++) {
      statement.setObject(i + 1, parameters.get(i));
    }
  }
}
