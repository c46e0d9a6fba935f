package io.spar.benchmarks;

/** Analytic query: sum and avg per group of 100, {@code SELECT g, sum(amount), avg(amount) FROM %s GROUP BY g ORDER BY g}. */
public class GroupedAggregateBenchmark extends AnalyticBenchmarkBase {
  /** The query, with {@code %s} where the table goes. */
  static final String QUERY = "SELECT g, sum(amount), avg(amount) FROM %s GROUP BY g ORDER BY g";

  @Override
  protected String query(String table) {
    return String.format(QUERY, table);
  }
}
