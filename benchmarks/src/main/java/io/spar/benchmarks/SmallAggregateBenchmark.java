package io.spar.benchmarks;

/**
 * A prepared multi-shard aggregate over a small table, re-executed: what Spar adds to a query
 * it has planned once (shard queries in parallel, the combination at the coordinator).
 */
public class SmallAggregateBenchmark extends AnalyticBenchmarkBase {
  @Override
  protected String query(String table) {
    return "SELECT count(*), sum(amount), max(note) FROM " + table;
  }

  @Override
  protected FactsTable table() {
    return FactsTable.SMALL;
  }
}
