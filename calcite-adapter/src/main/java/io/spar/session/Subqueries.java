package io.spar.session;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowCursor;
import io.spar.engine.execution.RowSet;
import io.spar.outcome.SparErrors;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.router.Replacement;
import io.spar.router.SplicedSql;
import io.spar.router.TableReference;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * The subqueries in the WHERE and SET of an UPDATE or DELETE of a distributed table that read
 * other tables, and the local tables of its FROM or USING. A shard's statement could not run them (its
 * worker lacks the other tables, or holds only one shard of them), so each runs once through Spar, as a query of its own, and
 * its rows take its place in every shard's statement as {@code VALUES} of parameters: what
 * {@code IN}, {@code EXISTS}, {@code = ANY} and a scalar subquery see is the same. A subquery
 * that refers to the target row cannot run on its own (unless the planner pushed it to the
 * shards with a co-located table); PostgreSQL then reports a column or table it does not know,
 * and the statement is refused. A local table is read once on the
 * coordinator and joins every shard's rows as a derived table of its rows.
 */
final class Subqueries {
  /** Values a subquery's rows may bring into a statement, at most (pgjdbc allows 32,767). */
  private static final int MAX_VALUES = 30_000;
  private static final Set<String> UNRESOLVED = Set.of("42703", "42P01");

  private Subqueries() {
  }

  /** Returns the outermost subqueries of the WHERE and SET of {@code statement}. */
  static List<SqlNode> of(SqlNode statement) {
    List<SqlNode> found = new ArrayList<>();
    if (statement instanceof SqlUpdate update) {
      update.getSourceExpressionList().forEach(each -> collect(each, found));
      collect(update.getCondition(), found);
    } else if (statement instanceof SqlDelete delete) {
      collect(delete.getCondition(), found);
    }
    return found;
  }

  private static void collect(SqlNode node, List<SqlNode> found) {
    if (node == null) {
      return;
    }
    if (node.getKind().belongsTo(SqlKind.QUERY)) {
      found.add(node);
    } else if (node instanceof SqlCall call) {
      call.getOperandList().forEach(each -> collect(each, found));
    }
  }

  /** Returns whether {@code inner}'s text lies within {@code outer}'s. */
  static boolean within(SqlParserPos inner, SqlParserPos outer) {
    return compare(inner.getLineNum(), inner.getColumnNum(), outer.getLineNum(),
        outer.getColumnNum()) >= 0 && compare(inner.getEndLineNum(), inner.getEndColumnNum(),
        outer.getEndLineNum(), outer.getEndColumnNum()) <= 0;
  }

  private static int compare(int line, int column, int otherLine, int otherColumn) {
    return line != otherLine ? Integer.compare(line, otherLine)
        : Integer.compare(column, otherColumn);
  }

  /** Runs a subquery. */
  interface Runner {
    RowSet run(String sql, List<Object> parameters) throws SQLException;
  }

  /**
   * Runs the subquery whose text is {@code text} with the statement's {@code parameters} and
   * returns what replaces it, taking its values as parameters appended to {@code extended}.
   */
  static Replacement evaluate(SplicedSql text, List<Object> parameters, List<Object> extended,
      Runner runner) throws SQLException {
    RowSet rows;
    try {
      rows = runner.run(text.sql(), text.bind(parameters));
    } catch (SQLException e) {
      if (UNRESOLVED.contains(e.getSQLState())) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "subqueries that refer to the"
            + " modified row are not supported in modifications of distributed tables", null,
            "Join a co-located table with UPDATE … FROM or DELETE … USING instead.");
      }
      throw e;
    }
    return new Replacement(values(rows, extended, false));
  }

  /**
   * Returns what replaces the local table of {@code reference} in an UPDATE's FROM or a
   * DELETE's USING: its rows, read once on the coordinator, as a derived table with the
   * table's columns and name, taking the values as parameters appended to {@code extended}.
   */
  static Replacement table(TableReference reference, List<Object> extended, Runner runner)
      throws SQLException {
    RowSet rows = runner.run("SELECT * FROM " + reference.table().quoted(), List.of());
    List<String> names = rows.columns().stream()
        .map(each -> SqlQuoting.identifier(each.label())).toList();
    SplicedSql body = SplicedSql.of("(SELECT * FROM ").append(values(rows, extended, true))
        .append(" AS " + SqlQuoting.identifier("rows") + " (" + String.join(", ", names)
            + "))");
    if (reference.alias() == null) {
      body = body.append(" AS " + SqlQuoting.identifier(reference.table().name()));
    }
    return new Replacement(body);
  }

  /**
   * Returns {@code rows} as a parenthesized {@code VALUES} list of parameters appended to
   * {@code extended}, or a query of no rows with the same column types (named for a derived
   * table if {@code named}).
   */
  private static SplicedSql values(RowSet rows, List<Object> extended, boolean named)
      throws SQLException {
    List<Object[]> values = materialized(rows);
    List<String> types = new ArrayList<>();
    for (ColumnInfo each : rows.columns()) {
      types.add(each.typeName().startsWith("_") ? each.typeName().substring(1) + "[]"
          : each.typeName());
    }
    if ((long) values.size() * types.size() > MAX_VALUES) {
      throw SparErrors.error("54000", "a modification of a distributed table would pass "
          + values.size() + " rows of another table to its shards, more than Spar passes",
          null, "Join a co-located table with UPDATE … FROM or DELETE … USING instead.");
    }
    if (values.isEmpty()) {
      StringBuilder none = new StringBuilder("(SELECT ");
      for (int i = 0; i < types.size(); i++) {
        none.append(i == 0 ? "" : ", ").append("CAST(NULL AS ").append(types.get(i))
            .append(')').append(named ? " AS c" + i : "");
      }
      return SplicedSql.of(none.append(" WHERE false)").toString());
    }
    StringBuilder sql = new StringBuilder("(VALUES ");
    int[] order = new int[values.size() * types.size()];
    int next = 0;
    for (int r = 0; r < values.size(); r++) {
      sql.append(r == 0 ? "(" : ", (");
      for (int c = 0; c < types.size(); c++) {
        sql.append(c == 0 ? "" : ", ").append("CAST(? AS ").append(types.get(c)).append(')');
        order[next++] = extended.size();
        extended.add(values.get(r)[c]);
      }
      sql.append(')');
    }
    return new SplicedSql(sql.append(')').toString(), order);
  }

  private static List<Object[]> materialized(RowSet rows) throws SQLException {
    if (!rows.isStreaming()) {
      return rows.rows();
    }
    List<Object[]> read = new ArrayList<>();
    try (RowCursor cursor = rows.takeCursor()) {
      for (Object[] row = cursor.next(); row != null; row = cursor.next()) {
        read.add(row);
      }
    } catch (SQLException e) {
      throw e;
    } catch (Exception e) {
      throw new SQLException(e.getMessage(), "XX000", e);
    }
    return read;
  }
}
