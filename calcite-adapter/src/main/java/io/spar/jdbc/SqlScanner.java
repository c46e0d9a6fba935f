package io.spar.jdbc;

import io.spar.parser.SqlTokens;
import java.util.Locale;

/**
 * What the JDBC layer reads from statement text before Spar plans it: the number of parameter
 * markers and the leading keyword, found on {@link SqlTokens} so that literals, quoted
 * identifiers, dollar quotes and comments are skipped as PostgreSQL skips them.
 */
final class SqlScanner {
  private SqlScanner() {
  }

  /**
   * Returns the number of parameters of {@code sql}: its {@code ?} markers, or when it has none,
   * the highest {@code $n} it refers to.
   */
  static int countParameters(String sql) {
    int questionMarks = 0;
    int highestDollar = 0;
    for (SqlTokens.Token each : SqlTokens.of(sql)) {
      if (each.kind() != SqlTokens.Kind.PARAMETER) {
        continue;
      }
      if (each.text().equals("?")) {
        questionMarks++;
      } else {
        highestDollar = Math.max(highestDollar, dollarNumber(each.text()));
      }
    }
    return questionMarks > 0 ? questionMarks : highestDollar;
  }

  private static int dollarNumber(String marker) {
    try {
      return Integer.parseInt(marker.substring(1));
    } catch (NumberFormatException e) {
      return 0; // absurdly large; the server will reject the statement
    }
  }

  /**
   * Returns the first keyword of {@code sql} in upper case, skipping comments and opening
   * parentheses, or an empty string if it starts with something else.
   */
  static String leadingKeyword(String sql) {
    for (SqlTokens.Token each : SqlTokens.of(sql)) {
      if (!each.text().equals("(")) {
        return each.kind() == SqlTokens.Kind.WORD ? each.text().toUpperCase(Locale.ROOT) : "";
      }
    }
    return "";
  }

  /** Returns whether {@code sql} is an INSERT, UPDATE, DELETE or MERGE statement. */
  static boolean isModification(String sql) {
    return switch (leadingKeyword(sql)) {
      case "INSERT", "UPDATE", "DELETE", "MERGE" -> true;
      default -> false;
    };
  }
}
