package io.spar.router;

import io.spar.engine.execution.WriteClass;
import io.spar.parser.SparSqlInsert;
import io.spar.parser.SqlOnConflict;
import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Classifier of modifications into {@link WriteClass}es by the shape of what they write.
 *
 * <p>A plain INSERT is commutative. A SET list is commutative when every assignment adds to its
 * own column ({@code x = x + e}, {@code x = x - e}, {@code x = x || e}, the last being hll's
 * union) with an {@code e} that reads no column, and idempotent when every value reads no
 * column. DELETE and ON CONFLICT DO NOTHING are idempotent. Anything else, such as
 * {@code SET n = EXCLUDED.n}, is neither.
 */
public final class WriteClassifier {
  private WriteClassifier() {
  }

  /** Returns the class of {@code statement}. */
  public static WriteClass classify(SqlNode statement) {
    if (statement instanceof SqlDelete) {
      return WriteClass.IDEMPOTENT;
    }
    if (statement instanceof SqlUpdate update) {
      return ofAssignments(update.getTargetColumnList(), update.getSourceExpressionList());
    }
    if (statement instanceof SparSqlInsert insert && insert.getOnConflict() != null) {
      SqlOnConflict conflict = insert.getOnConflict();
      return conflict.getAction() == SqlOnConflict.Action.NOTHING ? WriteClass.IDEMPOTENT
          : ofAssignments(conflict.getTargetColumnList(), conflict.getSourceExpressionList());
    }
    return statement instanceof SqlInsert ? WriteClass.COMMUTATIVE : WriteClass.NON_COMMUTATIVE;
  }

  private static WriteClass ofAssignments(SqlNodeList columns, SqlNodeList values) {
    boolean commutative = true;
    boolean constant = true;
    for (int i = 0; i < columns.size(); i++) {
      SqlNode value = values.get(i);
      commutative &= isIncrement(lastName(columns.get(i)), value);
      constant &= !FunctionVolatility.readsRows(value);
    }
    if (commutative) {
      return WriteClass.COMMUTATIVE;
    }
    return constant ? WriteClass.IDEMPOTENT : WriteClass.NON_COMMUTATIVE;
  }

  private static boolean isIncrement(String column, SqlNode value) {
    if (!(value instanceof SqlCall call) || call.operandCount() != 2
        || !List.of(SqlKind.PLUS, SqlKind.MINUS, SqlKind.OTHER).contains(call.getKind())
        || (call.getKind() == SqlKind.OTHER && !call.getOperator().getName().equals("||"))) {
      return false;
    }
    SqlNode left = call.operand(0);
    return left instanceof SqlIdentifier identifier && lastName(identifier).equals(column)
        && (identifier.names.size() == 1 || !identifier.names.get(0).equals("excluded"))
        && !FunctionVolatility.readsRows(call.operand(1));
  }

  private static String lastName(SqlNode node) {
    List<String> names = ((SqlIdentifier) node).names;
    return names.get(names.size() - 1);
  }
}
