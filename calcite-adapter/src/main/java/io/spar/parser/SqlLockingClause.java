package io.spar.parser;

import java.util.List;
import java.util.Locale;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.util.ImmutableNullableList;

/**
 * One of PostgreSQL's locking clauses of a SELECT: {@code FOR UPDATE | FOR NO KEY UPDATE |
 * FOR SHARE | FOR KEY SHARE}, optionally {@code OF table, ...}, and optionally
 * {@code NOWAIT} or {@code SKIP LOCKED}.
 *
 * <p>The names after {@code OF} are not table references: PostgreSQL matches them against
 * the FROM clause's aliases (or table names when unaliased). The strength and wait policy are
 * kept as fields rather than operands, so visitors see only the names.
 */
public class SqlLockingClause extends SqlCall {
  /** Operator of locking clauses; its calls are created by the parser only. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("FOR", SqlKind.OTHER);

  /** How strongly the selected rows are locked. */
  public enum Strength {
    /** {@code FOR UPDATE}. */
    UPDATE("FOR UPDATE"),
    /** {@code FOR NO KEY UPDATE}. */
    NO_KEY_UPDATE("FOR NO KEY UPDATE"),
    /** {@code FOR SHARE}. */
    SHARE("FOR SHARE"),
    /** {@code FOR KEY SHARE}. */
    KEY_SHARE("FOR KEY SHARE");

    private final String sql;

    Strength(String sql) {
      this.sql = sql;
    }

    /** Returns the clause's keywords, as PostgreSQL's messages name them ("FOR SHARE"). */
    public String sql() {
      return sql;
    }
  }

  /** What the statement does when a row is already locked. */
  public enum WaitPolicy {
    /** Waits for the lock (no keyword). */
    WAIT,
    /** {@code NOWAIT}: fails at once. */
    NOWAIT,
    /** {@code SKIP LOCKED}: leaves the row out. */
    SKIP_LOCKED
  }

  private final Strength strength;
  private SqlNodeList tables;
  private final WaitPolicy waitPolicy;

  /**
   * Creates a locking clause.
   *
   * @param tables the names after {@code OF}, or null if the clause locks every table
   */
  public SqlLockingClause(SqlParserPos pos, Strength strength, SqlNodeList tables,
      WaitPolicy waitPolicy) {
    super(pos);
    this.strength = strength;
    this.tables = tables;
    this.waitPolicy = waitPolicy;
  }

  /** Returns how strongly the clause locks rows. */
  public Strength getStrength() {
    return strength;
  }

  /** Returns the names after {@code OF}, or null if the clause locks every table. */
  public SqlNodeList getTables() {
    return tables;
  }

  /** Returns what happens when a row is already locked. */
  public WaitPolicy getWaitPolicy() {
    return waitPolicy;
  }

  @Override public SqlOperator getOperator() {
    return OPERATOR;
  }

  @Override public List<SqlNode> getOperandList() {
    return ImmutableNullableList.of(tables);
  }

  @Override public void setOperand(int i, SqlNode operand) {
    if (i != 0) {
      throw new IllegalArgumentException("no operand " + i);
    }
    tables = (SqlNodeList) operand;
  }

  @Override public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    writer.keyword(strength.sql());
    if (tables != null) {
      writer.keyword("OF");
      tables.unparse(writer, 0, 0);
    }
    if (waitPolicy != WaitPolicy.WAIT) {
      writer.keyword(waitPolicy.name().replace('_', ' ').toUpperCase(Locale.ROOT));
    }
  }
}
