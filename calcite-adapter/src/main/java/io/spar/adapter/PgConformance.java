package io.spar.adapter;

import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlDelegatingConformance;

/**
 * Babel's conformance with PostgreSQL's strict GROUP BY.
 *
 * <p>PostgreSQL rejects non-grouped columns rather than wrapping them in {@code ANY_VALUE}, and
 * Calcite's non-strict check dereferences the null first operand of a searched CASE, which made
 * {@code GROUP BY CASE WHEN … END} fail with a NullPointerException.
 */
final class PgConformance extends SqlDelegatingConformance {
  /** The only instance. */
  static final PgConformance INSTANCE = new PgConformance();

  private PgConformance() {
    super(SqlConformanceEnum.BABEL);
  }

  @Override
  public boolean isNonStrictGroupBy() {
    return false;
  }
}
