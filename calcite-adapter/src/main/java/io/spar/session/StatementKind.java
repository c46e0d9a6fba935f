package io.spar.session;

import java.util.Locale;
import java.util.Set;

/**
 * Kind of a SQL statement, told from its first keyword before any parsing.
 *
 * <p>Only queries and modifications go through Calcite's parser; DDL and session commands keep
 * PostgreSQL's full grammar by going to the coordinator as written.
 */
public enum StatementKind {
  /** SELECT, WITH, VALUES or TABLE. */
  QUERY,
  /** INSERT, UPDATE or DELETE. */
  MODIFICATION,
  /** CREATE, DROP, ALTER and other definitions. */
  DDL,
  /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT and other transaction control. */
  TRANSACTION_CONTROL,
  /** EXPLAIN. */
  EXPLAIN,
  /** Anything else (SET, SHOW, RESET, …), run on the coordinator session. */
  OTHER;

  private static final Set<String> QUERIES = Set.of("select", "with", "values", "table");
  private static final Set<String> MODIFICATIONS = Set.of("insert", "update", "delete");
  private static final Set<String> DEFINITIONS =
      Set.of("create", "drop", "alter", "truncate", "comment", "grant", "revoke", "reindex");
  private static final Set<String> TRANSACTIONS = Set.of("begin", "start", "commit", "end",
      "rollback", "abort", "savepoint", "release", "prepare");

  /** Returns the kind of {@code sql}, judged by its first keyword. */
  public static StatementKind of(String sql) {
    String keyword = firstKeyword(sql);
    if (QUERIES.contains(keyword)) {
      return QUERY;
    }
    if (MODIFICATIONS.contains(keyword)) {
      return MODIFICATION;
    }
    if (DEFINITIONS.contains(keyword)) {
      return DDL;
    }
    if (TRANSACTIONS.contains(keyword)) {
      return TRANSACTION_CONTROL;
    }
    return keyword.equals("explain") ? EXPLAIN : OTHER;
  }

  /** Returns the first keyword of {@code sql} in lower case, skipping comments and parentheses. */
  static String firstKeyword(String sql) {
    int i = skipNoise(sql, 0);
    int start = i;
    while (i < sql.length() && Character.isLetter(sql.charAt(i))) {
      i++;
    }
    return sql.substring(start, i).toLowerCase(Locale.ROOT);
  }

  private static int skipNoise(String sql, int from) {
    int i = from;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == '(') {
        i++;
      } else if (sql.startsWith("--", i)) {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? sql.length() : end + 1;
      } else if (sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? sql.length() : end + 2;
      } else {
        break;
      }
    }
    return i;
  }
}
