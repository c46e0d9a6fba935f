package io.spar.engine.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local PostgreSQL cluster of one coordinator plus N workers, each a separate server on a loopback TCP port.
 *
 * <p>Connect as {@link #USER} to database {@link #DATABASE} with no password: every node uses {@code trust}
 * authentication, which is safe only because the servers listen on 127.0.0.1 alone. Node ports are persisted in the
 * cluster directory, so {@link #start(Path, int)} on an existing directory reuses its data and ports. A JVM shutdown
 * hook stops the nodes (immediately) if {@link #close()} was never called.
 */
public final class LocalCluster implements AutoCloseable {

  /** PostgreSQL superuser that tests and the engine connect as. */
  public static final String USER = "postgres";
  /** Database that every node serves. */
  public static final String DATABASE = "postgres";

  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  private static final long PARALLEL_TIMEOUT_SECONDS = 300;

  /** The clusters this JVM started and has not stopped, by directory. */
  private static final Map<Path, LocalCluster> OPEN = new ConcurrentHashMap<>();

  private final Path directory;
  private final List<PgNode> nodes;
  private final NodeControl control;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;
  private final List<Runnable> beforeStop = new CopyOnWriteArrayList<>();

  private LocalCluster(Path directory, List<PgNode> nodes, NodeControl control) {
    this.directory = directory;
    this.nodes = List.copyOf(nodes);
    this.control = control;
    this.shutdownHook = new Thread(this::stopOnShutdown, "spar-local-cluster-shutdown");
  }

  /**
   * Starts the cluster in {@code directory}, or reuses it: existing nodes keep their data and ports, running nodes
   * are left alone, stopped ones are restarted and missing workers are added.
   *
   * @param directory where node data, logs and the port file live; created if missing
   * @param workers number of worker nodes (0 or more)
   * @return the running cluster; close it to stop the nodes
   * @throws IOException if PostgreSQL is not installed, a persisted port is taken, or a node fails to start
   */
  public static LocalCluster start(Path directory, int workers) throws IOException {
    if (workers < 0) {
      throw new IllegalArgumentException("workers must be >= 0: " + workers);
    }
    long startNanos = System.nanoTime();
    Path dir = Files.createDirectories(directory).toRealPath();
    LocalCluster open = OPEN.get(dir);
    if (open != null && open.workers().size() == workers) {
      // One object per running cluster, so that whoever closes it runs every beforeStop action
      // (an engine registered for its URL must not outlive it and meet a later cluster there).
      return open;
    }
    PgBinaries binaries = PgBinaries.discover();
    PgRunner runner = PgRunner.detect();
    ClusterLayout layout = ClusterLayout.loadOrCreate(dir, workers);
    LocalCluster cluster = new LocalCluster(dir, layout.nodes(), new NodeControl(binaries, runner, layout));
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.createMissing(binaries, runner);
      cluster.forEachNode(cluster::startIfStopped);
    } catch (IOException | RuntimeException e) {
      cluster.shutDown("immediate"); // do not leave half a cluster running
      throw e;
    }
    OPEN.put(dir, cluster);
    LOG.info("Local cluster with {} worker(s) ready in {} ms at {} (PostgreSQL {}, {} mode)", workers,
        (System.nanoTime() - startNanos) / 1_000_000, dir, binaries.majorVersion(), runner.mode());
    return cluster;
  }

  /** Returns the coordinator node. */
  public PgNode coordinator() {
    return nodes.get(0);
  }

  /** Returns the worker nodes in worker order (worker1 first). */
  public List<PgNode> workers() {
    return nodes.subList(1, nodes.size());
  }

  /** Returns the cluster directory (absolute). */
  public Path directory() {
    return directory;
  }

  /**
   * Stops one node abruptly ({@code pg_ctl stop -m immediate}), simulating a crash; a no-op if it is stopped.
   *
   * @param node a node of this cluster
   * @throws IOException if pg_ctl fails or times out
   */
  public void stopNode(PgNode node) throws IOException {
    control.stop(own(node), "immediate");
  }

  /**
   * Restarts a stopped node on its original port and waits until it accepts connections; a no-op if it runs.
   *
   * @param node a node of this cluster
   * @throws IOException if the port is taken or the node does not come up (message includes its log tail)
   */
  public void startNode(PgNode node) throws IOException {
    startIfStopped(own(node));
  }

  /**
   * Runs {@code action} before the nodes stop, whether on {@link #close()} or at JVM exit, so
   * that what uses the cluster ends before its nodes go away.
   */
  public void beforeStop(Runnable action) {
    beforeStop.add(action);
  }

  /** Stops all nodes cleanly ({@code pg_ctl stop -m fast}); calling it again does nothing. */
  @Override
  public void close() {
    shutDown("fast");
  }

  private void shutDown(String mode) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook may be running and stopping the nodes itself.
    }
    stopAll(mode);
  }

  private void createMissing(PgBinaries binaries, PgRunner runner) throws IOException {
    if (nodes.stream().allMatch(control::exists)) {
      return;
    }
    PgTemplate template = PgTemplate.ensure(binaries, runner);
    forEachNode(node -> {
      if (!control.exists(node)) {
        control.create(node, template);
      }
    });
  }

  private void startIfStopped(PgNode node) throws IOException {
    if (control.isRunning(node)) {
      control.awaitReady(node);
    } else {
      control.start(node);
    }
  }

  private void stopOnShutdown() {
    if (closed.compareAndSet(false, true)) {
      stopAll("immediate");
    }
  }

  private void stopAll(String mode) {
    OPEN.remove(directory, this);
    for (Runnable each : beforeStop) {
      try {
        each.run();
      } catch (RuntimeException e) {
        LOG.warn("Could not finish a user of {} before stopping it", directory, e);
      }
    }
    try {
      forEachNode(node -> control.stop(node, mode));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not stop every node of {} with -m {}", directory, mode, e);
    }
  }

  private PgNode own(PgNode node) {
    return nodes.stream().filter(n -> n.name().equals(node.name()) && n.port() == node.port()).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(node + " is not a node of the cluster in " + directory));
  }

  /** Runs a task for every node in parallel, because starting servers one after another is needlessly slow. */
  private void forEachNode(NodeTask task) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(nodes.size(), r -> {
      Thread t = new Thread(r, "spar-local-cluster");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (PgNode node : nodes) {
        futures.add(pool.submit(() -> {
          task.run(node);
          return null;
        }));
      }
      awaitAll(futures);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void awaitAll(List<Future<Void>> futures) throws IOException {
    IOException failure = null;
    for (Future<Void> future : futures) {
      try {
        future.get(PARALLEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        IOException io = cause instanceof IOException i ? i : new IOException(cause.getMessage(), cause);
        if (failure == null) {
          failure = io;
        } else {
          failure.addSuppressed(io);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while waiting for cluster nodes", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Operation on one node that may fail with an IOException. */
  @FunctionalInterface
  private interface NodeTask {
    void run(PgNode node) throws IOException;
  }
}
