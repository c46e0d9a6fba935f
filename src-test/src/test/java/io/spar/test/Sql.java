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
}
