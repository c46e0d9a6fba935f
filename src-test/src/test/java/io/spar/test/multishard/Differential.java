package io.spar.test.multishard;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.postgresql.util.PGobject;

/**
 * Runs one query on Spar and on plain PostgreSQL and describes how the outcomes differ: column
 * labels, column types, rows (in order, or as multisets) and, for failures, SQLState and
 * message.
 *
 * <p>Values are compared in typed forms that keep what a client sees: a {@code numeric}'s
 * scale ({@code 1.50} is not {@code 1.5}), integer widths, array text. Floating-point values
 * are compared to 12 significant digits, since PostgreSQL's own sums depend on the order rows
 * are added in.
 */
final class Differential {
  /** What one connection answered. */
  record Outcome(List<String> labels, List<String> types, List<String> rows, String sqlState,
      String message) {
    boolean failed() {
      return sqlState != null;
    }
  }

  private Differential() {
  }

  /** Runs {@code sql} on {@code connection}. */
  static Outcome run(Connection connection, String sql) {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> labels = new ArrayList<>();
      List<String> types = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        labels.add(meta.getColumnLabel(i));
        types.add(meta.getColumnTypeName(i));
      }
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= labels.size(); i++) {
          row.append(i == 1 ? "" : " | ").append(normalize(rs.getObject(i)));
        }
        rows.add(row.toString());
      }
      return new Outcome(labels, types, rows, null, null);
    } catch (SQLException e) {
      return new Outcome(List.of(), List.of(), List.of(), String.valueOf(e.getSQLState()),
          firstLine(e.getMessage()));
    }
  }

  /** Returns how {@code actual} differs from {@code expected}, or null if it does not. */
  static String difference(Outcome expected, Outcome actual, boolean ordered) {
    if (expected.failed() || actual.failed()) {
      if (expected.failed() && actual.failed()
          && expected.sqlState().equals(actual.sqlState())
          && withoutShardIds(expected.message()).equals(withoutShardIds(actual.message()))) {
        return null;
      }
      return "PostgreSQL: " + describe(expected) + "\n  Spar:       " + describe(actual);
    }
    if (!expected.labels().equals(actual.labels())) {
      return "labels: PostgreSQL " + expected.labels() + ", Spar " + actual.labels();
    }
    if (!expected.types().equals(actual.types())) {
      return "types: PostgreSQL " + expected.types() + ", Spar " + actual.types();
    }
    List<String> want = new ArrayList<>(expected.rows());
    List<String> got = new ArrayList<>(actual.rows());
    if (!ordered) {
      Collections.sort(want);
      Collections.sort(got);
    }
    if (want.equals(got)) {
      return null;
    }
    StringBuilder out = new StringBuilder("rows (" + (ordered ? "in order" : "as multisets")
        + "): PostgreSQL " + want.size() + ", Spar " + got.size());
    int shown = 0;
    for (int i = 0; i < Math.max(want.size(), got.size()) && shown < 6; i++) {
      String w = i < want.size() ? want.get(i) : "<none>";
      String g = i < got.size() ? got.get(i) : "<none>";
      if (!w.equals(g)) {
        out.append("\n    row ").append(i).append(": PostgreSQL ").append(w)
            .append("\n           Spar       ").append(g);
        shown++;
      }
    }
    return out.toString();
  }

  private static String describe(Outcome outcome) {
    return outcome.failed() ? "error " + outcome.sqlState() + ": " + outcome.message()
        : outcome.rows().size() + " rows " + outcome.labels();
  }

  /** Drops the shard ids from relation names such as {@code ms_orders_102008}. */
  private static String withoutShardIds(String message) {
    return message == null ? "" : message.replaceAll("_\\d{6,}", "");
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  static String normalize(Object value) {
    try {
      if (value == null) {
        return "NULL";
      }
      if (value instanceof BigDecimal decimal) {
        return "numeric:" + decimal.toPlainString();
      }
      if (value instanceof Double || value instanceof Float) {
        double d = ((Number) value).doubleValue();
        return "float:" + (Double.isFinite(d) && d != 0 ? String.format("%.12g", d) : d);
      }
      if (value instanceof Array array) {
        return "array:" + array;
      }
      if (value instanceof PGobject object) {
        return object.getType() + ":" + object.getValue();
      }
      if (value instanceof OffsetDateTime dateTime) {
        return "timestamptz:" + dateTime.toInstant();
      }
      return value.getClass().getSimpleName() + ":" + value;
    } catch (RuntimeException e) {
      return "unprintable " + value.getClass().getSimpleName();
    }
  }
}
