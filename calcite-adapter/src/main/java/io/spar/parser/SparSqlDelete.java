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
 * DELETE statement with PostgreSQL's optional {@code RETURNING} clause.
 *
 * <p>It is a {@link SqlDelete}, so code that routes plain deletes handles it unchanged; its
 * operand list appends the RETURNING items after the four of {@code SqlDelete}.
 */
public class SparSqlDelete extends SqlDelete {
  /** Operator whose calls rebuild a {@code SparSqlDelete} from its five operands. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("DELETE", SqlKind.DELETE) {
        @Override public SqlCall createCall(SqlLiteral functionQualifier,
            SqlParserPos pos, SqlNode... operands) {
          SparSqlDelete delete = new SparSqlDelete(pos, operands[0], operands[1],
              (SqlIdentifier) operands[3], (SqlNodeList) operands[4]);
          delete.setSourceSelect((SqlSelect) operands[2]);
          return delete;
        }
      };

  private SqlNodeList returning;

  /** Creates a DELETE; {@code condition}, {@code alias} and {@code returning} may be null. */
  public SparSqlDelete(SqlParserPos pos, SqlNode targetTable, SqlNode condition,
      SqlIdentifier alias, SqlNodeList returning) {
    super(pos, targetTable, condition, null, alias);
    this.returning = returning;
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
    return operands;
  }

  @Override public void setOperand(int i, SqlNode operand) {
    if (i == 4) {
      returning = (SqlNodeList) operand;
    } else {
      super.setOperand(i, operand);
    }
  }

  @Override public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    super.unparse(writer, leftPrec, rightPrec);
    ReturningClause.unparse(writer, returning);
  }
}
