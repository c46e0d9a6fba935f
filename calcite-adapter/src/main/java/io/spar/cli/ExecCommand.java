package io.spar.cli;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * {@code spar exec [--local DIR [--workers N] | --coordinator URL] SQL...}: runs statements on
 * an embedded Spar and prints their results.
 */
final class ExecCommand {
  private final PrintStream out;

  ExecCommand(PrintStream out) {
    this.out = out;
  }

  /** Runs the statements in {@code args}. */
  void run(List<String> args) throws SQLException {
    Options options = Options.parse(args, ClusterTarget.OPTIONS, Set.of());
    ClusterTarget target = ClusterTarget.from(options);
    try (Connection connection = DriverManager.getConnection(target.sparUrl(), new Properties());
        Statement statement = connection.createStatement()) {
      for (String sql : options.positional()) {
        if (statement.execute(sql)) {
          try (ResultSet rs = statement.getResultSet()) {
            ResultPrinter.print(rs, out);
          }
        } else {
          out.println("UPDATE " + statement.getUpdateCount());
        }
      }
    }
  }
}
