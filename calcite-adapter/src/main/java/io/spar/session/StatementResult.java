package io.spar.session;

import io.spar.engine.execution.RowSet;

/**
 * Result of one SQL statement: rows for a query (or a modification with RETURNING), otherwise
 * an update count.
 */
public record StatementResult(RowSet rows, long updateCount) {

  /** Returns a result with rows. */
  public static StatementResult ofRows(RowSet rows) {
    return new StatementResult(rows, -1);
  }

  /** Returns a result with only an update count. */
  public static StatementResult ofCount(long updateCount) {
    return new StatementResult(null, updateCount);
  }

  /** Returns whether the statement produced rows. */
  public boolean hasRows() {
    return rows != null;
  }
}
