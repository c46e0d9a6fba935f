package io.spar.engine.cluster;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One PostgreSQL server of a {@link LocalCluster}, reachable over loopback TCP without a password.
 *
 * @param name "coordinator", "worker1", "worker2", ...
 * @param host always "127.0.0.1"
 * @param port the TCP port the server listens on
 * @param dataDir the server's data directory (PGDATA)
 */
public record PgNode(String name, String host, int port, Path dataDir) {

  /** Validates the components. */
  public PgNode {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
  }

  /**
   * Returns the pgjdbc URL of the {@code postgres} database on this node.
   *
   * @return e.g. {@code jdbc:postgresql://127.0.0.1:54321/postgres}
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + LocalCluster.DATABASE;
  }
}
