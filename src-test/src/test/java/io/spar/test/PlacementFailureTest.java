package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test case for issue 2, acceptance 6: writes while one worker is stopped mark exactly that
 * worker's placements INACTIVE, and reads still return every row.
 *
 * <p>It stops a real worker process, so it runs on a cluster of its own.
 */
class PlacementFailureTest {
  @TempDir
  static Path directory;
  static LocalCluster cluster;
  static Connection spar;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(directory, SparTestCluster.WORKERS);
    spar = DriverManager.getConnection(SparTestCluster.sparUrl(directory));
    try (Statement statement = spar.createStatement()) {
      statement.execute("CREATE TABLE failing (k bigint, v text)");
      statement.execute("SELECT master_create_distributed_table('failing', 'k', 'hash')");
      statement.execute("SELECT master_create_worker_shards('failing', 8, 2)");
    }
  }

  @AfterAll
  static void stop() throws SQLException {
    spar.close();
    cluster.close();
  }

  @Test
  void stoppedWorkerLosesExactlyItsPlacements() throws Exception {
    insert(0, 100);
    PgNode stopped = cluster.workers().get(1);
    cluster.stopNode(stopped);
    insert(100, 200);
    assertEquals(Set.of(stopped.port()), inactivePorts());
    assertEquals(8, count("SELECT count(*) FROM pgs_distribution_metadata.shard_placement"
        + " WHERE shard_state = 3"), "every shard was written, so all 8 placements there");
    assertEquals(200, count("SELECT count(*) FROM failing"));
    assertEquals(200, count("SELECT count(DISTINCT k) FROM failing"));
    for (long k : new long[] {1, 150, 199}) {
      assertEquals(1, count("SELECT count(*) FROM failing WHERE k = " + k));
    }
    cluster.startNode(stopped);
    assertEquals(200, count("SELECT count(*) FROM failing"), "inactive placements stay unused");
  }

  private static void insert(int from, int to) throws SQLException {
    try (PreparedStatement insert = spar.prepareStatement("INSERT INTO failing VALUES (?, ?)")) {
      for (int k = from; k < to; k++) {
        insert.setLong(1, k);
        insert.setString(2, "v" + k);
        assertEquals(1, insert.executeUpdate());
      }
    }
  }

  private static Set<Integer> inactivePorts() throws SQLException {
    Set<Integer> ports = new HashSet<>();
    try (Statement statement = spar.createStatement();
        ResultSet rs = statement.executeQuery("SELECT DISTINCT node_port FROM"
            + " pgs_distribution_metadata.shard_placement WHERE shard_state = 3")) {
      while (rs.next()) {
        ports.add(rs.getInt(1));
      }
    }
    return ports;
  }

  private static long count(String sql) throws SQLException {
    return Sql.count(spar, sql);
  }
}
