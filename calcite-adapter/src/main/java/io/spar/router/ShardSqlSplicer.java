package io.spar.router;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * Rewriter of statement text that replaces table identifiers with shard names at the positions
 * the parser recorded, leaving every other character as the user wrote it.
 *
 * <p>Splicing, rather than unparsing the tree, keeps the statement faithful: PostgreSQL sees
 * the same expressions, casts and functions it would have seen without Spar. Parameter markers
 * are the one exception: each becomes {@code ?}, because pgjdbc binds only those, and the
 * result records which statement parameter each one takes.
 */
public final class ShardSqlSplicer {
  private final String sql;
  private final int[] lineStarts;
  private final List<SqlDynamicParam> parameters;

  /** Creates a splicer over the text that was parsed into {@code statement}. */
  public ShardSqlSplicer(String sql, SqlNode statement) {
    this.sql = sql;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    this.parameters = new ArrayList<>();
    statement.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlDynamicParam param) {
        parameters.add(param);
        return null;
      }
    });
    parameters.sort(Comparator.comparingInt(p -> start(p.getParserPosition())));
  }

  /** Returns the statement with each node's text replaced by its mapped replacement. */
  public SplicedSql splice(Map<SqlNode, Replacement> replacements) {
    return new Builder(replacements).original(0, sql.length()).build();
  }

  /**
   * Returns an INSERT with only the VALUES rows at {@code selected} (indexes into {@code rows})
   * kept, and each node's text replaced by its mapped replacement.
   */
  public SplicedSql spliceRows(Map<SqlNode, Replacement> replacements, List<SqlNode> rows,
      List<Integer> selected) {
    Builder builder = new Builder(replacements);
    builder.original(0, start(span(rows.get(0))));
    for (int i = 0; i < selected.size(); i++) {
      SqlParserPos row = span(rows.get(selected.get(i)));
      builder.literal(i == 0 ? "" : ", ").original(start(row), end(row));
    }
    int end = end(span(rows.get(rows.size() - 1)));
    return builder.original(end, sql.length()).build();
  }

  /**
   * Returns an INSERT's text in three parts, each node's text replaced: before {@code row},
   * the row itself, and after it.
   */
  public List<SplicedSql> spliceAroundRow(Map<SqlNode, Replacement> replacements, SqlNode row) {
    SqlParserPos pos = span(row);
    return List.of(new Builder(replacements).original(0, start(pos)).build(),
        new Builder(replacements).original(start(pos), end(pos)).build(),
        new Builder(replacements).original(end(pos), sql.length()).build());
  }

  /** Returns the text of {@code node} as written, with its parameter markers as {@code ?}. */
  public SplicedSql text(SqlNode node) {
    return text(node, Map.of());
  }

  /**
   * Returns the text of {@code node} with each node inside it replaced by its mapped
   * replacement, and its parameter markers as {@code ?}.
   */
  public SplicedSql text(SqlNode node, Map<SqlNode, Replacement> replacements) {
    SqlParserPos pos = span(node);
    return new Builder(replacements).original(start(pos), end(pos)).build();
  }

  /** Returns the offset in the parsed text where {@code node}'s text starts. */
  int startOf(SqlNode node) {
    return start(span(node));
  }

  /** Returns the offset in the parsed text just after {@code node}'s text. */
  int endOf(SqlNode node) {
    return end(span(node));
  }

  /**
   * Returns the position of all of {@code node}'s text. Calcite's parser starts a call of a
   * qualified function name ({@code s.f(x)}) at its last name part, and expressions that
   * begin with such a call inherit that start, so the span takes in the function's name and
   * every operand. A subquery's span takes in the parentheses around it, which belong to no
   * node, so that the text of an expression or FROM item that holds one stays whole.
   */
  SqlParserPos span(SqlNode node) {
    if (node.getKind().belongsTo(SqlKind.QUERY)) {
      return parenthesized(node.getParserPosition());
    }
    if (!(node instanceof SqlCall call)) {
      return node.getParserPosition();
    }
    List<SqlParserPos> parts = new ArrayList<>();
    parts.add(call.getParserPosition());
    if (call.getOperator() instanceof SqlFunction function
        && function.getSqlIdentifier() != null) {
      parts.add(function.getSqlIdentifier().getParserPosition());
    }
    for (SqlNode each : call.getOperandList()) {
      if (each != null && each.getParserPosition().getLineNum() > 0) {
        parts.add(span(each));
      }
    }
    // sum() spans from the earliest start to the latest end, skipping unknown positions.
    return SqlParserPos.sum(parts);
  }

  /** Returns {@code pos} widened to the parentheses that enclose exactly its text, if any. */
  private SqlParserPos parenthesized(SqlParserPos pos) {
    int start = start(pos);
    int end = end(pos);
    while (true) {
      int before = start - 1;
      while (before >= 0 && Character.isWhitespace(sql.charAt(before))) {
        before--;
      }
      int after = end;
      while (after < sql.length() && Character.isWhitespace(sql.charAt(after))) {
        after++;
      }
      if (before < 0 || after >= sql.length() || sql.charAt(before) != '('
          || sql.charAt(after) != ')') {
        break;
      }
      start = before;
      end = after + 1;
    }
    return position(start, end);
  }

  /** Returns the position of the text in [start, end). */
  private SqlParserPos position(int start, int end) {
    int startLine = line(start);
    int endLine = line(end - 1);
    return new SqlParserPos(startLine + 1, start - lineStarts[startLine] + 1, endLine + 1,
        end - lineStarts[endLine]);
  }

  private int line(int offset) {
    int index = Arrays.binarySearch(lineStarts, offset);
    return index >= 0 ? index : -index - 2;
  }

  /**
   * Returns the offset where the text at {@code pos} starts. Calcite's parser starts the span
   * of an operator expression in a list at the comma before it; no expression starts with a
   * comma, so it is skipped here.
   */
  private int start(SqlParserPos pos) {
    int start = lineStarts[pos.getLineNum() - 1] + pos.getColumnNum() - 1;
    while (start < sql.length() && sql.charAt(start) == ',') {
      start++;
      while (start < sql.length() && Character.isWhitespace(sql.charAt(start))) {
        start++;
      }
    }
    return start;
  }

  private int end(SqlParserPos pos) {
    return lineStarts[pos.getEndLineNum() - 1] + pos.getEndColumnNum();
  }

  /** Accumulator of output text and of the parameters its markers take. */
  private final class Builder {
    private final StringBuilder text = new StringBuilder();
    private final List<Integer> order = new ArrayList<>();
    private final List<Map.Entry<SqlNode, Replacement>> replacements;

    Builder(Map<SqlNode, Replacement> replacements) {
      this.replacements = new ArrayList<>(replacements.entrySet());
      this.replacements.sort(Comparator.comparingInt(e -> start(span(e.getKey()))));
    }

    /** Appends the original text in [from, to), replacing nodes and rewriting markers. */
    Builder original(int from, int to) {
      int cursor = from;
      for (Map.Entry<SqlNode, Replacement> each : replacements) {
        SqlParserPos pos = span(each.getKey());
        if (start(pos) >= cursor && end(pos) <= to) {
          markers(cursor, start(pos));
          Replacement replacement = each.getValue();
          text.append(replacement.body().sql());
          for (int index : replacement.body().parameterOrder()) {
            order.add(index);
          }
          cursor = end(pos);
        }
      }
      markers(cursor, to);
      return this;
    }

    private void markers(int from, int to) {
      int cursor = from;
      for (SqlDynamicParam each : parameters) {
        int start = start(each.getParserPosition());
        if (start >= from && start < to) {
          text.append(sql, cursor, start).append('?');
          order.add(each.getIndex());
          cursor = end(each.getParserPosition());
        }
      }
      text.append(sql, cursor, to);
    }

    Builder literal(String value) {
      text.append(value);
      return this;
    }

    SplicedSql build() {
      return new SplicedSql(text.toString(), order.stream().mapToInt(Integer::intValue).toArray());
    }
  }
}
