package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EXPLAIN of a statement through Spar: the distributed plan, as rows of a
 * {@code QUERY PLAN} column like PostgreSQL's.
 */
final class ExplainCommand {
  private static final Pattern PREFIX = Pattern.compile(
      "^\\s*EXPLAIN\\s+(?:PLAN\\s+FOR\\s+|\\((?:[^)]*)\\)\\s*|(?:ANALY[SZ]E\\s+|VERBOSE\\s+)*)",
      Pattern.CASE_INSENSITIVE);

  private ExplainCommand() {
  }

  /** Returns the statement that {@code sql} explains, if it is an EXPLAIN. */
  static Optional<String> explained(String sql) {
    Matcher matcher = PREFIX.matcher(sql);
    return matcher.find() ? Optional.of(sql.substring(matcher.end())) : Optional.empty();
  }

  /** Returns whether the EXPLAIN {@code sql} asks to run the statement (ANALYZE). */
  static boolean analyzes(String sql) {
    Matcher matcher = PREFIX.matcher(sql);
    if (!matcher.find()) {
      return false;
    }
    String options = matcher.group().toLowerCase(java.util.Locale.ROOT);
    return options.matches("(?s).*\\banaly[sz]e\\b(?!\\s+(?:false|off|0)\\b).*");
  }

  /** Returns the plan lines as a result. */
  static StatementResult result(List<String> lines) throws SQLException {
    ColumnInfo column = new ColumnInfo("QUERY PLAN", Types.VARCHAR, "text", Integer.MAX_VALUE, 0,
        0, String.class.getName());
    List<Object[]> rows = new ArrayList<>();
    for (String each : lines) {
      rows.add(new Object[] {each});
    }
    return StatementResult.ofRows(new RowSet(List.of(column), rows));
  }
}
