package io.spar.test;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The one local cluster (a coordinator and two workers) that the end-to-end tests of a JVM
 * share, with connections through Spar and straight to each node.
 *
 * <p>Test classes keep out of each other's way by using their own table names.
 */
public final class SparTestCluster {
  /**
   * System property that makes {@link #spar()} connect with pgjdbc through Spar's PostgreSQL
   * port ({@code pgwire}) instead of {@code jdbc:spar:}, so that the differential suites run
   * through the wire protocol too.
   */
  public static final String CLIENT = "spar.test.client";
  /** System property with the pgjdbc URL properties of those connections. */
  public static final String PGJDBC = "spar.test.pgjdbc";

  /** Number of worker nodes. */
  public static final int WORKERS = 2;

  private static LocalCluster cluster;

  private SparTestCluster() {
  }

  /** Returns the shared cluster, starting it on first use. */
  public static synchronized LocalCluster cluster() {
    if (cluster == null) {
      try {
        removeAbandonedClusters();
        cluster = LocalCluster.start(directory(), WORKERS);
      } catch (IOException e) {
        throw new IllegalStateException("could not start the test cluster", e);
      }
    }
    return cluster;
  }

  /** Returns the shared cluster if a test has started it, or null. */
  public static synchronized LocalCluster startedCluster() {
    return cluster;
  }

  /**
   * Returns the directory of the shared cluster: one per JVM, so that concurrent test runs
   * never stop each other's nodes; directories of JVMs that have exited are removed.
   */
  public static Path directory() {
    Path target = Path.of("target").toAbsolutePath();
    long pid = ProcessHandle.current().pid();
    return target.resolve("spar-test-cluster-" + pid);
  }

  private static void removeAbandonedClusters() throws IOException {
    Path target = Path.of("target").toAbsolutePath();
    if (!Files.isDirectory(target)) {
      return;
    }
    try (Stream<Path> children = Files.list(target)) {
      for (Path each : children.toList()) {
        String name = each.getFileName().toString();
        if (name.startsWith("spar-test-cluster-") && ProcessHandle.of(
            Long.parseLong(name.substring("spar-test-cluster-".length()))).isEmpty()) {
          deleteRecursively(each);
        }
      }
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(each);
      }
    }
  }

  /** Returns the {@code jdbc:spar:} URL of the embedded default on the shared cluster. */
  public static String sparUrl() {
    cluster();
    return "jdbc:spar:local=" + directory() + ";workers=" + WORKERS;
  }

  /** Returns the {@code jdbc:spar:} URL of a local cluster of its own in {@code directory}. */
  public static String sparUrl(Path directory) {
    return "jdbc:spar:local=" + directory.toAbsolutePath() + ";workers=" + WORKERS;
  }

  /** Opens a connection through Spar. */
  public static Connection spar() throws SQLException {
    if ("pgwire".equals(System.getProperty(CLIENT))) {
      return io.spar.test.pgwire.WirePort.connect(System.getProperty(PGJDBC, ""));
    }
    return embedded();
  }

  /** Opens a connection through {@code jdbc:spar:} whatever {@value #CLIENT} says. */
  public static Connection embedded() throws SQLException {
    return DriverManager.getConnection(sparUrl(), new Properties());
  }

  /** Opens a plain pgjdbc connection to {@code node}. */
  public static Connection direct(PgNode node) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", LocalCluster.USER);
    return DriverManager.getConnection(node.jdbcUrl(), properties);
  }

  /** Opens a plain pgjdbc connection to the coordinator. */
  public static Connection coordinator() throws SQLException {
    return direct(cluster().coordinator());
  }
}
