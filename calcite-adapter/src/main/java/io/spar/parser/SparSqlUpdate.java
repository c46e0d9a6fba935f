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
 * UPDATE statement with PostgreSQL's optional {@code RETURNING} clause.
 *
 * <p>It is a {@link SqlUpdate}, so code that routes plain updates handles it unchanged; its
 * operand list appends the RETURNING items after the six of {@code SqlUpdate}.
 */
public class SparSqlUpdate extends SqlUpdate {
  /** Operator whose calls rebuild a {@code SparSqlUpdate} from its seven operands. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("UPDATE", SqlKind.UPDATE) {
        @Override public SqlCall createCall(SqlLiteral functionQualifier,
            SqlParserPos pos, SqlNode... operands) {
          SparSqlUpdate update = new SparSqlUpdate(pos, operands[0], (SqlNodeList) operands[1],
              (SqlNodeList) operands[2], operands[3], (SqlIdentifier) operands[5],
              (SqlNodeList) operands[6]);
          update.setSourceSelect((SqlSelect) operands[4]);
          return update;
        }
      };

  private SqlNodeList returning;

  /** Creates an UPDATE; {@code condition}, {@code alias} and {@code returning} may be null. */
  public SparSqlUpdate(SqlParserPos pos, SqlNode targetTable, SqlNodeList targetColumnList,
      SqlNodeList sourceExpressionList, SqlNode condition,
      SqlIdentifier alias, SqlNodeList returning) {
    super(pos, targetTable, targetColumnList, sourceExpressionList, condition, null, alias);
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
    if (i == 6) {
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
