package io.spar.pgwire;

import io.spar.parser.SqlTokens;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the protocol layer needs to know of one statement's text, read from its tokens once per
 * statement (a prepared statement's executions reuse it): its JDBC form, its command tag, and
 * how it touches transactions and reported settings.
 *
 * @param sql the text as the client sent it
 * @param jdbc the text as Spar's session takes it, with its parameter order
 * @param tag what its CommandComplete tag depends on
 * @param statements how many statements the text holds (0 for an empty query)
 * @param keyword its first keyword in lower case, or empty
 * @param setsReported whether it may change a setting that ParameterStatus reports
 */
record StatementText(String sql, Placeholders jdbc, CommandTags.Tag tag, int statements,
    String keyword, boolean setsReported) {
  private static final Set<String> TRANSACTION_CONTROL = Set.of("begin", "start", "commit",
      "end", "rollback", "abort", "savepoint", "release", "prepare");
  /** Statements that only read (a WITH may hold a modification, so it is none of them). */
  private static final Set<String> QUERIES = Set.of("select", "values", "table", "show");
  /** Statements after which a reported setting may differ (SET LOCAL ends with its block). */
  private static final Set<String> CHANGES_SETTINGS = Set.of("set", "reset", "commit",
      "rollback", "abort", "end", "discard", "do", "call");

  /** Reads {@code sql}. */
  static StatementText of(String sql) {
    List<SqlTokens.Token> tokens = SqlTokens.of(sql);
    int statements = 0;
    boolean inStatement = false;
    String keyword = "";
    boolean setConfig = false;
    for (SqlTokens.Token each : tokens) {
      if (each.isSymbol(";")) {
        inStatement = false;
        continue;
      }
      if (!inStatement) {
        inStatement = true;
        statements++;
        if (statements == 1 && each.kind() == SqlTokens.Kind.WORD) {
          keyword = each.text().toLowerCase(Locale.ROOT);
        }
      }
      setConfig |= "set_config".equals(each.name());
    }
    return new StatementText(sql, Placeholders.of(sql, tokens, keyword.equals("prepare")),
        CommandTags.of(tokens), statements, keyword,
        setConfig || CHANGES_SETTINGS.contains(keyword));
  }

  /** Returns whether the statement begins, ends or marks a transaction itself. */
  boolean controlsTransactions() {
    return TRANSACTION_CONTROL.contains(keyword);
  }

  /** Returns whether the statement only reads: SELECT, VALUES, TABLE or SHOW. */
  boolean isQuery() {
    return QUERIES.contains(keyword);
  }

  /** Returns whether the statement is COPY. */
  boolean isCopy() {
    return keyword.equals("copy");
  }
}
