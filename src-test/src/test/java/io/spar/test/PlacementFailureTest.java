package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

  /**
   * A reference table whose rows a tenant's table references on the tenant's node: with that
   * node stopped, a write of the reference table fails rather than leave the copy there
   * behind, since the tenant's key would then check against rows the table no longer has.
   */
  @Test
  void aReferencedReferenceTableIsNotLeftBehind() throws Exception {
    Sql.run(spar, "CREATE TABLE pf_plans (id int PRIMARY KEY)");
    Sql.run(spar, "SELECT create_reference_table('pf_plans')");
    Sql.run(spar, "INSERT INTO pf_plans VALUES (1), (2)");
    Sql.run(spar, "SET spar.enable_schema_based_sharding = on");
    Sql.run(spar, "CREATE SCHEMA pf_tenant");
    Sql.run(spar, "CREATE TABLE pf_tenant.users (id int PRIMARY KEY,"
        + " plan int REFERENCES pf_plans (id))");
    Sql.run(spar, "INSERT INTO pf_tenant.users VALUES (1, 2)");
    String node = Sql.strings(spar, "SELECT node_name || ':' || node_port"
        + " FROM pgs_distribution_metadata.tenant_schema"
        + " WHERE schema_id = 'pf_tenant'::regnamespace").get(0);
    PgNode tenants = cluster.workers().stream()
        .filter(w -> (w.host() + ":" + w.port()).equals(node)).findFirst().orElseThrow();
    try (Connection direct = SparTestCluster.direct(tenants)) {
      // The test cluster commits without waiting for WAL; the tenant's row must outlive the
      // abrupt stop below.
      Sql.run(direct, "CHECKPOINT");
    }
    cluster.stopNode(tenants);
    try {
      SQLException failed = assertThrows(SQLException.class,
          () -> Sql.run(spar, "DELETE FROM pf_plans WHERE id = 2"));
      assertEquals("08006", failed.getSQLState(), failed.getMessage());
    } finally {
      cluster.startNode(tenants);
    }
    assertEquals(0, count("SELECT count(*) FROM pgs_distribution_metadata.shard_placement pl"
        + " JOIN pgs_distribution_metadata.shard s ON s.id = pl.shard_id"
        + " WHERE s.relation_id = 'pf_plans'::regclass AND pl.shard_state <> 1"));
    // Both copies still hold the row, and the key still holds on the tenant's node.
    SQLException referenced = assertThrows(SQLException.class,
        () -> Sql.run(spar, "DELETE FROM pf_plans WHERE id = 2"));
    assertEquals("23503", referenced.getSQLState(), referenced.getMessage());
    assertEquals(2, count("SELECT count(*) FROM pf_plans"));
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
