package io.spar.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link LocalCluster} against real PostgreSQL servers. */
final class LocalClusterTest {

  @TempDir
  Path dir;

  @Test
  void startsStopsRestartsAndReusesNodes() throws Exception {
    List<Integer> ports = new ArrayList<>();
    try (LocalCluster cluster = LocalCluster.start(dir, 2)) {
      assertEquals("coordinator", cluster.coordinator().name());
      assertEquals(List.of("worker1", "worker2"), cluster.workers().stream().map(PgNode::name).toList());
      for (PgNode node : allNodes(cluster)) {
        assertEquals("1", query(node, "SELECT 1"));
        assertEquals("100", query(node, "SHOW max_prepared_transactions"));
        ports.add(node.port());
      }

      PgNode worker = cluster.workers().get(1);
      cluster.stopNode(worker);
      assertThrows(SQLException.class, () -> query(worker, "SELECT 1"));
      assertEquals("1", query(cluster.coordinator(), "SELECT 1"));

      cluster.startNode(worker);
      assertEquals("1", query(worker, "SELECT 1"));
      cluster.close();
      cluster.close(); // idempotent

      for (int port : ports) {
        assertThrows(IOException.class, () -> connectTcp(port));
      }
    }

    try (LocalCluster again = LocalCluster.start(dir, 2)) {
      assertEquals(ports, allNodes(again).stream().map(PgNode::port).toList());
      for (PgNode node : allNodes(again)) {
        assertEquals("1", query(node, "SELECT 1"));
      }
    }
  }

  @Test
  void addsWorkersToAnExistingDirectory() throws Exception {
    int coordinatorPort;
    try (LocalCluster cluster = LocalCluster.start(dir, 1)) {
      coordinatorPort = cluster.coordinator().port();
    }
    try (LocalCluster cluster = LocalCluster.start(dir, 2)) {
      assertEquals(coordinatorPort, cluster.coordinator().port());
      assertEquals(2, cluster.workers().size());
      assertEquals("1", query(cluster.workers().get(1), "SELECT 1"));
    }
  }

  private static List<PgNode> allNodes(LocalCluster cluster) {
    List<PgNode> nodes = new ArrayList<>();
    nodes.add(cluster.coordinator());
    nodes.addAll(cluster.workers());
    return nodes;
  }

  private static String query(PgNode node, String sql) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", LocalCluster.USER);
    props.setProperty("connectTimeout", "5");
    try (Connection c = DriverManager.getConnection(node.jdbcUrl(), props);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void connectTcp(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    }
  }
}
