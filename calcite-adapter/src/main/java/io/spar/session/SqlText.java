package io.spar.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lexical facts about SQL text that Spar needs before parsing it: the first keyword of each
 * statement in a string that may hold several, skipping literals, quoted identifiers, dollar
 * quotes and comments.
 */
final class SqlText {
  private SqlText() {
  }

  /** Returns the first keyword, in lower case, of every statement in {@code sql}. */
  static List<String> statementKeywords(String sql) {
    List<String> keywords = new ArrayList<>();
    boolean expectKeyword = true;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == ';') {
        expectKeyword = true;
        i++;
      } else if (Character.isWhitespace(c) || c == '(') {
        i++;
      } else if (sql.startsWith("--", i)) {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
      } else if (sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '\'' || c == '"') {
        boolean escapes = c == '\'' && i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e');
        i = skipQuoted(sql, i, c, escapes);
        expectKeyword = false;
      } else if (c == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int end = sql.indexOf(tag, i + tag.length());
        i = end < 0 ? n : end + tag.length();
        expectKeyword = false;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
            || sql.charAt(i) == '$')) {
          i++;
        }
        if (expectKeyword) {
          keywords.add(sql.substring(start, i).toLowerCase(Locale.ROOT));
          expectKeyword = false;
        }
      } else {
        expectKeyword = false;
        i++;
      }
    }
    return keywords;
  }

  private static int skipQuoted(String sql, int from, char quote, boolean escapes) {
    int i = from + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (escapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return i;
  }

  /** Returns the dollar-quote tag ({@code $$} or {@code $name$}) starting at {@code i}, or null. */
  private static String dollarTag(String sql, int i) {
    int end = i + 1;
    while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end))
        || sql.charAt(end) == '_')) {
      end++;
    }
    if (end < sql.length() && sql.charAt(end) == '$'
        && (end == i + 1 || !Character.isDigit(sql.charAt(i + 1)))) {
      return sql.substring(i, end + 1);
    }
    return null;
  }
}
