package io.spar.parser;

import io.spar.outcome.SparErrors;
import java.sql.SQLException;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * Check that a statement numbers its parameters one way only: JDBC's {@code ?} or
 * PostgreSQL's {@code $n}.
 *
 * <p>Both become {@link SqlDynamicParam}s, {@code ?} numbered in order and {@code $n} as
 * {@code n - 1}, so a mix would silently give two parameters the same index.
 */
final class ParameterStyles {
  private ParameterStyles() {
  }

  /** Throws a syntax error if {@code statement}, parsed from {@code text}, mixes the styles. */
  static void check(SqlNode statement, String text) throws SQLException {
    // Most statements cannot mix, and the check below walks the whole tree.
    if (text.indexOf('?') < 0 || text.indexOf('$') < 0) {
      return;
    }
    int[] lineStarts = lineStarts(text);
    SqlDynamicParam[] first = new SqlDynamicParam[2];
    SqlDynamicParam[] conflict = new SqlDynamicParam[1];
    statement.accept(new SqlBasicVisitor<Void>() {
      @Override public Void visit(SqlDynamicParam param) {
        int style = text.charAt(offset(lineStarts, param.getParserPosition())) == '$' ? 1 : 0;
        first[style] = first[style] == null ? param : first[style];
        if (first[1 - style] != null && conflict[0] == null) {
          conflict[0] = param;
        }
        return null;
      }
    });
    if (conflict[0] != null) {
      SqlParserPos pos = conflict[0].getParserPosition();
      int start = offset(lineStarts, pos);
      int end = lineStarts[pos.getEndLineNum() - 1] + pos.getEndColumnNum();
      throw SparErrors.error(SparErrors.SYNTAX_ERROR,
          "syntax error at or near \"" + text.substring(start, end) + "\"",
          "A statement cannot use both $n and ? parameters.", null);
    }
  }

  private static int[] lineStarts(String text) {
    int lines = 1;
    for (int i = 0; i < text.length(); i++) {
      lines += text.charAt(i) == '\n' ? 1 : 0;
    }
    int[] starts = new int[lines];
    for (int i = 0, line = 1; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts[line++] = i + 1;
      }
    }
    return starts;
  }

  private static int offset(int[] lineStarts, SqlParserPos pos) {
    return lineStarts[pos.getLineNum() - 1] + pos.getColumnNum() - 1;
  }
}
