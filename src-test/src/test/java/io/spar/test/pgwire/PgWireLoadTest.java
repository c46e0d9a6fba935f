package io.spar.test.pgwire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.SparEngine;
import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.jdbc.EngineRegistry;
import io.spar.pgwire.PgWireServer;
import io.spar.session.SparSession;
import io.spar.test.SparTestCluster;
import io.spar.test.load.MixedWorkload;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's load: two hundred pgjdbc connections through Spar's PostgreSQL port run the mixed
 * workload (routed reads, multi-shard aggregates, inserts, transfers in transactions) for a
 * minute on an engine of their own: no statement fails, the data stays right, no node sees
 * more pooled connections than the pool size, and once the clients close, the port has no
 * connection and the engine no session left.
 */
class PgWireLoadTest {
  private static final int CLIENTS = 200;
  private static final int POOL_SIZE = 24;
  /** A role of its own, so that only this engine's connections are counted on the nodes. */
  private static final String USER = "spar_pgload";
  private static final Duration DURATION =
      Duration.ofSeconds(Integer.getInteger("spar.pgLoadSeconds", 60));

  @Test
  void twoHundredClientsThroughThePostgresPort() throws Exception {
    LocalCluster cluster = SparTestCluster.cluster();
    List<PgNode> nodes = new ArrayList<>(cluster.workers());
    nodes.add(0, cluster.coordinator());
    MixedWorkload.createRole(nodes, USER);
    try (Connection admin = SparTestCluster.spar()) {
      MixedWorkload.createTables(admin);
    }
    String url = "jdbc:spar:coordinator=" + cluster.coordinator().jdbcUrl() + ";user=" + USER
        + ";poolSize=" + POOL_SIZE + ";maxSessions=" + (CLIENTS + 10);
    MixedWorkload workload = new MixedWorkload();
    Map<String, Long> most;
    try (Connection keep = DriverManager.getConnection(url)) {
      SparEngine engine = keep.unwrap(SparSession.class).engine();
      try (PgWireServer server = PgWireServer.start(engine, new PgWireServer.Settings(
          List.of(InetAddress.getLoopbackAddress()), 0, null, null, false))) {
        List<Connection> clients = new ArrayList<>();
        try {
          Properties properties = new Properties();
          properties.setProperty("user", USER);
          for (int i = 0; i < CLIENTS; i++) {
            clients.add(DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
                + server.port() + "/" + server.database(), properties));
          }
          try (MixedWorkload.PoolWatch watch = new MixedWorkload.PoolWatch(
              nodes.stream().map(PgNode::jdbcUrl).toList(), USER)) {
            workload.run(clients, DURATION);
            most = watch.most();
          }
          workload.verify(clients.get(0));
        } finally {
          for (Connection each : clients) {
            each.close();
          }
        }
        awaitNoSessions(server, engine);
      }
    } finally {
      EngineRegistry.close(cluster.coordinator().jdbcUrl(), USER);
    }
    workload.assertClean("postgres port load, " + CLIENTS + " clients for " + DURATION,
        CLIENTS, most, nodes.size(), POOL_SIZE);
    try (Connection admin = SparTestCluster.spar()) {
      MixedWorkload.dropTables(admin);
    }
  }

  /**
   * Waits until the port has closed every connection and their sessions are gone (closing
   * runs after the client's Terminate, on the server's threads); fails after ten seconds.
   */
  private static void awaitNoSessions(PgWireServer server, SparEngine engine)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    // The connection that keeps the engine open is its one session left.
    while ((server.connections() > 0 || engine.openSessions() > 1)
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.sleep(1); // polling a condition, with a deadline
    }
    assertEquals(0, server.connections(), "connections left on the port");
    assertEquals(1, engine.openSessions(), "sessions left in the engine");
  }
}
