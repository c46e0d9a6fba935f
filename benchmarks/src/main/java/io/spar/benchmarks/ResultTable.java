package io.spar.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints JMH's JSON results ({@code -rf json}) as a table of Spar versus direct pgjdbc: for each
 * operation, the scores of its {@code spar} and {@code direct} methods and their ratio (and of
 * its {@code shardingsphere} method, from the same class or a ShardingSphere class of the same
 * operation, when ShardingSphere-JDBC ran), then one machine-readable line of the headline
 * ratios.
 *
 * <p>With {@code SampleTime} (the suite's mode) the median is the 50th percentile of all sampled
 * invocations; with {@code AverageTime} or other modes JMH's percentiles are over iteration
 * scores, and the header says so. The mean is given with JMH's 99.9% confidence half-width, the
 * error bar of the run.
 *
 * <p>Usage: {@code java -cp target/benchmarks.jar io.spar.benchmarks.ResultTable [--table |
 * --ratios] [--markdown] [--merged OUT.json] RESULT.json...}: several result files (one per JMH
 * run) are read as one run; {@code --table} prints only the table, {@code --ratios} only the
 * last line, {@code --markdown} the table as Markdown, and {@code --merged} also writes the
 * results as one JSON array.
 */
public final class ResultTable {
  /** Method name of the measurements through {@code jdbc:spar:}. */
  static final String SPAR = "spar";
  /** Method name of the measurements through ShardingSphere-JDBC. */
  static final String SHARDINGSPHERE = "shardingsphere";
  /** Method name of the measurements with pgjdbc straight on the shards or a plain table. */
  static final String DIRECT = "direct";

  /** The version of ShardingSphere-JDBC that shardingsphere-lib/pom.xml brings. */
  private static final String SHARDINGSPHERE_VERSION = "5.5.2";
  /** The operation that ShardingSphere-JDBC has no equivalent of. */
  private static final String REPLICATED_INSERT = "single-row INSERT, replication factor 2";

  /** Operation names of the known benchmark classes, in the order the table lists them. */
  private static final Map<String, String> OPERATIONS = new LinkedHashMap<>();
  /** Short names of the operations, for the charts. */
  private static final Map<String, String> SHORT_NAMES = new LinkedHashMap<>();

  static {
    // ShardingSphere's measurements of an operation sit in the row of Spar's and direct's.
    String pointSelect = "point SELECT (prepared)";
    OPERATIONS.put(PointSelectBenchmark.class.getName(), pointSelect);
    OPERATIONS.put(ShardingSpherePointSelectBenchmark.class.getName(), pointSelect);
    String insert = "single-row INSERT (prepared)";
    OPERATIONS.put(SingleInsertBenchmark.class.getName(), insert);
    OPERATIONS.put(ShardingSphereSingleInsertBenchmark.class.getName(), insert);
    String batch =
        String.format(Locale.ROOT, "%,d-row executeBatch INSERT", BatchInsertBenchmark.ROWS);
    OPERATIONS.put(BatchInsertBenchmark.class.getName(), batch);
    OPERATIONS.put(ShardingSphereBatchInsertBenchmark.class.getName(), batch);
    OPERATIONS.put(ReplicatedInsertBenchmark.class.getName(), REPLICATED_INSERT);
    OPERATIONS.put(MultiShardAggregateBenchmark.class.getName(), String.format(Locale.ROOT,
        "count+sum+max, %,d rows (vs plain)", MultiShardAggregateBenchmark.ROWS));
    OPERATIONS.put(CountStarBenchmark.class.getName(), "count(*), 1M rows (vs plain table)");
    OPERATIONS.put(GroupedAggregateBenchmark.class.getName(),
        "GROUP BY 100 groups, sum+avg (vs plain)");
    OPERATIONS.put(TopTenBenchmark.class.getName(), "ORDER BY .. LIMIT 10 (vs plain)");
    OPERATIONS.put(SmallAggregateBenchmark.class.getName(),
        "prepared aggregate, 1k rows (vs plain)");
    SHORT_NAMES.put(pointSelect, "point SELECT");
    SHORT_NAMES.put(insert, "INSERT");
    SHORT_NAMES.put(batch, "batch INSERT");
    SHORT_NAMES.put(REPLICATED_INSERT, "INSERT, RF 2");
    SHORT_NAMES.put(OPERATIONS.get(MultiShardAggregateBenchmark.class.getName()), "count+sum+max");
    SHORT_NAMES.put(OPERATIONS.get(CountStarBenchmark.class.getName()), "count(*)");
    SHORT_NAMES.put(OPERATIONS.get(GroupedAggregateBenchmark.class.getName()), "GROUP BY");
    SHORT_NAMES.put(OPERATIONS.get(TopTenBenchmark.class.getName()), "top 10");
    SHORT_NAMES.put(OPERATIONS.get(SmallAggregateBenchmark.class.getName()), "small aggregate");
  }

  /** Returns a short name of {@code operation} for a chart's axis, or the operation itself. */
  static String shortName(String operation) {
    return SHORT_NAMES.getOrDefault(operation, operation);
  }

  /**
   * The headline ratios of the last line, in its order: name, benchmark class, and whether the
   * ratio is of throughput (direct over Spar) rather than of time (Spar over direct).
   */
  private static final List<Ratio> RATIOS = List.of(
      new Ratio("point_select", PointSelectBenchmark.class.getName(), false),
      new Ratio("insert", SingleInsertBenchmark.class.getName(), false),
      new Ratio("batch_throughput", BatchInsertBenchmark.class.getName(), true),
      new Ratio("rf2_insert", ReplicatedInsertBenchmark.class.getName(), false),
      new Ratio("multi_shard_agg", GroupedAggregateBenchmark.class.getName(), false));

  private ResultTable() {
  }

  /**
   * Reads the JSON result files named by the arguments and prints the table and the ratios.
   *
   * @param args options (see the class comment), then the paths of JMH's JSON results
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    boolean table = true;
    boolean ratios = true;
    boolean markdown = false;
    Path merged = null;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--table" -> ratios = false;
        case "--ratios" -> table = false;
        case "--markdown" -> markdown = true;
        case "--merged" -> merged = Path.of(args[++i]);
        default -> files.add(Path.of(args[i]));
      }
    }
    if (!(table || ratios)) {
      System.err.println("usage: ResultTable [--table | --ratios] [--markdown] [--merged OUT.json]"
          + " JMH-RESULT.json...");
      System.exit(2);
    }
    List<String> texts = new ArrayList<>();
    for (Path file : files) {
      texts.add(Files.readString(file, StandardCharsets.UTF_8));
    }
    String json = Json.concatArrays(texts);
    if (merged != null) {
      Files.writeString(merged, json, StandardCharsets.UTF_8);
    }
    Results results = Results.of(Json.parse(json));
    if (table) {
      print(results, markdown, System.out);
    }
    if (ratios) {
      System.out.println(ratioLine(results));
    }
  }

  /**
   * Returns the machine-readable line of the headline ratios, medians from one run:
   * {@code ratios point_select=X insert=Y batch_throughput=Z rf2_insert=W multi_shard_agg=V},
   * each Spar over direct except {@code batch_throughput}, Spar's throughput over direct's
   * (direct's median time over Spar's); {@code n/a} for a ratio whose benchmarks did not run.
   */
  static String ratioLine(Results results) {
    StringBuilder line = new StringBuilder("ratios");
    for (Ratio ratio : RATIOS) {
      Map<String, Score> scores = results.byClass.getOrDefault(ratio.benchmarkClass, Map.of());
      Score spar = scores.get(SPAR);
      Score direct = scores.get(DIRECT);
      double value = Double.NaN;
      if (spar != null && direct != null) {
        value = ratio.throughput ? direct.median / spar.median : spar.median / direct.median;
      }
      line.append(' ').append(ratio.name).append('=').append(
          Double.isNaN(value) || Double.isInfinite(value)
              ? "n/a" : String.format(Locale.ROOT, "%.2f", value));
    }
    return line.toString();
  }

  /**
   * Prints the table of the results.
   *
   * @param results the parsed results
   * @param markdown whether to print a Markdown table rather than aligned columns
   * @param out where to print
   */
  static void print(Results results, boolean markdown, PrintStream out) {
    if (results.mode == null) {
      out.println("No benchmark results.");
      return;
    }
    boolean sampled = "sample".equals(results.mode);
    out.printf(Locale.ROOT, "Spar vs direct pgjdbc, %d workers, %d shards, replication factor %d"
        + " unless the operation says otherwise; JMH mode %s, lower is better.%n",
        BenchCluster.WORKERS, BenchCluster.SHARDS, BenchCluster.REPLICATION_FACTOR,
        results.mode);
    out.println(sampled
        ? "Median = 50th percentile of all sampled invocations (SampleTime)."
        : "Median = median of the iteration scores (mode " + results.mode + " has no"
            + " per-invocation percentiles).");
    out.println("Mean ± error = JMH's score with its 99.9% confidence half-width (the error bar)."
        + " Ratio = median / direct's median.");
    boolean shardingSphere = results.byOperation.values().stream()
        .anyMatch(scores -> scores.containsKey(SHARDINGSPHERE));
    if (shardingSphere) {
      out.println("SS = ShardingSphere-JDBC " + SHARDINGSPHERE_VERSION + " on the same workers,"
          + " 8 tables of the same shape, 4 per worker.");
    }
    out.println();
    List<String[]> rows = new ArrayList<>();
    rows.add(shardingSphere
        ? new String[] {"Operation", "Unit", "Spar median", "SS median", "Direct median",
            "Spar/direct", "SS/direct", "Spar mean ± error", "SS mean ± error",
            "Direct mean ± error", "Samples (Spar/SS/direct)"}
        : new String[] {"Operation", "Unit", "Spar median", "Direct median", "Spar/direct",
            "Spar mean ± error", "Direct mean ± error", "Samples (Spar/direct)"});
    boolean unmatched = false;
    for (Map.Entry<String, Map<String, Score>> entry : results.byOperation.entrySet()) {
      Score spar = entry.getValue().get(SPAR);
      Score other = entry.getValue().get(SHARDINGSPHERE);
      Score direct = entry.getValue().get(DIRECT);
      if (spar == null && other == null && direct == null) {
        continue;
      }
      String unit = (spar != null ? spar : other != null ? other : direct).unit;
      if (shardingSphere) {
        boolean none = other == null && entry.getKey().equals(REPLICATED_INSERT);
        unmatched |= none;
        rows.add(new String[] {entry.getKey(), unit, median(spar),
            none ? "none (*)" : median(other), median(direct), ratio(spar, direct),
            ratio(other, direct), meanWithError(spar), meanWithError(other),
            meanWithError(direct),
            samples(spar) + " / " + samples(other) + " / " + samples(direct)});
      } else {
        rows.add(new String[] {entry.getKey(), unit, median(spar), median(direct),
            ratio(spar, direct), meanWithError(spar), meanWithError(direct),
            samples(spar) + " / " + samples(direct)});
      }
    }
    if (markdown) {
      printMarkdown(rows, out);
    } else {
      printAligned(rows, out);
    }
    if (unmatched) {
      out.println();
      out.println("(*) ShardingSphere-JDBC has no sharded table with replicated shards committed"
          + " atomically: its broadcast tables copy a whole unsharded table to every data source"
          + " and readwrite-splitting leaves replication to the database, so that row has no"
          + " ShardingSphere measurement.");
    }
    Map<String, Score> port = results.byClass.get(PostgresPortSelectBenchmark.class.getName());
    if (port != null && port.keySet().containsAll(List.of(SPAR, "embedded", DIRECT,
        "proxied"))) {
      out.println();
      out.printf(Locale.ROOT, "PostgreSQL port, point SELECT, medians in %s: through the port"
          + " %s, through jdbc:spar: %s, so the port adds %s; straight to the worker %s, through"
          + " a proxy that only copies bytes %s, so one more hop adds %s.%n",
          port.get(SPAR).unit, number(port.get(SPAR).median),
          number(port.get("embedded").median),
          number(port.get(SPAR).median - port.get("embedded").median),
          number(port.get(DIRECT).median), number(port.get("proxied").median),
          number(port.get("proxied").median - port.get(DIRECT).median));
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

  private static void printMarkdown(List<String[]> rows, PrintStream out) {
    for (int r = 0; r < rows.size(); r++) {
      out.println("| " + String.join(" | ", rows.get(r)) + " |");
      if (r == 0) {
        StringBuilder rule = new StringBuilder("|---|");
        rule.append("---:|".repeat(rows.get(r).length - 1));
        out.println(rule);
      }
    }
  }

  private static String median(Score score) {
    return score == null ? "-" : number(score.median);
  }

  private static String meanWithError(Score score) {
    return score == null ? "-" : number(score.mean) + " ± " + number(score.error);
  }

  private static String samples(Score score) {
    return score == null ? "-" : score.samples == 0 ? "?" : Long.toString(score.samples);
  }

  static String number(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%,.1f", value);
  }

  private static String ratio(Score score, Score direct) {
    double value = ratio(score == null ? Double.NaN : score.median,
        direct == null ? Double.NaN : direct.median);
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2fx", value);
  }

  /** Returns {@code value / direct}, or NaN when either is missing or direct is zero. */
  static double ratio(double value, double direct) {
    if (Double.isNaN(value) || Double.isNaN(direct) || direct == 0) {
      return Double.NaN;
    }
    return value / direct;
  }

  /** A ratio of the last line. */
  private record Ratio(String name, String benchmarkClass, boolean throughput) {
  }

  /**
   * The primary metrics of one run, by benchmark class and method, and by operation (a table
   * row: the operation's name, with the JMH parameters of the run if it has any) and method.
   */
  static final class Results {
    /** JMH mode of the last result, or null without results. */
    String mode;
    /** Scores by benchmark class (fully qualified) and method; the last of several params. */
    final Map<String, Map<String, Score>> byClass = new LinkedHashMap<>();
    /** Scores by operation and method, operations in the table's order. */
    final Map<String, Map<String, Score>> byOperation = new LinkedHashMap<>();
    /** The operations of {@link #byOperation} that are one setting of JMH parameters. */
    final Set<String> parameterized = new HashSet<>();
    /**
     * Scores by benchmark class, method and the value of the JMH parameter {@code shards}, for
     * the benchmarks that have that parameter.
     */
    final Map<String, Map<String, Map<Integer, Score>>> byShards = new LinkedHashMap<>();

    private Results() {
    }

    /** Reads a parsed JMH result: an array of benchmark results. */
    @SuppressWarnings("unchecked")
    static Results of(Object json) {
      Results results = new Results();
      OPERATIONS.values().forEach(name -> results.byOperation.put(name, new LinkedHashMap<>()));
      for (Object entry : (List<Object>) json) {
        Map<String, Object> run = (Map<String, Object>) entry;
        String benchmark = (String) run.get("benchmark");
        int dot = benchmark.lastIndexOf('.');
        String benchmarkClass = benchmark.substring(0, dot);
        String method = benchmark.substring(dot + 1);
        Score score = Score.of((Map<String, Object>) run.get("primaryMetric"));
        Map<String, Object> params = (Map<String, Object>) run.get("params");
        results.byClass.computeIfAbsent(benchmarkClass, k -> new LinkedHashMap<>())
            .put(method, score);
        String operation = OPERATIONS.getOrDefault(benchmarkClass,
            benchmarkClass.substring(benchmarkClass.lastIndexOf('.') + 1));
        if (params != null && !params.isEmpty()) {
          operation += " " + new TreeMap<>(params);
          results.parameterized.add(operation);
          Object shards = params.get("shards");
          if (shards != null) {
            results.byShards.computeIfAbsent(benchmarkClass, k -> new LinkedHashMap<>())
                .computeIfAbsent(method, k -> new TreeMap<>())
                .put(Integer.valueOf(shards.toString()), score);
          }
        }
        results.byOperation.computeIfAbsent(operation, k -> new LinkedHashMap<>())
            .put(method, score);
        results.mode = (String) run.get("mode");
      }
      return results;
    }
  }

  /** The primary metric of one benchmark. */
  static final class Score {
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
