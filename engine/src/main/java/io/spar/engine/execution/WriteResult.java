package io.spar.engine.execution;

/**
 * Outcome of a modification or batch: an update count per statement, and the rows of a
 * statement that returned rows (RETURNING).
 *
 * @param updateCounts one count per statement of the batch; a single statement has one
 * @param rows the returned rows, one per modified row (not per placement), or null
 */
public record WriteResult(long[] updateCounts, RowSet rows) {

  /** Returns the total number of rows the statements modified. */
  public long totalCount() {
    long total = 0;
    for (long each : updateCounts) {
      total += each;
    }
    return total;
  }
}
