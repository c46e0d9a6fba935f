package io.spar.parser;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;

/** The text a parsed node's position covers, so that tests can check positions as text. */
final class NodeText {
  private NodeText() {
  }

  /** Returns the substring of {@code sql} that {@code node}'s position covers. */
  static String of(String sql, SqlNode node) {
    String[] lines = sql.split("\n", -1);
    SqlParserPos pos = node.getParserPosition();
    return sql.substring(offset(lines, pos.getLineNum(), pos.getColumnNum()),
        offset(lines, pos.getEndLineNum(), pos.getEndColumnNum()) + 1);
  }

  private static int offset(String[] lines, int line, int column) {
    int offset = 0;
    for (int i = 0; i < line - 1; i++) {
      offset += lines[i].length() + 1;
    }
    return offset + column - 1;
  }
}
