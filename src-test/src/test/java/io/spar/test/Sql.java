package io.spar.test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Short forms of the JDBC calls the end-to-end tests make on any connection, Spar's or a
 * node's.
 */
public final class Sql {
  private Sql() {
  }

  /** Runs {@code sql}. */
  public static void run(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Runs the modification {@code sql} and returns its update count. */
  public static int update(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      return statement.executeUpdate(sql);
    }
  }

  /** Returns the first column of the first row of {@code sql} as a number. */
  public static long count(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      if (!rs.next()) {
        throw new AssertionError("no row from " + sql);
      }
      return rs.getLong(1);
    }
  }

  /** Returns the first column of every row of {@code sql} as text. */
  public static List<String> strings(Connection connection, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** Returns the first column of every row of {@code sql} as numbers. */
  public static List<Long> longs(Connection connection, String sql) throws SQLException {
    List<Long> values = new ArrayList<>();
    for (String each : strings(connection, sql)) {
      values.add(Long.parseLong(each));
    }
    return values;
  }

  /**
   * Returns what {@code sql} answers, for comparing two servers: its update count, or its
   * column labels and types and each row's text values, sorted unless the statement orders
   * them (RETURNING of several shards, say, promises no order).
   */
  public static List<String> outcome(Connection connection, String sql) throws SQLException {
    List<String> result = new ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      if (!statement.execute(sql)) {
        result.add("count " + statement.getUpdateCount());
        return result;
      }
      try (ResultSet rs = statement.getResultSet()) {
        java.sql.ResultSetMetaData meta = rs.getMetaData();
        StringBuilder labels = new StringBuilder("columns");
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          labels.append(' ').append(meta.getColumnLabel(i)).append(':')
              .append(meta.getColumnTypeName(i));
        }
        result.add(labels.toString());
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
          StringBuilder row = new StringBuilder();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.append(rs.getString(i)).append('|');
          }
          rows.add(row.toString());
        }
        if (!sql.contains("ORDER BY")) {
          rows.sort(null);
        }
        result.addAll(rows);
      }
    }
    return result;
  }
}
