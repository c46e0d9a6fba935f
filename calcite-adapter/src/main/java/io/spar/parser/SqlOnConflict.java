package io.spar.parser;

import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.util.ImmutableNullableList;

/**
 * PostgreSQL's {@code ON CONFLICT} clause of an INSERT: what conflict it handles (index
 * columns with an optional index predicate, a named constraint, or any) and what it does
 * ({@code DO NOTHING} or {@code DO UPDATE SET ... [WHERE ...]}).
 *
 * <p>Identifiers keep the parser's positions, so a router can splice a shard's constraint name
 * in place of {@link #getConstraint()}; {@code EXCLUDED.column} stays an ordinary compound
 * identifier in the SET expressions.
 */
public class SqlOnConflict extends SqlCall {
  /** Operator whose calls rebuild a {@code SqlOnConflict} from its six operands. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("ON CONFLICT", SqlKind.OTHER) {
        @Override public SqlCall createCall(SqlLiteral functionQualifier, SqlParserPos pos,
            SqlNode... operands) {
          return new SqlOnConflict(pos, (SqlNodeList) operands[0], operands[1],
              (SqlIdentifier) operands[2], (SqlNodeList) operands[3], (SqlNodeList) operands[4],
              operands[5]);
        }
      };

  /** What the statement does with a row that conflicts. */
  public enum Action {
    /** {@code DO NOTHING}: skip the row. */
    NOTHING,
    /** {@code DO UPDATE SET ...}: update the existing row instead. */
    UPDATE
  }

  private SqlNodeList conflictColumns;
  private SqlNode indexPredicate;
  private SqlIdentifier constraint;
  private SqlNodeList targetColumnList;
  private SqlNodeList sourceExpressionList;
  private SqlNode condition;

  /**
   * Creates an ON CONFLICT clause; every argument may be null.
   *
   * @param conflictColumns the index columns of {@code ON CONFLICT (a, b)}
   * @param indexPredicate the {@code WHERE} after the index columns
   * @param constraint the name in {@code ON CONFLICT ON CONSTRAINT name}
   * @param targetColumnList the columns SET by {@code DO UPDATE}; null means {@code DO NOTHING}
   * @param sourceExpressionList the values SET by {@code DO UPDATE}, one per target column
   * @param condition the {@code WHERE} of {@code DO UPDATE}
   */
  public SqlOnConflict(SqlParserPos pos, SqlNodeList conflictColumns, SqlNode indexPredicate,
      SqlIdentifier constraint, SqlNodeList targetColumnList, SqlNodeList sourceExpressionList,
      SqlNode condition) {
    super(pos);
    this.conflictColumns = conflictColumns;
    this.indexPredicate = indexPredicate;
    this.constraint = constraint;
    this.targetColumnList = targetColumnList;
    this.sourceExpressionList = sourceExpressionList;
    this.condition = condition;
  }

  /** Returns the action: {@code DO NOTHING} or {@code DO UPDATE}. */
  public Action getAction() {
    return targetColumnList == null ? Action.NOTHING : Action.UPDATE;
  }

  /** Returns the index columns of {@code ON CONFLICT (a, b)}, or null. */
  public SqlNodeList getConflictColumns() {
    return conflictColumns;
  }

  /** Returns the index predicate that follows the index columns, or null. */
  public SqlNode getIndexPredicate() {
    return indexPredicate;
  }

  /** Returns the constraint of {@code ON CONFLICT ON CONSTRAINT name}, or null. */
  public SqlIdentifier getConstraint() {
    return constraint;
  }

  /** Returns the columns that {@code DO UPDATE} sets, or null for {@code DO NOTHING}. */
  public SqlNodeList getTargetColumnList() {
    return targetColumnList;
  }

  /** Returns the values that {@code DO UPDATE} sets, or null for {@code DO NOTHING}. */
  public SqlNodeList getSourceExpressionList() {
    return sourceExpressionList;
  }

  /** Returns the {@code WHERE} condition of {@code DO UPDATE}, or null. */
  public SqlNode getCondition() {
    return condition;
  }

  @Override public SqlOperator getOperator() {
    return OPERATOR;
  }

  @Override public List<SqlNode> getOperandList() {
    return ImmutableNullableList.of(conflictColumns, indexPredicate, constraint,
        targetColumnList, sourceExpressionList, condition);
  }

  @Override public void setOperand(int i, SqlNode operand) {
    switch (i) {
    case 0 -> conflictColumns = (SqlNodeList) operand;
    case 1 -> indexPredicate = operand;
    case 2 -> constraint = (SqlIdentifier) operand;
    case 3 -> targetColumnList = (SqlNodeList) operand;
    case 4 -> sourceExpressionList = (SqlNodeList) operand;
    case 5 -> condition = operand;
    default -> throw new AssertionError(i);
    }
  }

  @Override public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    writer.keyword("ON CONFLICT");
    if (conflictColumns != null) {
      SqlWriter.Frame columns = writer.startList("(", ")");
      for (SqlNode column : conflictColumns) {
        writer.sep(",");
        column.unparse(writer, 0, 0);
      }
      writer.endList(columns);
      if (indexPredicate != null) {
        writer.keyword("WHERE");
        indexPredicate.unparse(writer, 0, 0);
      }
    } else if (constraint != null) {
      writer.keyword("ON CONSTRAINT");
      constraint.unparse(writer, 0, 0);
    }
    if (getAction() == Action.NOTHING) {
      writer.keyword("DO NOTHING");
      return;
    }
    writer.keyword("DO UPDATE");
    SqlWriter.Frame set = writer.startList(SqlWriter.FrameTypeEnum.UPDATE_SET_LIST, "SET", "");
    for (int i = 0; i < targetColumnList.size(); i++) {
      writer.sep(",");
      targetColumnList.get(i).unparse(writer, 0, 0);
      writer.keyword("=");
      sourceExpressionList.get(i).unparse(writer, 0, 0);
    }
    writer.endList(set);
    if (condition != null) {
      writer.keyword("WHERE");
      condition.unparse(writer, 0, 0);
    }
  }
}
