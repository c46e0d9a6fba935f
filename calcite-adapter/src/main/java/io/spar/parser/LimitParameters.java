package io.spar.parser;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlShuttle;

/**
 * PostgreSQL's {@code $n} parameters as the count of LIMIT, OFFSET and FETCH, where Calcite's
 * grammar takes only {@code ?}: the parser reads them as {@code ?} padded to the same length
 * (so that every position in the tree still points into the user's text), and they get their
 * own numbers back after parsing.
 */
final class LimitParameters {
  private final String text;
  private final Map<Integer, Integer> indexByOffset = new HashMap<>();

  private LimitParameters(String text) {
    this.text = text;
  }

  /** Reads the {@code $n} counts of {@code text}, if any. */
  static LimitParameters of(String text) {
    LimitParameters parameters = new LimitParameters(text);
    if (text.indexOf('$') < 0) {
      return parameters;
    }
    List<SqlTokens.Token> tokens = SqlTokens.of(text);
    for (int i = 1; i < tokens.size(); i++) {
      SqlTokens.Token token = tokens.get(i);
      SqlTokens.Token previous = tokens.get(i - 1);
      if (token.kind() == SqlTokens.Kind.PARAMETER && token.text().startsWith("$")
          && (previous.is("limit") || previous.is("offset") || previous.is("first")
          || previous.is("next"))) {
        parameters.indexByOffset.put(token.start(),
            Integer.parseInt(token.text().substring(1)) - 1);
      }
    }
    return parameters;
  }

  /** Returns the text the parser reads: each such {@code $n} as {@code ?} and spaces. */
  String forParser() {
    if (indexByOffset.isEmpty()) {
      return text;
    }
    StringBuilder padded = new StringBuilder(text);
    for (int offset : indexByOffset.keySet()) {
      int end = offset + 1;
      while (end < padded.length() && Character.isDigit(padded.charAt(end))) {
        padded.setCharAt(end++, ' ');
      }
      padded.setCharAt(offset, '?');
    }
    return padded.toString();
  }

  /** Returns {@code statement} with the parameters read as {@code ?} numbered as written. */
  SqlNode renumber(SqlNode statement) {
    if (indexByOffset.isEmpty()) {
      return statement;
    }
    int[] lineStarts = lineStarts();
    return statement.accept(new SqlShuttle() {
      @Override public SqlNode visit(SqlDynamicParam param) {
        SqlParserPos pos = param.getParserPosition();
        int offset = lineStarts[pos.getLineNum() - 1] + pos.getColumnNum() - 1;
        Integer index = indexByOffset.get(offset);
        if (index == null) {
          return param;
        }
        // The parameter spans its digits too, as the user wrote it.
        int length = 1;
        while (offset + length < text.length() && Character.isDigit(text.charAt(offset + length))) {
          length++;
        }
        return new SqlDynamicParam(index, new SqlParserPos(pos.getLineNum(),
            pos.getColumnNum(), pos.getLineNum(), pos.getColumnNum() + length - 1));
      }
    });
  }

  private int[] lineStarts() {
    int[] starts = new int[(int) text.chars().filter(c -> c == '\n').count() + 1];
    for (int i = 0, line = 1; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts[line++] = i + 1;
      }
    }
    return starts;
  }
}
