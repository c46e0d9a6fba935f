package io.spar.parser;

import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
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
 * INSERT statement with PostgreSQL's target alias ({@code INSERT INTO t AS x}),
 * {@code DEFAULT VALUES}, and optional {@code ON CONFLICT} and {@code RETURNING} clauses.
 *
 * <p>It is a {@link SqlInsert}, so code that routes plain inserts handles it unchanged; its
 * operand list appends the two clauses and the alias so that visitors see their identifiers and
 * parameters. The source of {@code DEFAULT VALUES} is an empty {@link SqlNodeList} spanning
 * those two words (see {@link #isDefaultValues()}).
 */
public class SparSqlInsert extends SqlInsert {
  /** Operator whose calls rebuild a {@code SparSqlInsert} from its seven operands. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("INSERT", SqlKind.INSERT) {
        @Override public SqlCall createCall(SqlLiteral functionQualifier,
            SqlParserPos pos, SqlNode... operands) {
          return new SparSqlInsert(pos, (SqlNodeList) operands[0], operands[1],
              (SqlIdentifier) operands[6], operands[2], (SqlNodeList) operands[3],
              isDefaultValuesSource(operands[2]), (SqlOnConflict) operands[4],
              (SqlNodeList) operands[5]);
        }
      };

  private SqlIdentifier alias;
  private final boolean defaultValues;
  private SqlOnConflict onConflict;
  private SqlNodeList returning;

  /**
   * Creates an INSERT; {@code alias}, {@code columnList}, {@code onConflict} and
   * {@code returning} are null when absent.
   *
   * @param defaultValues whether the statement is {@code INSERT ... DEFAULT VALUES}, in which
   *     case {@code source} is an empty {@link SqlNodeList}
   */
  public SparSqlInsert(SqlParserPos pos, SqlNodeList keywords, SqlNode targetTable,
      SqlIdentifier alias, SqlNode source, SqlNodeList columnList, boolean defaultValues,
      SqlOnConflict onConflict, SqlNodeList returning) {
    super(pos, keywords, targetTable, source, columnList);
    this.alias = alias;
    this.defaultValues = defaultValues;
    this.onConflict = onConflict;
    this.returning = returning;
  }

  private static boolean isDefaultValuesSource(SqlNode source) {
    return source instanceof SqlNodeList list && list.isEmpty();
  }

  /** Returns the alias of {@code INSERT INTO t AS alias}, or null if there is none. */
  public SqlIdentifier getAlias() {
    return alias;
  }

  /** Returns whether the statement is {@code INSERT ... DEFAULT VALUES}. */
  public boolean isDefaultValues() {
    return defaultValues;
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
        onConflict, returning, alias);
  }

  @Override public void setOperand(int i, SqlNode operand) {
    switch (i) {
    case 4 -> onConflict = (SqlOnConflict) operand;
    case 5 -> returning = (SqlNodeList) operand;
    case 6 -> alias = (SqlIdentifier) operand;
    default -> super.setOperand(i, operand);
    }
  }

  @Override public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    // SqlInsert.unparse, with the alias between the table and the columns.
    SqlWriter.Frame frame = writer.startList(SqlWriter.FrameTypeEnum.SELECT);
    writer.sep(isUpsert() ? "UPSERT INTO" : "INSERT INTO");
    int opLeft = getOperator().getLeftPrec();
    int opRight = getOperator().getRightPrec();
    getTargetTable().unparse(writer, opLeft, opRight);
    if (alias != null) {
      writer.keyword("AS");
      alias.unparse(writer, opLeft, opRight);
    }
    if (getTargetColumnList() != null) {
      getTargetColumnList().unparse(writer, opLeft, opRight);
    }
    writer.newlineAndIndent();
    if (defaultValues) {
      writer.keyword("DEFAULT VALUES");
    } else {
      getSource().unparse(writer, 0, 0);
    }
    writer.endList(frame);
    if (onConflict != null) {
      onConflict.unparse(writer, 0, 0);
    }
    ReturningClause.unparse(writer, returning);
  }
}
