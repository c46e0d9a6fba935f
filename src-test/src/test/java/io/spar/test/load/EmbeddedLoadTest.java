package io.spar.test.load;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.jdbc.EngineRegistry;
import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Five hundred {@code jdbc:spar:} connections open at once in one JVM, two hundred of them
 * running a mix of routed reads, multi-shard aggregates, inserts and transactions for a minute:
 * no statement fails, the answers and the data stay right, and no node ever sees more of the
 * engine's pooled connections than the pool size the URL configures.
 */
class EmbeddedLoadTest {
  private static final int CONNECTIONS = 500;
  private static final int ACTIVE = 200;
  private static final int POOL_SIZE = 24;
  /** A role of its own, so that only this engine's connections are counted on the nodes. */
  private static final String USER = "spar_load";
  private static final Duration DURATION =
      Duration.ofSeconds(Integer.getInteger("spar.loadSeconds", 60));

  @Test
  void fiveHundredConnectionsTwoHundredActive() throws Exception {
    LocalCluster cluster = SparTestCluster.cluster();
    List<PgNode> nodes = new ArrayList<>(cluster.workers());
    nodes.add(0, cluster.coordinator());
    MixedWorkload.createRole(nodes, USER);
    try (Connection admin = SparTestCluster.spar()) {
      MixedWorkload.createTables(admin);
    }
    String url = "jdbc:spar:coordinator=" + cluster.coordinator().jdbcUrl() + ";user=" + USER
        + ";poolSize=" + POOL_SIZE;
    List<Connection> sessions = new ArrayList<>();
    MixedWorkload workload = new MixedWorkload();
    Map<String, Long> most;
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        sessions.add(DriverManager.getConnection(url));
      }
      try (MixedWorkload.PoolWatch watch = new MixedWorkload.PoolWatch(
          nodes.stream().map(PgNode::jdbcUrl).toList(), USER)) {
        workload.run(sessions.subList(0, ACTIVE), DURATION);
        most = watch.most();
      }
      // The idle four hundred still work.
      for (Connection each : sessions.subList(ACTIVE, CONNECTIONS)) {
        try (Statement s = each.createStatement()) {
          assertTrue(s.executeQuery("SELECT 1 FROM load_accounts WHERE id = 1").next());
        }
      }
    } finally {
      for (Connection each : sessions) {
        each.close();
      }
      // Its pools and deadlock detector must not outlive the test.
      EngineRegistry.close(cluster.coordinator().jdbcUrl(), USER);
    }
    workload.assertClean("embedded load, " + CONNECTIONS + " connections for " + DURATION,
        ACTIVE, most, nodes.size(), POOL_SIZE);
    try (Connection admin = SparTestCluster.spar()) {
      workload.verify(admin);
      MixedWorkload.dropTables(admin);
    }
  }
}
