package io.spar.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints JMH's JSON result ({@code -rf json}) as a table of Spar versus direct pgjdbc: for each
 * benchmark class, the scores of its {@code spar} and {@code direct} methods and their ratio.
 *
 * <p>With {@code SampleTime} (the suite's mode) the median is the 50th percentile of all sampled
 * invocations; with {@code AverageTime} or other modes JMH's percentiles are over iteration
 * scores, and the header says so. The mean is given with JMH's 99.9% confidence half-width.
 *
 * <p>Usage: {@code java -cp target/benchmarks.jar io.spar.benchmarks.ResultTable RESULT.json}
 */
public final class ResultTable {
  /** Operation names of the known benchmark classes, in the order the table lists them. */
  private static final Map<String, String> OPERATIONS = new LinkedHashMap<>();

  static {
    OPERATIONS.put(PointSelectBenchmark.class.getName(), "point SELECT (prepared)");
    OPERATIONS.put(SingleInsertBenchmark.class.getName(), "single-row INSERT (prepared)");
    OPERATIONS.put(BatchInsertBenchmark.class.getName(),
        String.format(Locale.ROOT, "%,d-row executeBatch INSERT", BatchInsertBenchmark.ROWS));
    OPERATIONS.put(ReplicatedInsertBenchmark.class.getName(),
        "single-row INSERT, replication factor 2");
    OPERATIONS.put(CountStarBenchmark.class.getName(), "count(*), 1M rows (vs plain table)");
    OPERATIONS.put(GroupedAggregateBenchmark.class.getName(),
        "GROUP BY 100 groups, sum+avg (vs plain)");
    OPERATIONS.put(TopTenBenchmark.class.getName(), "ORDER BY .. LIMIT 10 (vs plain)");
    OPERATIONS.put(SmallAggregateBenchmark.class.getName(),
        "prepared aggregate, 1k rows (vs plain)");
  }

  private ResultTable() {
  }

  /**
   * Reads the JSON result file named by the first argument and prints the table.
   *
   * @param args the path of JMH's JSON result
   * @throws IOException if the file cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ResultTable JMH-RESULT.json");
      System.exit(2);
    }
    String json = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    print(Json.parse(json), System.out);
  }

  /**
   * Prints the table of a parsed JMH result.
   *
   * @param result the parsed JSON: an array of benchmark results
   * @param out where to print
   */
  @SuppressWarnings("unchecked")
  static void print(Object result, PrintStream out) {
    Map<String, Map<String, Score>> byClass = new LinkedHashMap<>();
    OPERATIONS.keySet().forEach(name -> byClass.put(name, new LinkedHashMap<>()));
    String mode = null;
    String unit = null;
    for (Object entry : (List<Object>) result) {
      Map<String, Object> run = (Map<String, Object>) entry;
      String benchmark = (String) run.get("benchmark");
      int dot = benchmark.lastIndexOf('.');
      Score score = Score.of((Map<String, Object>) run.get("primaryMetric"));
      byClass.computeIfAbsent(benchmark.substring(0, dot), k -> new LinkedHashMap<>())
          .put(benchmark.substring(dot + 1), score);
      mode = (String) run.get("mode");
      unit = score.unit;
    }
    if (mode == null) {
      out.println("No benchmark results.");
      return;
    }
    boolean sampled = "sample".equals(mode);
    out.printf(Locale.ROOT, "Spar vs direct pgjdbc, %d workers, %d shards, replication factor %d;"
        + " JMH mode %s, %s, lower is better.%n", BenchCluster.WORKERS, BenchCluster.SHARDS,
        BenchCluster.REPLICATION_FACTOR, mode, unit);
    out.println(sampled
        ? "Median = 50th percentile of all sampled invocations (SampleTime)."
        : "Median = median of the iteration scores (mode " + mode + " has no per-invocation"
            + " percentiles).");
    out.println("Mean ± error = JMH's score with its 99.9% confidence half-width."
        + " Ratio = Spar / direct.");
    out.println();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Operation", "Spar median", "Direct median", "Ratio (median)",
        "Spar mean ± error", "Direct mean ± error", "Ratio (mean)", "Samples (Spar/direct)"});
    for (Map.Entry<String, Map<String, Score>> entry : byClass.entrySet()) {
      Score spar = entry.getValue().get("spar");
      Score direct = entry.getValue().get("direct");
      if (spar == null && direct == null) {
        continue;
      }
      String operation = OPERATIONS.getOrDefault(entry.getKey(),
          entry.getKey().substring(entry.getKey().lastIndexOf('.') + 1));
      rows.add(new String[] {operation,
          spar == null ? "missing" : number(spar.median),
          direct == null ? "missing" : number(direct.median),
          ratio(spar == null ? Double.NaN : spar.median,
              direct == null ? Double.NaN : direct.median),
          spar == null ? "missing" : spar.meanWithError(),
          direct == null ? "missing" : direct.meanWithError(),
          ratio(spar == null ? Double.NaN : spar.mean,
              direct == null ? Double.NaN : direct.mean),
          (spar == null ? "-" : spar.samples()) + " / " + (direct == null ? "-" : direct.samples())});
    }
    printAligned(rows, out);
    Map<String, Score> port = byClass.get(PostgresPortSelectBenchmark.class.getName());
    if (port != null && port.keySet().containsAll(List.of("spar", "embedded", "direct",
        "proxied"))) {
      out.println();
      out.printf(Locale.ROOT, "PostgreSQL port, point SELECT, medians in %s: through the port"
          + " %s, through jdbc:spar: %s, so the port adds %s; straight to the worker %s, through"
          + " a proxy that only copies bytes %s, so one more hop adds %s.%n", unit,
          number(port.get("spar").median), number(port.get("embedded").median),
          number(port.get("spar").median - port.get("embedded").median),
          number(port.get("direct").median), number(port.get("proxied").median),
          number(port.get("proxied").median - port.get("direct").median));
    }
  }

  private static void printAligned(List<String[]> rows, PrintStream out) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder();
      String[] row = rows.get(r);
      for (int i = 0; i < row.length; i++) {
        String cell = row[i];
        String pad = " ".repeat(widths[i] - cell.length());
        line.append(i == 0 ? cell + pad : "  " + pad + cell); // first column left-aligned
      }
      out.println(line.toString().stripTrailing());
      if (r == 0) {
        out.println("-".repeat(line.length()));
      }
    }
  }

  private static String number(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%,.1f", value);
  }

  private static String ratio(double spar, double direct) {
    if (Double.isNaN(spar) || Double.isNaN(direct) || direct == 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2fx", spar / direct);
  }

  /** The primary metric of one benchmark. */
  private static final class Score {
    final double mean;
    final double error;
    final double median;
    final String unit;
    final long samples;

    private Score(double mean, double error, double median, String unit, long samples) {
      this.mean = mean;
      this.error = error;
      this.median = median;
      this.unit = unit;
      this.samples = samples;
    }

    @SuppressWarnings("unchecked")
    static Score of(Map<String, Object> metric) {
      Map<String, Object> percentiles = (Map<String, Object>) metric.get("scorePercentiles");
      Object median = percentiles == null ? null : percentiles.get("50.0");
      return new Score(toDouble(metric.get("score")), toDouble(metric.get("scoreError")),
          toDouble(median), (String) metric.get("scoreUnit"),
          count(metric.get("rawDataHistogram"), 0) + count(metric.get("rawData"), 0));
    }

    /**
     * Counts the measurements: {@code rawDataHistogram} (SampleTime) nests forks, iterations and
     * [value, count] pairs; {@code rawData} (other modes) nests forks and iteration scores.
     */
    private static long count(Object data, int depth) {
      if (!(data instanceof List<?> list)) {
        return 0;
      }
      if (depth == 3) { // a [value, count] pair
        return list.size() == 2 && list.get(1) instanceof Number n ? n.longValue() : 0;
      }
      long total = 0;
      for (Object element : list) {
        total += element instanceof List<?> ? count(element, depth + 1) : 1;
      }
      return total;
    }

    String samples() {
      return samples == 0 ? "?" : Long.toString(samples);
    }

    String meanWithError() {
      return number(mean) + " ± " + number(error);
    }

    /** JMH writes NaN and infinities as strings. */
    private static double toDouble(Object value) {
      if (value instanceof Number number) {
        return number.doubleValue();
      }
      if (value instanceof String text) {
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
      return Double.NaN;
    }
  }
}
