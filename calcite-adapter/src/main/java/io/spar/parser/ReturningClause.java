package io.spar.parser;

import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlWriter;

/**
 * Writer of the RETURNING clause that INSERT, UPDATE and DELETE share.
 */
final class ReturningClause {
  private ReturningClause() {
  }

  /** Appends {@code RETURNING item, ...} to {@code writer} if {@code returning} is present. */
  static void unparse(SqlWriter writer, SqlNodeList returning) {
    if (returning == null) {
      return;
    }
    SqlWriter.Frame frame = writer.startList(SqlWriter.FrameTypeEnum.SELECT_LIST, "RETURNING", "");
    for (var item : returning) {
      writer.sep(",");
      item.unparse(writer, 0, 0);
    }
    writer.endList(frame);
  }
}
