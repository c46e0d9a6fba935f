package io.spar.parser;

import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlInsert;
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
 * INSERT statement with PostgreSQL's optional {@code ON CONFLICT} and {@code RETURNING}
 * clauses.
 *
 * <p>It is a {@link SqlInsert}, so code that routes plain inserts handles it unchanged; its
 * operand list appends the two clauses so that visitors see their identifiers and parameters.
 */
public class SparSqlInsert extends SqlInsert {
  /** Operator whose calls rebuild a {@code SparSqlInsert} from its six operands. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("INSERT", SqlKind.INSERT) {
        @Override public SqlCall createCall(SqlLiteral functionQualifier,
            SqlParserPos pos, SqlNode... operands) {
          return new SparSqlInsert(pos, (SqlNodeList) operands[0], operands[1], operands[2],
              (SqlNodeList) operands[3], (SqlOnConflict) operands[4],
              (SqlNodeList) operands[5]);
        }
      };

  private SqlOnConflict onConflict;
  private SqlNodeList returning;

  /** Creates an INSERT; {@code onConflict} and {@code returning} are null when absent. */
  public SparSqlInsert(SqlParserPos pos, SqlNodeList keywords, SqlNode targetTable,
      SqlNode source, SqlNodeList columnList, SqlOnConflict onConflict,
      SqlNodeList returning) {
    super(pos, keywords, targetTable, source, columnList);
    this.onConflict = onConflict;
    this.returning = returning;
  }

  /** Returns the ON CONFLICT clause, or null if the statement has none. */
  public SqlOnConflict getOnConflict() {
    return onConflict;
  }

  /** Returns the RETURNING items (as in a select list), or null if there is no RETURNING. */
  public SqlNodeList getReturning() {
    return returning;
  }

  @Override public SqlOperator getOperator() {
    return OPERATOR;
  }

  @Override public List<SqlNode> getOperandList() {
    List<SqlNode> base = super.getOperandList();
    return ImmutableNullableList.of(base.get(0), base.get(1), base.get(2), base.get(3),
        onConflict, returning);
  }

  @Override public void setOperand(int i, SqlNode operand) {
    switch (i) {
    case 4 -> onConflict = (SqlOnConflict) operand;
    case 5 -> returning = (SqlNodeList) operand;
    default -> super.setOperand(i, operand);
    }
  }

  @Override public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    super.unparse(writer, leftPrec, rightPrec);
    if (onConflict != null) {
      onConflict.unparse(writer, 0, 0);
    }
    ReturningClause.unparse(writer, returning);
  }
}
