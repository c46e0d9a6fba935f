package io.spar.jdbc;

import io.spar.engine.SparEngine;
import io.spar.engine.execution.PoolLimits;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.session.SparSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JVM-wide registry of the local clusters that {@code jdbc:spar:local=DIR} URLs start, one per
 * canonical directory; each cluster stops itself through its own shutdown hook, after closing
 * the engine on it.
 */
final class LocalClusters {
  private static final Map<Path, LocalCluster> CLUSTERS = new HashMap<>();

  private LocalClusters() {
  }

  /**
   * Returns the engine on the local cluster in {@code directory}, starting the cluster and
   * registering its workers with the engine as needed.
   */
  static SparEngine engine(Path directory, int workers, PoolLimits limits) throws SQLException {
    LocalCluster cluster = cluster(directory, workers);
    SparEngine engine = EngineRegistry.engine(cluster.coordinator().jdbcUrl(),
        LocalCluster.USER, null, limits);
    synchronized (cluster) {
      registerWorkers(engine, cluster.workers());
    }
    return engine;
  }

  private static LocalCluster cluster(Path directory, int workers) throws SQLException {
    Path canonical = canonical(directory);
    synchronized (CLUSTERS) {
      LocalCluster cluster = CLUSTERS.get(canonical);
      if (cluster == null) {
        LocalCluster started = start(canonical, workers);
        String url = started.coordinator().jdbcUrl();
        // The engine's background threads would otherwise report the stopped nodes as failed;
        // and a later cluster on the same port must get an engine of its own.
        started.beforeStop(() -> {
          EngineRegistry.close(url, LocalCluster.USER);
          synchronized (CLUSTERS) {
            CLUSTERS.remove(canonical, started);
          }
        });
        CLUSTERS.put(canonical, started);
        cluster = started;
      } else if (cluster.workers().size() != workers) {
        throw new SQLException("the local cluster in " + canonical + " already runs with "
            + cluster.workers().size() + " worker(s) in this JVM, not " + workers,
            JdbcErrors.CONNECTION_UNABLE_TO_CONNECT);
      }
      return cluster;
    }
  }

  private static LocalCluster start(Path directory, int workers) throws SQLException {
    try {
      return LocalCluster.start(directory, workers);
    } catch (IOException | RuntimeException e) {
      throw new SQLException("could not start the local cluster in " + directory + ": "
          + e.getMessage(), JdbcErrors.CONNECTION_UNABLE_TO_CONNECT, e);
    }
  }

  private static Path canonical(Path directory) throws SQLException {
    try {
      // Created first because only an existing path has a real path (symlinks resolved).
      return Files.createDirectories(directory).toRealPath();
    } catch (IOException e) {
      throw new SQLException("cannot use local cluster directory " + directory + ": "
          + e.getMessage(), JdbcErrors.CONNECTION_UNABLE_TO_CONNECT, e);
    }
  }

  private static void registerWorkers(SparEngine engine, List<PgNode> workers)
      throws SQLException {
    Set<NodeAddress> registered = new HashSet<>(engine.metadata().snapshot().workers());
    List<PgNode> missing = workers.stream()
        .filter(w -> !registered.contains(new NodeAddress(w.host(), w.port())))
        .toList();
    if (missing.isEmpty()) {
      return;
    }
    try (SparSession session = new SparSession(engine)) {
      for (PgNode worker : missing) {
        session.execute("SELECT master_add_node(" + SqlQuoting.literal(worker.host()) + ", "
            + worker.port() + ")", List.of());
      }
    } finally {
      // The catalog trigger notifies too, but this connect must see the nodes right away.
      engine.metadata().invalidate();
    }
  }
}
