package io.spar.benchmarks;

/** Analytic query: count(*) of every row, {@code SELECT count(*) FROM %s}. */
public class CountStarBenchmark extends AnalyticBenchmarkBase {
  /** The query, with {@code %s} where the table goes. */
  static final String QUERY = "SELECT count(*) FROM %s";

  @Override
  protected String query(String table) {
    return String.format(QUERY, table);
  }
}
