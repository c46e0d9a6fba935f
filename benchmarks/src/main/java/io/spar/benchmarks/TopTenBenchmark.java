package io.spar.benchmarks;

/** Analytic query: the top 10 by a non-distribution column, {@code SELECT id, amount FROM %s ORDER BY amount DESC, id LIMIT 10}. */
public class TopTenBenchmark extends AnalyticBenchmarkBase {
  /** The query, with {@code %s} where the table goes. */
  static final String QUERY = "SELECT id, amount FROM %s ORDER BY amount DESC, id LIMIT 10";

  @Override
  protected String query(String table) {
    return String.format(QUERY, table);
  }
}
