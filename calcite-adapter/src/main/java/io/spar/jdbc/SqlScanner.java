package io.spar.jdbc;

import java.util.Locale;

/**
 * Minimal lexical scanner of PostgreSQL SQL text that finds parameter markers and the leading
 * keyword while skipping string literals, quoted identifiers, dollar quotes and comments.
 *
 * <p>As in pgjdbc, {@code ??} stands for a literal {@code ?} (for jsonb operators) and is not a
 * parameter marker.
 */
final class SqlScanner {
  private final String sql;
  private int position;

  private SqlScanner(String sql) {
    this.sql = sql;
  }

  /**
   * Returns the number of parameters of {@code sql}: its {@code ?} markers, or when it has none,
   * the highest {@code $n} it refers to.
   */
  static int countParameters(String sql) {
    return new SqlScanner(sql).count();
  }

  /**
   * Returns the first keyword of {@code sql} in upper case, skipping comments and opening
   * parentheses, or an empty string if it starts with something else.
   */
  static String leadingKeyword(String sql) {
    SqlScanner scanner = new SqlScanner(sql);
    while (scanner.position < sql.length()) {
      char c = sql.charAt(scanner.position);
      if (Character.isWhitespace(c) || c == '(') {
        scanner.position++;
      } else if (!scanner.skipComment()) {
        break;
      }
    }
    int start = scanner.position;
    int end = start;
    while (end < sql.length() && Character.isLetter(sql.charAt(end))) {
      end++;
    }
    return sql.substring(start, end).toUpperCase(Locale.ROOT);
  }

  /** Returns whether {@code sql} is an INSERT, UPDATE, DELETE or MERGE statement. */
  static boolean isModification(String sql) {
    return switch (leadingKeyword(sql)) {
      case "INSERT", "UPDATE", "DELETE", "MERGE" -> true;
      default -> false;
    };
  }

  private int count() {
    int questionMarks = 0;
    int highestDollar = 0;
    while (position < sql.length()) {
      char c = sql.charAt(position);
      if (c == '?') {
        boolean escaped = position + 1 < sql.length() && sql.charAt(position + 1) == '?';
        questionMarks += escaped ? 0 : 1;
        position += escaped ? 2 : 1;
      } else if (c == '$' && !afterIdentifier() && nextIsDigit()) {
        highestDollar = Math.max(highestDollar, readDollarNumber());
      } else if (!skipComment() && !skipQuoted()) {
        position++;
      }
    }
    return questionMarks > 0 ? questionMarks : highestDollar;
  }

  private boolean nextIsDigit() {
    return position + 1 < sql.length() && Character.isDigit(sql.charAt(position + 1));
  }

  private int readDollarNumber() {
    int start = ++position;
    while (position < sql.length() && Character.isDigit(sql.charAt(position))) {
      position++;
    }
    try {
      return Integer.parseInt(sql.substring(start, position));
    } catch (NumberFormatException e) {
      return 0; // absurdly large; the server will reject the statement
    }
  }

  /** Skips a comment at the current position; returns false if there is none. */
  private boolean skipComment() {
    if (sql.startsWith("--", position)) {
      int end = sql.indexOf('\n', position);
      position = end < 0 ? sql.length() : end + 1;
      return true;
    }
    if (!sql.startsWith("/*", position)) {
      return false;
    }
    int depth = 0; // PostgreSQL block comments nest
    do {
      if (sql.startsWith("/*", position)) {
        depth++;
        position += 2;
      } else if (sql.startsWith("*/", position)) {
        depth--;
        position += 2;
      } else {
        position++;
      }
    } while (depth > 0 && position < sql.length());
    return true;
  }

  /** Skips a literal, quoted identifier or dollar quote; returns false if there is none. */
  private boolean skipQuoted() {
    char c = sql.charAt(position);
    if (c == '\'') {
      boolean backslashes = position > 0 && (sql.charAt(position - 1) == 'E'
          || sql.charAt(position - 1) == 'e') && (position < 2 || !isIdentifierChar(
          sql.charAt(position - 2)));
      skipDelimited('\'', backslashes);
      return true;
    }
    if (c == '"') {
      skipDelimited('"', false);
      return true;
    }
    return c == '$' && skipDollarQuote();
  }

  private void skipDelimited(char quote, boolean backslashEscapes) {
    position++;
    while (position < sql.length()) {
      char c = sql.charAt(position++);
      if (backslashEscapes && c == '\\') {
        position++;
      } else if (c == quote) {
        if (position < sql.length() && sql.charAt(position) == quote) {
          position++; // a doubled quote stands for itself
        } else {
          return;
        }
      }
    }
  }

  private boolean skipDollarQuote() {
    if (afterIdentifier()) {
      return false; // '$' inside an identifier such as a$b
    }
    int end = position + 1;
    while (end < sql.length() && isIdentifierChar(sql.charAt(end)) && sql.charAt(end) != '$') {
      end++;
    }
    if (end >= sql.length() || sql.charAt(end) != '$'
        || (end > position + 1 && Character.isDigit(sql.charAt(position + 1)))) {
      return false;
    }
    String tag = sql.substring(position, end + 1);
    int close = sql.indexOf(tag, end + 1);
    position = close < 0 ? sql.length() : close + tag.length();
    return true;
  }

  private boolean afterIdentifier() {
    return position > 0 && isIdentifierChar(sql.charAt(position - 1));
  }

  private static boolean isIdentifierChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
