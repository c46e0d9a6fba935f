package io.spar.cli;

import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Prints result sets as {@code |}-separated lines with a header and a row count. */
final class ResultPrinter {
  private ResultPrinter() {
  }

  /** Prints every row of {@code rs} to {@code out}. */
  static void print(ResultSet rs, PrintStream out) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    int columns = meta.getColumnCount();
    List<String> header = new ArrayList<>();
    for (int i = 1; i <= columns; i++) {
      header.add(meta.getColumnLabel(i));
    }
    out.println(String.join(" | ", header));
    int rows = 0;
    while (rs.next()) {
      List<String> values = new ArrayList<>();
      for (int i = 1; i <= columns; i++) {
        values.add(String.valueOf(rs.getString(i)));
      }
      out.println(String.join(" | ", values));
      rows++;
    }
    out.println("(" + rows + (rows == 1 ? " row)" : " rows)"));
  }
}
