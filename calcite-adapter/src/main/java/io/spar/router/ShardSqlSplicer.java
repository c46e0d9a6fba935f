package io.spar.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Rewriter of statement text that replaces table identifiers with shard names at the positions
 * the parser recorded, leaving every other character as the user wrote it.
 *
 * <p>Splicing, rather than unparsing the tree, keeps the statement faithful: PostgreSQL sees
 * the same expressions, casts, functions and parameter markers it would have seen without Spar.
 */
public final class ShardSqlSplicer {
  private final String sql;
  private final int[] lineStarts;

  /** Creates a splicer over the text that was parsed. */
  public ShardSqlSplicer(String sql) {
    this.sql = sql;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Returns the statement with each node's text replaced by its mapped replacement. */
  public String splice(Map<SqlNode, String> replacements) {
    List<Map.Entry<SqlNode, String>> ordered = new ArrayList<>(replacements.entrySet());
    ordered.sort(Comparator.comparingInt(
        (Map.Entry<SqlNode, String> e) -> start(e.getKey().getParserPosition())).reversed());
    StringBuilder result = new StringBuilder(sql);
    for (Map.Entry<SqlNode, String> each : ordered) {
      SqlParserPos pos = each.getKey().getParserPosition();
      result.replace(start(pos), end(pos), each.getValue());
    }
    return result.toString();
  }

  /** Returns the text of {@code node} as written. */
  public String text(SqlNode node) {
    SqlParserPos pos = node.getParserPosition();
    return sql.substring(start(pos), end(pos));
  }

  private int start(SqlParserPos pos) {
    return lineStarts[pos.getLineNum() - 1] + pos.getColumnNum() - 1;
  }

  private int end(SqlParserPos pos) {
    return lineStarts[pos.getEndLineNum() - 1] + pos.getEndColumnNum();
  }
}
