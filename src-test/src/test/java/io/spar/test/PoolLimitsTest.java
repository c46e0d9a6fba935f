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
 * and connections work again once one is closed.
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
}
