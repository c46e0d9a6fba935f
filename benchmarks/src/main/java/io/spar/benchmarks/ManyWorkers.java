package io.spar.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Throughput of many concurrent clients on many workers (issue 16): a local cluster of 16
 * workers (16 PostgreSQL servers on loopback, plus the coordinator) holding {@value #ROWS} rows
 * in 1,024 shards, and 64 client threads, each with its own {@code jdbc:spar:} connection,
 * running routed point SELECTs ({@code SELECT * FROM scale_kv WHERE k = ?}, each answer checked
 * to be the key's row) for a fixed time. It reports the operations per second over the
 * measured window and the number of connections each worker sees: {@code pg_stat_activity}'s
 * client backends on every worker, sampled every {@value #SAMPLE_MILLIS} ms throughout the run,
 * the maximum per worker. In one JVM the 64 connections share one engine, as an application's
 * would, so that count is what the engine's pools open under this load.
 *
 * <p>A plain {@code main} rather than JMH with {@code @Threads(64)}: the result is a throughput
 * over wall-clock time plus a per-worker series sampled on the side, which JMH has no place
 * for, and an operation is a network round trip of a hundred microseconds or more, far above
 * what JMH's guards against dead code and loop optimizations are about. Warm-up is a timed
 * phase whose operations are not counted; a progress line every few seconds shows whether it
 * was long enough.
 *
 * <p>It writes {@code scale/many-workers.json} under {@link ScaleCluster#targetDirectory()}:
 * {@code {"workers": 16, "shards": 1024, "clients": 64, "opsPerSecond": x,
 * "maxConnectionsPerWorker": [...], ...}}.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.spar.benchmarks.ManyWorkers
 * [--warmup SECONDS] [--seconds SECONDS] [--clients N] [--workers N] [--shards N]} (defaults
 * 60, 30, 64, 16, 1024).
 */
public final class ManyWorkers {
  /** Rows loaded, keys 0 to ROWS - 1. */
  public static final int ROWS = 10_000;
  private static final int SAMPLE_MILLIS = 250;
  private static final int PROGRESS_SECONDS = 5;

  private ManyWorkers() {
  }

  /** The run's settings, from the command line. */
  record Settings(int workers, int shards, int clients, int warmupSeconds, int seconds) {
    static Settings parse(String[] args) {
      int workers = 16;
      int shards = 1_024;
      int clients = 64;
      // 64 client threads share 2 cores with the JIT compiler: in trials throughput still
      // climbed for about 50 s, so a shorter warm-up would measure compilation.
      int warmup = 60;
      int seconds = 30;
      for (int i = 0; i < args.length; i++) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + args[i]);
        }
        int value = Integer.parseInt(args[++i]);
        switch (args[i - 1]) {
          case "--workers" -> workers = value;
          case "--shards" -> shards = value;
          case "--clients" -> clients = value;
          case "--warmup" -> warmup = value;
          case "--seconds" -> seconds = value;
          default -> throw new IllegalArgumentException("unknown option " + args[i - 1]
              + "; known: --warmup --seconds --clients --workers --shards");
        }
      }
      return new Settings(workers, shards, clients, warmup, seconds);
    }
  }

  /**
   * Starts or reuses the cluster, runs the clients, prints the result and writes the JSON file.
   *
   * @param args options, see the class comment
   * @throws Exception if the set-up fails, a client fails or reads a wrong row
   */
  public static void main(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    String result;
    try (ScaleCluster cluster = ScaleCluster.start(settings.workers(), settings.shards())) {
      ScaleCluster.KeyMap keys = cluster.keyMap(0, ROWS);
      cluster.ensureRows(keys);
      result = run(cluster, keys, settings);
    }
    Path file = ScaleCluster.resultDirectory().resolve("many-workers.json");
    Files.writeString(file, result);
    System.out.println("wrote " + file);
  }

  private static String run(ScaleCluster cluster, ScaleCluster.KeyMap keys, Settings settings)
      throws Exception {
    int clients = settings.clients();
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      connections.add(cluster.openSpar());
    }
    AtomicLong[] done = new AtomicLong[clients];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      done[i] = new AtomicLong();
      int client = i;
      Thread thread = new Thread(() -> {
        try {
          go.await();
          runClient(connections.get(client), keys, client * (ROWS / clients), done[client]);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "client-" + i);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);

    Sampler sampler = new Sampler(cluster.workerConnections());
    Thread samplerThread = new Thread(sampler, "pg_stat_activity-sampler");
    samplerThread.setDaemon(true);
    samplerThread.start();
    System.err.printf("ManyWorkers: %d clients on %d workers, %,d shards: %d s warm-up, %d s"
            + " measured%n", clients, settings.workers(), settings.shards(),
        settings.warmupSeconds(), settings.seconds());
    go.countDown();

    long warmupEnd = System.nanoTime() + settings.warmupSeconds() * 1_000_000_000L;
    watch(warmupEnd, done, failure, "warm-up");
    long measuredFrom = System.nanoTime();
    long opsFrom = total(done);
    watch(measuredFrom + settings.seconds() * 1_000_000_000L, done, failure, "measured");
    long measuredTo = System.nanoTime();
    long opsTo = total(done);

    Stopping.stop();
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    sampler.stop();
    samplerThread.join(10_000);
    if (failure.get() != null) {
      throw new IllegalStateException("a client failed", failure.get());
    }
    if (sampler.failure != null) {
      throw new IllegalStateException("sampling pg_stat_activity failed", sampler.failure);
    }

    double seconds = (measuredTo - measuredFrom) / 1e9;
    double opsPerSecond = (opsTo - opsFrom) / seconds;
    // Little's law: every client always has one statement under way.
    double meanLatencyMicros = clients / opsPerSecond * 1e6;
    int[] maxConnections = sampler.max();
    System.out.println();
    System.out.printf(Locale.ROOT, "workers %d, shards %,d, clients %d: %,.0f point SELECTs/s over"
            + " %.1f s (mean latency %.0f µs by Little's law)%n", settings.workers(),
        settings.shards(), clients, opsPerSecond, seconds, meanLatencyMicros);
    System.out.printf("connections per worker (max of %d samples): %s%n", sampler.samples(),
        Arrays.toString(maxConnections));
    return String.format(Locale.ROOT, "{\"workers\": %d, \"shards\": %d, \"clients\": %d,"
            + " \"opsPerSecond\": %.1f, \"maxConnectionsPerWorker\": %s, \"seconds\": %.1f,"
            + " \"meanLatencyMicros\": %.1f, \"samples\": %d}%n", settings.workers(),
        settings.shards(), clients, opsPerSecond, Arrays.stream(maxConnections)
            .mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]")), seconds,
        meanLatencyMicros, sampler.samples());
  }

  /** The flag that ends the clients' loops. */
  private static final class Stopping {
    private static volatile boolean stopped;

    static void stop() {
      stopped = true;
    }

    static boolean stopped() {
      return stopped;
    }
  }

  /**
   * Reads the keys from {@code firstOffset} on, wrapping around, until stopped; each answer must
   * be exactly the key's row.
   */
  private static void runClient(Connection spar, ScaleCluster.KeyMap keys, int firstOffset,
      AtomicLong done) throws SQLException {
    try (PreparedStatement select = spar.prepareStatement("SELECT * FROM " + ScaleCluster.TABLE
        + " WHERE k = ?")) {
      int offset = firstOffset;
      while (!Stopping.stopped()) {
        long key = keys.key(offset);
        offset = offset + 1 == keys.size() ? 0 : offset + 1;
        select.setLong(1, key);
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next() || rs.getLong(1) != key
              || !ScaleCluster.value(key).equals(rs.getString(2)) || rs.next()) {
            throw new IllegalStateException("wrong answer for key " + key);
          }
        }
        done.lazySet(done.get() + 1); // only this thread writes it
      }
    }
  }

  /** Waits until {@code end}, printing the throughput every few seconds; stops on a failure. */
  private static void watch(long end, AtomicLong[] done, AtomicReference<Throwable> failure,
      String phase) throws InterruptedException {
    long last = System.nanoTime();
    long lastOps = total(done);
    while (System.nanoTime() < end && failure.get() == null) {
      Thread.sleep(Math.max(1, Math.min(PROGRESS_SECONDS * 1_000L,
          (end - System.nanoTime()) / 1_000_000)));
      long now = System.nanoTime();
      long ops = total(done);
      System.err.printf(Locale.ROOT, "  %s: %,.0f ops/s%n", phase, (ops - lastOps) / ((now - last)
          / 1e9));
      last = now;
      lastOps = ops;
    }
  }

  private static long total(AtomicLong[] done) {
    long sum = 0;
    for (AtomicLong each : done) {
      sum += each.get();
    }
    return sum;
  }

  /**
   * Counts the client backends on each worker every {@value #SAMPLE_MILLIS} ms, leaving out its
   * own connection, and keeps the maximum per worker.
   */
  private static final class Sampler implements Runnable {
    private final List<Connection> workers;
    private final int[] max;
    private volatile boolean stopped;
    private volatile int samples;
    private volatile Throwable failure;

    Sampler(Map<String, Connection> workers) {
      this.workers = List.copyOf(workers.values());
      this.max = new int[workers.size()];
    }

    @Override
    public void run() {
      try {
        List<Statement> statements = new ArrayList<>();
        for (Connection each : workers) {
          statements.add(each.createStatement());
        }
        while (!stopped) {
          for (int i = 0; i < statements.size(); i++) {
            try (ResultSet rs = statements.get(i).executeQuery("SELECT count(*)"
                + " FROM pg_stat_activity WHERE backend_type = 'client backend'"
                + " AND pid <> pg_backend_pid()")) {
              rs.next();
              synchronized (max) {
                max[i] = Math.max(max[i], rs.getInt(1));
              }
            }
          }
          samples++; // only this thread writes it
          Thread.sleep(SAMPLE_MILLIS);
        }
        for (Statement each : statements) {
          each.close();
        }
      } catch (SQLException | InterruptedException | RuntimeException e) {
        failure = e;
      }
    }

    void stop() {
      stopped = true;
    }

    int samples() {
      return samples;
    }

    int[] max() {
      synchronized (max) {
        return max.clone();
      }
    }
  }
}
