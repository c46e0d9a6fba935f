package io.spar.parser;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * DELETE statement with PostgreSQL's optional {@code USING} list and {@code RETURNING} clause.
 *
 * <p>It is a {@link SqlDelete}, so code that routes plain deletes handles it unchanged; its
 * operand list appends the RETURNING items and then the USING list after the four of
 * {@code SqlDelete}.
 */
public class SparSqlDelete extends SqlDelete {
  /** Operator whose calls rebuild a {@code SparSqlDelete} from its six operands. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("DELETE", SqlKind.DELETE) {
        @Override public SqlCall createCall(SqlLiteral functionQualifier,
            SqlParserPos pos, SqlNode... operands) {
          SparSqlDelete delete = new SparSqlDelete(pos, operands[0], operands[1],
              (SqlIdentifier) operands[3], operands[5], (SqlNodeList) operands[4]);
          delete.setSourceSelect((SqlSelect) operands[2]);
          return delete;
        }
      };

  private SqlNodeList returning;
  private SqlNode using;

  /**
   * Creates a DELETE; {@code condition}, {@code alias}, {@code using} and {@code returning} may
   * be null.
   *
   * @param using the tables of PostgreSQL's {@code USING} list, as in a SELECT's FROM clause
   */
  public SparSqlDelete(SqlParserPos pos, SqlNode targetTable, SqlNode condition,
      SqlIdentifier alias, SqlNode using, SqlNodeList returning) {
    super(pos, targetTable, condition, null, alias);
    this.using = using;
    this.returning = returning;
  }

  /**
   * Returns the {@code USING} list (a table reference or join, as in a SELECT's FROM), or null
   * if there is none.
   */
  public SqlNode getUsing() {
    return using;
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
    operands.add(using);
    return operands;
  }

  @Override public void setOperand(int i, SqlNode operand) {
    if (i == 4) {
      returning = (SqlNodeList) operand;
    } else if (i == 5) {
      using = operand;
    } else {
      super.setOperand(i, operand);
    }
  }

  @Override public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    if (using == null) {
      super.unparse(writer, leftPrec, rightPrec);
    } else {
      unparseWithUsing(writer);
    }
    ReturningClause.unparse(writer, returning);
  }

  /** SqlDelete.unparse with the USING list between the table and WHERE. */
  private void unparseWithUsing(SqlWriter writer) {
    SqlWriter.Frame frame = writer.startList(SqlWriter.FrameTypeEnum.SELECT, "DELETE FROM", "");
    int opLeft = getOperator().getLeftPrec();
    int opRight = getOperator().getRightPrec();
    getTargetTable().unparse(writer, opLeft, opRight);
    if (getAlias() != null) {
      writer.keyword("AS");
      getAlias().unparse(writer, opLeft, opRight);
    }
    writer.sep("USING");
    using.unparse(writer, 0, 0);
    if (getCondition() != null) {
      writer.sep("WHERE");
      getCondition().unparse(writer, opLeft, opRight);
    }
    writer.endList(frame);
  }
}
