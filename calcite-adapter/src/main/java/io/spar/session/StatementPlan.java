package io.spar.session;

import io.spar.outcome.StatementResult;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.List;

/**
 * Prepared form of one SQL statement: what could be decided from its text alone, ready to run
 * with any parameter values. Plans are cached per session by statement text.
 */
interface StatementPlan {

  /** Runs the statement with {@code parameters}. */
  StatementResult execute(List<Object> parameters) throws SQLException;

  /** Returns the lines of the distributed plan for {@code parameters}, for EXPLAIN. */
  List<String> explain(List<Object> parameters) throws SQLException;

  /**
   * Runs the statement once per parameter set and returns the update counts, as JDBC's
   * {@code executeBatch} does.
   */
  default long[] executeBatch(List<List<Object>> parameterSets) throws SQLException {
    long[] counts = new long[parameterSets.size()];
    for (int i = 0; i < counts.length; i++) {
      StatementResult result = execute(parameterSets.get(i));
      if (result.hasRows()) {
        throw new BatchUpdateException("A result was returned when none was expected.",
            "0100E", 0, java.util.Arrays.copyOf(counts, i), null);
      }
      counts[i] = result.updateCount();
    }
    return counts;
  }
}
