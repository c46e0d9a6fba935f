package io.spar.parser;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * UPDATE statement with PostgreSQL's optional {@code FROM} list and {@code RETURNING} clause.
 *
 * <p>It is a {@link SqlUpdate}, so code that routes plain updates handles it unchanged; its
 * operand list appends the RETURNING items and then the FROM list after the six of
 * {@code SqlUpdate}. {@code SET (a, b) = (x, y)} is kept as the assignments {@code a = x} and
 * {@code b = y}; a {@code DEFAULT} value is a call of {@code SqlStdOperatorTable.DEFAULT}.
 */
public class SparSqlUpdate extends SqlUpdate {
  /** Operator whose calls rebuild a {@code SparSqlUpdate} from its eight operands. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("UPDATE", SqlKind.UPDATE) {
        @Override public SqlCall createCall(SqlLiteral functionQualifier,
            SqlParserPos pos, SqlNode... operands) {
          SparSqlUpdate update = new SparSqlUpdate(pos, operands[0], (SqlNodeList) operands[1],
              (SqlNodeList) operands[2], operands[3], (SqlIdentifier) operands[5], operands[7],
              (SqlNodeList) operands[6]);
          update.setSourceSelect((SqlSelect) operands[4]);
          return update;
        }
      };

  private SqlNodeList returning;
  private SqlNode from;

  /**
   * Creates an UPDATE; {@code condition}, {@code alias}, {@code from} and {@code returning} may
   * be null.
   *
   * @param from the tables of PostgreSQL's {@code FROM} list, as in a SELECT's FROM clause
   */
  public SparSqlUpdate(SqlParserPos pos, SqlNode targetTable, SqlNodeList targetColumnList,
      SqlNodeList sourceExpressionList, SqlNode condition,
      SqlIdentifier alias, SqlNode from, SqlNodeList returning) {
    super(pos, targetTable, targetColumnList, sourceExpressionList, condition, null, alias);
    this.from = from;
    this.returning = returning;
  }

  /**
   * Returns the {@code FROM} list (a table reference or join, as in a SELECT), or null if there
   * is none.
   */
  public SqlNode getFrom() {
    return from;
  }

  /** Returns the RETURNING items (as in a select list), or null if there is no RETURNING. */
  public SqlNodeList getReturning() {
    return returning;
  }

  @Override public SqlOperator getOperator() {
    return OPERATOR;
  }

  @Override public List<SqlNode> getOperandList() {
    List<SqlNode> operands = new ArrayList<>(super.getOperandList());
    operands.add(returning);
    operands.add(from);
    return operands;
  }

  @Override public void setOperand(int i, SqlNode operand) {
    if (i == 6) {
      returning = (SqlNodeList) operand;
    } else if (i == 7) {
      from = operand;
    } else {
      super.setOperand(i, operand);
    }
  }

  @Override public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    if (from == null) {
      super.unparse(writer, leftPrec, rightPrec);
    } else {
      unparseWithFrom(writer);
    }
    ReturningClause.unparse(writer, returning);
  }

  /** SqlUpdate.unparse with the FROM list between the SET list and WHERE. */
  private void unparseWithFrom(SqlWriter writer) {
    SqlWriter.Frame frame = writer.startList(SqlWriter.FrameTypeEnum.SELECT, "UPDATE", "");
    int opLeft = getOperator().getLeftPrec();
    int opRight = getOperator().getRightPrec();
    getTargetTable().unparse(writer, opLeft, opRight);
    if (getAlias() != null) {
      writer.keyword("AS");
      getAlias().unparse(writer, opLeft, opRight);
    }
    SqlWriter.Frame set = writer.startList(SqlWriter.FrameTypeEnum.UPDATE_SET_LIST, "SET", "");
    for (int i = 0; i < getTargetColumnList().size(); i++) {
      writer.sep(",");
      getTargetColumnList().get(i).unparse(writer, opLeft, opRight);
      writer.keyword("=");
      getSourceExpressionList().get(i).unparse(writer, opLeft, opRight);
    }
    writer.endList(set);
    writer.sep("FROM");
    from.unparse(writer, 0, 0);
    if (getCondition() != null) {
      writer.sep("WHERE");
      getCondition().unparse(writer, opLeft, opRight);
    }
    writer.endList(frame);
  }
}
