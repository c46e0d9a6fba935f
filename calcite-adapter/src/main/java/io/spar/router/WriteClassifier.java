package io.spar.router;

import io.spar.engine.execution.WriteClass;
import io.spar.parser.SparSqlInsert;
import io.spar.parser.SqlOnConflict;
import java.util.List;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Classifier of modifications into {@link WriteClass}es by what they write and the types of
 * the columns they write to.
 *
 * <p>A plain INSERT is of class insert. An UPDATE is commutative when every assignment is one
 * that {@link CommutativeAssignment} finds order-free for its column's type ({@code n = n + 1}
 * on an integer, hll's {@code users = users || e}), and idempotent when every value reads no
 * column. DELETE and ON CONFLICT DO NOTHING are idempotent. ON CONFLICT DO UPDATE is neither:
 * whether a row is inserted or updated depends on which writer comes first, even when the
 * update adds. Anything else, such as {@code SET name = name || 'x'}, is neither.
 */
public final class WriteClassifier {
  private WriteClassifier() {
  }

  /**
   * Returns the class of {@code statement}, whose target table has the column types
   * {@code types}, run with {@code parameters}.
   */
  public static WriteClass classify(SqlNode statement, ColumnTypes types,
      List<Object> parameters) {
    if (statement instanceof SqlDelete) {
      return WriteClass.IDEMPOTENT;
    }
    if (statement instanceof SqlUpdate update) {
      return ofAssignments(update.getTargetColumnList(), update.getSourceExpressionList(), types,
          parameters);
    }
    if (statement instanceof SparSqlInsert insert && insert.getOnConflict() != null) {
      return insert.getOnConflict().getAction() == SqlOnConflict.Action.NOTHING
          ? WriteClass.IDEMPOTENT : WriteClass.NON_COMMUTATIVE;
    }
    return statement instanceof SqlInsert ? WriteClass.INSERT : WriteClass.NON_COMMUTATIVE;
  }

  private static WriteClass ofAssignments(SqlNodeList columns, SqlNodeList values,
      ColumnTypes types, List<Object> parameters) {
    boolean commutative = true;
    boolean constant = true;
    for (int i = 0; i < columns.size(); i++) {
      SqlNode value = values.get(i);
      String column = lastName(columns.get(i));
      commutative &= CommutativeAssignment.test(column, value, types.type(column), parameters);
      constant &= !FunctionVolatility.readsRows(value);
    }
    if (commutative) {
      return WriteClass.COMMUTATIVE;
    }
    return constant ? WriteClass.IDEMPOTENT : WriteClass.NON_COMMUTATIVE;
  }

  private static String lastName(SqlNode node) {
    List<String> names = ((SqlIdentifier) node).names;
    return names.get(names.size() - 1);
  }
}
