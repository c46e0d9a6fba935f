package io.spar.outcome;

import io.spar.engine.execution.RowSet;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.List;

/**
 * Result of one SQL statement: rows for a query (or a modification with RETURNING), otherwise
 * an update count; with the warnings PostgreSQL would have sent as notices.
 *
 * @param rows the rows, or null
 * @param updateCount the update count, or -1 with rows
 * @param warnings warnings the statement raised, oldest first
 */
public record StatementResult(RowSet rows, long updateCount, List<SQLWarning> warnings) {

  /** Copies the warnings so that the record stays immutable. */
  public StatementResult {
    warnings = List.copyOf(warnings);
  }

  /** Returns a result with rows. */
  public static StatementResult ofRows(RowSet rows) {
    return new StatementResult(rows, -1, List.of());
  }

  /** Returns a result with only an update count. */
  public static StatementResult ofCount(long updateCount) {
    return new StatementResult(null, updateCount, List.of());
  }

  /** Returns this result with {@code warning} added. */
  public StatementResult withWarning(SQLWarning warning) {
    List<SQLWarning> all = new ArrayList<>(warnings);
    all.add(warning);
    return new StatementResult(rows, updateCount, all);
  }

  /** Returns whether the statement produced rows. */
  public boolean hasRows() {
    return rows != null;
  }
}
