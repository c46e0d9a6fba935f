package io.spar.parser;

import java.util.Optional;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;

/**
 * Questions that planners ask of a parsed query statement.
 */
public final class SparQueries {
  private SparQueries() {
  }

  /**
   * Returns the locking clauses ({@code FOR UPDATE ...}) of {@code statement}, each a
   * {@link SqlLockingClause}, or empty if it has none. The list's parser position spans the
   * clauses' text.
   */
  public static Optional<SqlNodeList> lockingClauses(SqlNode statement) {
    return statement instanceof SparSqlLockedQuery locked
        ? Optional.of(locked.getLockingClauses()) : Optional.empty();
  }

  /** Returns {@code statement} without its locking clauses: the query they lock, or itself. */
  public static SqlNode withoutLocking(SqlNode statement) {
    return statement instanceof SparSqlLockedQuery locked ? locked.getQuery() : statement;
  }

  /** Returns whether {@code query} already has an OFFSET, LIMIT or FETCH. */
  public static boolean hasOffsetOrFetch(SqlNode query) {
    return query instanceof SqlOrderBy ordered
        && (ordered.offset != null || ordered.fetch != null);
  }
}
