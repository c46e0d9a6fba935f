package io.spar.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry point of {@code bin/spar}.
 *
 * <ul>
 *   <li>{@code spar start [--data DIR] [--workers N]} starts the embedded default (a local
 *       coordinator plus workers), prints how to connect, and runs until interrupted;
 *   <li>{@code spar exec [--data DIR] [--workers N] SQL...} runs statements on it and prints
 *       their results.
 * </ul>
 */
public final class SparMain {
  private SparMain() {
  }

  /** Runs the command in {@code args}. */
  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(List.of(args));
    String command = rest.isEmpty() ? "start" : rest.remove(0);
    Path data = Path.of(option(rest, "--data", "spar-data")).toAbsolutePath();
    int workers = Integer.parseInt(option(rest, "--workers", "2"));
    String url = "jdbc:spar:local=" + data + ";workers=" + workers;
    switch (command) {
      case "start" -> start(url, data);
      case "exec" -> exec(url, rest, System.out);
      default -> {
        System.err.println("usage: spar start|exec [--data DIR] [--workers N] [SQL...]");
        System.exit(2);
      }
    }
  }

  private static String option(List<String> args, String name, String fallback) {
    int index = args.indexOf(name);
    if (index < 0 || index + 1 >= args.size()) {
      return fallback;
    }
    String value = args.get(index + 1);
    args.subList(index, index + 2).clear();
    return value;
  }

  private static void start(String url, Path data) throws SQLException, InterruptedException {
    try (Connection connection = DriverManager.getConnection(url)) {
      System.out.println("Spar is running on a local coordinator and workers in " + data);
      System.out.println("Connect from Java (spar-calcite-adapter on the classpath) with:");
      System.out.println("  " + url);
      System.out.println("or run statements with: bin/spar exec \"SELECT 1\"");
      System.out.println("Press Ctrl-C to stop.");
      new CountDownLatch(1).await();
    }
  }

  private static void exec(String url, List<String> statements, PrintStream out)
      throws SQLException {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        if (statement.execute(sql)) {
          try (ResultSet rs = statement.getResultSet()) {
            print(rs, out);
          }
        } else {
          out.println("UPDATE " + statement.getUpdateCount());
        }
      }
    }
  }

  private static void print(ResultSet rs, PrintStream out) throws SQLException {
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
