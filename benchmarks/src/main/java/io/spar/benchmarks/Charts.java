package io.spar.benchmarks;

import io.spar.benchmarks.ResultTable.Results;
import io.spar.benchmarks.ResultTable.Score;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Draws PNG charts of a run's JMH results with XChart, headless:
 *
 * <ul>
 *   <li>{@code ratios.png}: per operation, the median of Spar and of ShardingSphere-JDBC over
 *       direct pgjdbc's (1 = as fast as direct), each bar labelled with its ratio;
 *   <li>{@code scale-<Class>.png}, for every benchmark class with a JMH parameter {@code shards}:
 *       each method's median latency against the shard count;
 *   <li>{@code catalog.png}, if the catalog scale file exists (a JSON array of objects
 *       {@code {"shards": N, "loadMillis": x, "heapBytesPerShard": y}}): catalog load time and
 *       heap per shard against the shard count.
 * </ul>
 *
 * <p>Charts without data in this run are left as they are. Each title carries the date, so a
 * chart tells which run it came from; {@code run.sh} records the machine in
 * {@code charts/MACHINE.md}.
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp target/benchmarks.jar
 * io.spar.benchmarks.Charts [--out DIR] [--catalog FILE] RESULT.json...} (defaults:
 * {@code charts} and {@code target/scale/catalog.json}, relative to {@code benchmarks/}); prints
 * one line naming the files written.
 */
public final class Charts {
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 560;

  private Charts() {
  }

  /**
   * Reads the results and writes the charts.
   *
   * @param args options (see the class comment), then the paths of JMH's JSON results
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    // AWT must not look for a display: the charts are drawn into images only.
    System.setProperty("java.awt.headless", "true");
    Path out = Path.of("charts");
    Path catalog = Path.of("target/scale/catalog.json");
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--catalog" -> catalog = Path.of(args[++i]);
        default -> texts.add(Files.readString(Path.of(args[i]), StandardCharsets.UTF_8));
      }
    }
    Results results = Results.of(Json.parse(Json.concatArrays(texts)));
    Files.createDirectories(out);
    String date = LocalDate.now(ZoneOffset.UTC).toString();
    List<Path> written = new ArrayList<>();
    ratios(results, date, out, written);
    for (Map.Entry<String, Map<String, Map<Integer, Score>>> entry : results.byShards.entrySet()) {
      scale(entry.getKey(), entry.getValue(), date, out, written);
    }
    if (Files.isRegularFile(catalog)) {
      catalog(Json.parse(Files.readString(catalog, StandardCharsets.UTF_8)), date, out, written);
    }
    System.out.println(written.isEmpty() ? "Charts: no data for a chart in this run."
        : "Charts: " + String.join(", ", written.stream().map(Path::toString).toList()));
  }

  /** The bar chart of the ratios over direct, for the operations without JMH parameters. */
  private static void ratios(Results results, String date, Path out, List<Path> written)
      throws IOException {
    List<String> operations = new ArrayList<>();
    List<Double> spar = new ArrayList<>();
    List<Double> shardingSphere = new ArrayList<>();
    boolean anyShardingSphere = false;
    for (Map.Entry<String, Map<String, Score>> entry : results.byOperation.entrySet()) {
      Map<String, Score> scores = entry.getValue();
      Score direct = scores.get(ResultTable.DIRECT);
      if (results.parameterized.contains(entry.getKey()) || direct == null) {
        continue;
      }
      Double sparRatio = ratio(scores.get(ResultTable.SPAR), direct);
      Double otherRatio = ratio(scores.get(ResultTable.SHARDINGSPHERE), direct);
      if (sparRatio == null && otherRatio == null) {
        continue;
      }
      operations.add(ResultTable.shortName(entry.getKey()));
      spar.add(sparRatio);
      shardingSphere.add(otherRatio);
      anyShardingSphere |= otherRatio != null;
    }
    if (operations.isEmpty()) {
      return;
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Median over direct pgjdbc's median (lower is better), " + date)
        .xAxisTitle("").yAxisTitle("median / direct pgjdbc's median (1 = as fast)").build();
    Styler styler = chart.getStyler();
    // A linear axis: XChart's logarithmic one refuses the missing bars. The labels give the
    // small ratios that a few large ones flatten.
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsRotation(0);
    chart.getStyler().setLabelsPosition(1.0);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    chart.getStyler().setLabelsFontColor(java.awt.Color.BLACK);
    chart.getStyler().setXAxisMaxLabelCount(Integer.MAX_VALUE); // one label per operation
    chart.getStyler().setYAxisDecimalPattern("0.##");
    chart.getStyler().setOverlapped(false);
    styler.setLegendPosition(Styler.LegendPosition.InsideNW);
    styler.setChartBackgroundColor(java.awt.Color.WHITE);
    // Missing bars (an operation one side did not run) are nulls, which XChart skips.
    chart.addSeries("Spar", operations, spar);
    if (anyShardingSphere) {
      chart.addSeries("ShardingSphere-JDBC 5.5.2", operations, shardingSphere);
    }
    save(chart, out.resolve("ratios.png"), written);
  }

  /** Returns {@code score / direct} of the medians, or null if either is missing. */
  private static Double ratio(Score score, Score direct) {
    if (score == null) {
      return null;
    }
    double value = ResultTable.ratio(score.median, direct.median);
    return Double.isNaN(value) || Double.isInfinite(value) ? null : value;
  }

  /** The line chart of each method's median latency against the JMH parameter shards. */
  private static void scale(String benchmarkClass, Map<String, Map<Integer, Score>> byMethod,
      String date, Path out, List<Path> written) throws IOException {
    String name = benchmarkClass.substring(benchmarkClass.lastIndexOf('.') + 1);
    String unit = null;
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(name + ": median latency against the shard count, " + date)
        .xAxisTitle("shards (log scale)").yAxisTitle("median").build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setXAxisDecimalPattern("#,##0");
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    for (Map.Entry<String, Map<Integer, Score>> method : byMethod.entrySet()) {
      List<Integer> shards = new ArrayList<>();
      List<Double> medians = new ArrayList<>();
      for (Map.Entry<Integer, Score> point : new TreeMap<>(method.getValue()).entrySet()) {
        if (!Double.isNaN(point.getValue().median)) {
          shards.add(point.getKey());
          medians.add(point.getValue().median);
          unit = point.getValue().unit;
        }
      }
      if (!shards.isEmpty()) {
        XYSeries series = chart.addSeries(method.getKey(), shards, medians);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      }
    }
    if (unit == null) {
      return;
    }
    chart.setYAxisTitle("median, " + unit);
    save(chart, out.resolve("scale-" + name + ".png"), written);
  }

  /** The chart of catalog load time (left axis) and heap per shard (right axis) by shards. */
  @SuppressWarnings("unchecked")
  private static void catalog(Object json, String date, Path out, List<Path> written)
      throws IOException {
    TreeMap<Double, double[]> points = new TreeMap<>();
    for (Object entry : (List<Object>) json) {
      Map<String, Object> point = (Map<String, Object>) entry;
      if (point.get("shards") instanceof Number shards
          && point.get("loadMillis") instanceof Number millis
          && point.get("heapBytesPerShard") instanceof Number heap) {
        points.put(shards.doubleValue(), new double[] {millis.doubleValue(),
            heap.doubleValue()});
      }
    }
    if (points.isEmpty()) {
      return;
    }
    List<Double> shards = new ArrayList<>(points.keySet());
    List<Double> millis = new ArrayList<>();
    List<Double> heap = new ArrayList<>();
    points.values().forEach(point -> {
      millis.add(point[0]);
      heap.add(point[1]);
    });
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Catalog load time and heap per shard against the shard count, " + date)
        .xAxisTitle("shards (log scale)").build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setXAxisDecimalPattern("#,##0");
    chart.getStyler().setYAxisMin(0, 0.0);
    chart.getStyler().setYAxisMin(1, 0.0);
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.addSeries("catalog load time (ms)", shards, millis).setYAxisGroup(0);
    chart.addSeries("heap per shard (bytes)", shards, heap).setYAxisGroup(1);
    chart.setYAxisGroupTitle(0, "load time, ms");
    chart.setYAxisGroupTitle(1, "heap per shard, bytes");
    save(chart, out.resolve("catalog.png"), written);
  }

  private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file,
      List<Path> written) throws IOException {
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    written.add(file);
  }
}
