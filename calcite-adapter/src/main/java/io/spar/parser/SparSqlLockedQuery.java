package io.spar.parser;

import java.util.List;
import org.apache.calcite.sql.SqlCall;
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
 * Query statement with PostgreSQL's locking clauses ({@code SELECT ... FOR UPDATE}): the
 * query as Calcite parses it (a {@code SqlSelect}, or a {@code SqlOrderBy} when it has ORDER
 * BY, LIMIT or OFFSET, whichever side of the clauses they were written on) and the list of
 * {@link SqlLockingClause}s.
 *
 * <p>Only a whole statement is wrapped; the parser accepts locking clauses nowhere else. The
 * wrapper is not a query to Calcite, so its validator cannot silently plan the query without
 * its locks: Spar's Calcite path refuses it. A router finds the clauses with
 * {@link SparQueries#lockingClauses(SqlNode)}; the position of {@link #getLockingClauses()}
 * spans their text, which a splice of the statement keeps as written. Table references are
 * those of {@link #getQuery()}: the names after {@code OF} are not.
 */
public class SparSqlLockedQuery extends SqlCall {
  /** Operator whose calls rebuild a {@code SparSqlLockedQuery} from its two operands. */
  public static final SqlSpecialOperator OPERATOR =
      new SqlSpecialOperator("LOCKED QUERY", SqlKind.OTHER) {
        @Override public SqlCall createCall(SqlLiteral functionQualifier, SqlParserPos pos,
            SqlNode... operands) {
          return new SparSqlLockedQuery(pos, operands[0], (SqlNodeList) operands[1]);
        }
      };

  private SqlNode query;
  private SqlNodeList lockingClauses;

  /** Creates a statement that runs {@code query} with {@code lockingClauses}, a non-empty list. */
  public SparSqlLockedQuery(SqlParserPos pos, SqlNode query, SqlNodeList lockingClauses) {
    super(pos);
    this.query = query;
    this.lockingClauses = lockingClauses;
  }

  /** Returns the query without its locking clauses. */
  public SqlNode getQuery() {
    return query;
  }

  /** Returns the locking clauses, each a {@link SqlLockingClause}, in the order written. */
  public SqlNodeList getLockingClauses() {
    return lockingClauses;
  }

  @Override public SqlOperator getOperator() {
    return OPERATOR;
  }

  @Override public List<SqlNode> getOperandList() {
    return ImmutableNullableList.of(query, lockingClauses);
  }

  @Override public void setOperand(int i, SqlNode operand) {
    switch (i) {
    case 0 -> query = operand;
    case 1 -> lockingClauses = (SqlNodeList) operand;
    default -> throw new IllegalArgumentException("no operand " + i);
    }
  }

  @Override public void unparse(SqlWriter writer, int leftPrec, int rightPrec) {
    query.unparse(writer, 0, 0);
    for (SqlNode each : lockingClauses) {
      each.unparse(writer, 0, 0);
    }
  }
}
