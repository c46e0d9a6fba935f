package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection beyond an engine's configured pool gets PostgreSQL's 53300
 * ({@code too_many_connections}) once the pool's wait has passed, never an opaque pool timeout,
 * and connections work again once one is closed; the engine's own catalog work never waits
 * behind the sessions.
 */
class PoolLimitsTest {
  private static final int POOL_SIZE = 4;

  @Test
  void aConnectionBeyondThePoolGetsTooManyConnections() throws SQLException {
    String url = "jdbc:spar:coordinator=" + SparTestCluster.cluster().coordinator().jdbcUrl()
        + ";user=" + LocalCluster.USER + ";poolSize=" + POOL_SIZE + ";poolWait=300";
    List<Connection> open = new ArrayList<>();
    try {
      SQLException refused = null;
      // Every session holds one coordinator connection (for now), so the pool runs out.
      for (int i = 0; i <= POOL_SIZE && refused == null; i++) {
        try {
          Connection connection = DriverManager.getConnection(url);
          open.add(connection);
          assertEquals(1, Sql.count(connection, "SELECT 1"));
        } catch (SQLException e) {
          refused = e;
        }
      }
      assertNotNull(refused, "a pool of " + POOL_SIZE + " served " + open.size() + " sessions");
      assertEquals("53300", refused.getSQLState(), refused.getMessage());
      assertTrue(refused.getMessage().startsWith("too many connections: all " + POOL_SIZE
          + " of Spar's connections to node "), refused.getMessage());
      open.remove(0).close();
      try (Connection again = DriverManager.getConnection(url)) {
        assertEquals(1, Sql.count(again, "SELECT 1"));
      }
    } finally {
      for (Connection each : open) {
        each.close();
      }
    }
  }

  @Test
  void catalogWorkDoesNotWaitBehindSessions() throws SQLException {
    // The shared test connection registers the cluster's workers in the catalog.
    SparTestCluster.spar().close();
    String url = "jdbc:spar:coordinator=" + SparTestCluster.cluster().coordinator().jdbcUrl()
        + ";user=" + LocalCluster.USER + ";poolSize=2;poolWait=300";
    try (Connection first = DriverManager.getConnection(url);
        Connection second = DriverManager.getConnection(url)) {
      // Both coordinator connections are taken; catalog reloads and function lookups are not.
      Sql.run(first, "DROP TABLE IF EXISTS pool_items");
      Sql.run(first, "CREATE TABLE pool_items (k bigint, v text)");
      Sql.run(first, "SELECT master_create_distributed_table('pool_items', 'k', 'hash')");
      Sql.run(first, "SELECT master_create_worker_shards('pool_items', 2, 1)");
      assertEquals(1, Sql.update(first, "INSERT INTO pool_items VALUES (1, upper('a'))"));
      assertEquals(1, Sql.count(second, "SELECT count(*) FROM pool_items WHERE k = 1"));
      Sql.run(second, "DROP TABLE pool_items");
    }
  }
}
