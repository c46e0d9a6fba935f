package io.spar.benchmarks;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.TableName;
import io.spar.engine.cluster.LocalCluster;
import io.spar.jdbc.EngineRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Catalog load time and heap per shard at 1,024 and 10,000 shards (issue 16), on a local cluster
 * of 2 workers with replication factor 1: a plain {@code main}, since each number comes from a
 * handful of slow, stateful operations (loads of thousands of rows, full GCs, whole engines)
 * rather than from a hot loop JMH would help with.
 *
 * <p>For each shard count it keeps a cluster of its own ({@code scale-catalog-<N>s} under
 * {@link ScaleCluster#targetDirectory()}), so that the 10,000 shard tables are made once, and
 * measures three things:
 * <ul>
 *   <li><b>catalog load</b>: {@link CatalogStore#load}, the call through which the engine's
 *       {@code MetadataCache} reads the whole catalog, on a plain pgjdbc connection to the
 *       coordinator; median of {@value #TIMED_LOADS} loads after at least 10 s of warm-up loads
 *       (a warm JVM reloading after an invalidation, not the JVM's very first load);
 *   <li><b>heap per shard</b>: the heap the loaded {@link CatalogSnapshot} keeps reachable. Used
 *       heap is read after repeated full collections ({@code System.gc()}, a full collection
 *       under the default G1) with no snapshot held, then with several independently loaded
 *       snapshots held; the difference over (snapshots × shards) is the retained size per shard,
 *       including the table's share of maps, lists and strings. Holding several snapshots
 *       makes the difference large against the few kilobytes the heap drifts by between two
 *       readings; the median of several rounds is reported;
 *   <li><b>fresh engine to first routed row</b>: the engine shared by {@code jdbc:spar:}
 *       connections is closed ({@link EngineRegistry#close(String)}), then the time from opening
 *       a new connection (a new engine: pools, catalog migration check, catalog load, planning)
 *       to the answer of a routed point SELECT, whose row is checked. The first engine at each
 *       shard count is left out of the median: in the JVM's first one the planner's classes
 *       are also loaded and compiled.
 * </ul>
 * It prints a table and writes {@code scale/catalog.json} under the target directory: an array of
 * {@code {"shards": N, "loadMillis": x, "heapBytesPerShard": y, "engineFirstQueryMillis": z}}
 * (medians; times in milliseconds).
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.spar.benchmarks.CatalogScale
 * [SHARDS...]} (default 1024 10000).
 */
public final class CatalogScale {
  private static final int WORKERS = 2;
  private static final int[] DEFAULT_SHARDS = {1_024, 10_000};
  /** Rows loaded so that the routed query has a row to return and check. */
  private static final int ROWS = 1_000;
  /** Warm-up loads: at least this many, and for at least {@link #WARMUP_NANOS}. */
  private static final int WARMUP_LOADS = 20;
  private static final long WARMUP_NANOS = 10_000_000_000L;
  private static final int TIMED_LOADS = 15;
  private static final int HEAP_ROUNDS = 3;
  private static final int SNAPSHOTS_HELD = 8;
  private static final int ENGINES = 6;

  private CatalogScale() {
  }

  /** What was measured at one shard count. */
  record Result(int shards, double loadMillis, double heapBytesPerShard,
      double engineFirstQueryMillis) {
  }

  /**
   * Measures each shard count in turn, prints the table and writes the JSON file.
   *
   * @param args shard counts, by default 1024 and 10000
   * @throws Exception if a cluster, a query or a check fails
   */
  public static void main(String[] args) throws Exception {
    int[] shardCounts = args.length == 0 ? DEFAULT_SHARDS
        : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    List<Result> results = new ArrayList<>();
    for (int shards : shardCounts) {
      Path directory = ScaleCluster.targetDirectory().resolve("scale-catalog-" + shards + "s");
      System.err.printf("CatalogScale: %,d shards (cluster in %s)%n", shards, directory);
      try (ScaleCluster cluster = ScaleCluster.start(directory, WORKERS, shards)) {
        ScaleCluster.KeyMap keys = cluster.keyMap(0, ROWS);
        cluster.ensureRows(keys);
        results.add(measure(cluster, keys));
      }
    }
    print(results);
    Path file = ScaleCluster.resultDirectory().resolve("catalog.json");
    Files.writeString(file, json(results), StandardCharsets.UTF_8);
    System.out.println("wrote " + file);
  }

  private static Result measure(ScaleCluster cluster, ScaleCluster.KeyMap keys)
      throws SQLException, InterruptedException {
    int shards = cluster.shardCount();
    TableName table = new TableName("public", ScaleCluster.TABLE);
    double loadMillis;
    double heapPerShard;
    try (Connection coordinator = DriverManager.getConnection(cluster.coordinatorUrl(),
        LocalCluster.USER, null)) {
      // Until the JIT has compiled the loading code (pgjdbc's row decoding included): in
      // trials at 10,000 shards loads took 40-60 ms for the first 4 to 5 s, 13-15 ms after,
      // both the raw queries and the building of the snapshot dropping at the same moment.
      long warmupStart = System.nanoTime();
      for (int i = 0; i < WARMUP_LOADS || System.nanoTime() - warmupStart < WARMUP_NANOS; i++) {
        check(CatalogStore.load(coordinator), table, shards);
      }
      double[] millis = new double[TIMED_LOADS];
      for (int i = 0; i < TIMED_LOADS; i++) {
        long start = System.nanoTime();
        CatalogSnapshot snapshot = CatalogStore.load(coordinator);
        millis[i] = (System.nanoTime() - start) / 1e6;
        check(snapshot, table, shards);
      }
      loadMillis = median(millis);
      System.err.printf("  catalog loads (ms): %s%n", format(millis));
      double[] perShard = new double[HEAP_ROUNDS];
      for (int round = 0; round < HEAP_ROUNDS; round++) {
        perShard[round] = retainedBytes(coordinator, table, shards)
            / ((double) SNAPSHOTS_HELD * shards);
      }
      heapPerShard = median(perShard);
      System.err.printf("  heap per shard (bytes), by round: %s%n", format(perShard));
    }
    double[] engineMillis = new double[ENGINES];
    String url = "jdbc:spar:coordinator=" + cluster.coordinatorUrl() + ";user=" + LocalCluster.USER;
    // The fixture's own Spar connection shares the engine about to be closed: closed first, it
    // returns its pooled connections to a pool that still runs.
    cluster.spar().close();
    for (int i = 0; i < ENGINES; i++) {
      EngineRegistry.close(url);
      long key = keys.key((i * 97) % keys.size());
      long start = System.nanoTime();
      try (Connection spar = DriverManager.getConnection(url);
           PreparedStatement select = spar.prepareStatement("SELECT k, v FROM "
               + ScaleCluster.TABLE + " WHERE k = ?")) {
        select.setLong(1, key);
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next() || rs.getLong(1) != key || !rs.getString(2).equals(ScaleCluster.value(key))
              || rs.next()) {
            throw new IllegalStateException("a fresh engine did not read the row of key " + key);
          }
        }
        engineMillis[i] = (System.nanoTime() - start) / 1e6;
      }
    }
    EngineRegistry.close(url);
    System.err.printf("  fresh engine to first routed row (ms), the first left out: %s%n",
        format(engineMillis));
    return new Result(shards, loadMillis, heapPerShard,
        median(Arrays.copyOfRange(engineMillis, 1, ENGINES)));
  }

  /**
   * Returns the used heap with {@value #SNAPSHOTS_HELD} freshly loaded snapshots held minus the
   * used heap with none, each read after full collections.
   */
  private static long retainedBytes(Connection coordinator, TableName table, int shards)
      throws SQLException, InterruptedException {
    long before = usedHeapAfterGc();
    CatalogSnapshot[] held = new CatalogSnapshot[SNAPSHOTS_HELD];
    for (int i = 0; i < SNAPSHOTS_HELD; i++) {
      held[i] = CatalogStore.load(coordinator);
    }
    long after = usedHeapAfterGc();
    for (CatalogSnapshot each : held) {
      check(each, table, shards);
    }
    Reference.reachabilityFence(held);
    return after - before;
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    // Several collections, with a pause for reference processing and finalization between
    // them, until the reading stops falling.
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      long now = memory.getHeapMemoryUsage().getUsed();
      if (now >= used) {
        return Math.min(now, used);
      }
      used = now;
    }
    return used;
  }

  private static void check(CatalogSnapshot snapshot, TableName table, int shards) {
    DistributedTable loaded = snapshot.table(table).orElseThrow(() ->
        new IllegalStateException("the catalog holds no table " + table));
    if (loaded.shards().size() != shards) {
      throw new IllegalStateException("the catalog holds " + loaded.shards().size()
          + " shards of " + table + ", not " + shards);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static String format(double[] values) {
    StringBuilder out = new StringBuilder();
    for (double each : values) {
      out.append(out.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f", each));
    }
    return out.toString();
  }

  private static void print(List<Result> results) {
    System.out.println();
    System.out.printf("%8s  %22s  %16s  %26s%n", "shards", "catalog load, median",
        "heap per shard", "fresh engine to first row");
    for (Result each : results) {
      System.out.printf(Locale.ROOT, "%,8d  %19.1f ms  %14.0f B  %23.1f ms%n",
          each.shards(), each.loadMillis(), each.heapBytesPerShard(),
          each.engineFirstQueryMillis());
    }
  }

  private static String json(List<Result> results) {
    StringBuilder out = new StringBuilder("[\n");
    for (int i = 0; i < results.size(); i++) {
      Result each = results.get(i);
      out.append(String.format(Locale.ROOT, "  {\"shards\": %d, \"loadMillis\": %.3f,"
              + " \"heapBytesPerShard\": %.1f, \"engineFirstQueryMillis\": %.3f}%s%n",
          each.shards(), each.loadMillis(), each.heapBytesPerShard(),
          each.engineFirstQueryMillis(), i + 1 < results.size() ? "," : ""));
    }
    return out.append("]\n").toString();
  }
}
