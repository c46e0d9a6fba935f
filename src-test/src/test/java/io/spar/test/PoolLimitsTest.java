package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.jdbc.EngineRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection beyond an engine's configured pool gets PostgreSQL's 53300
 * ({@code too_many_connections}) once the pool's wait has passed, never an opaque pool timeout,
 * and connections work again once one is closed; a session beyond the session limit gets it at
 * connect, at once; the engine's own catalog work never waits behind the sessions. Each test
 * closes the engine its limits made, whose deadlock detector would otherwise compete with the
 * shared engine's.
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
      // A session in a transaction block holds its coordinator connection, so the pool runs out.
      for (int i = 0; i <= POOL_SIZE && refused == null; i++) {
        try {
          Connection connection = DriverManager.getConnection(url);
          open.add(connection);
          connection.setAutoCommit(false);
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
      EngineRegistry.close(url);
    }
  }

  @Test
  void aSessionBeyondTheSessionLimitIsRefusedAtConnect() throws SQLException {
    String url = "jdbc:spar:coordinator=" + SparTestCluster.cluster().coordinator().jdbcUrl()
        + ";user=" + LocalCluster.USER + ";maxSessions=3";
    List<Connection> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(DriverManager.getConnection(url));
      }
      SQLException refused = assertThrows(SQLException.class,
          () -> DriverManager.getConnection(url));
      assertEquals("53300", refused.getSQLState(), refused.getMessage());
      assertTrue(refused.getMessage().startsWith("sorry, too many clients already"),
          refused.getMessage());
      open.remove(0).close();
      open.add(DriverManager.getConnection(url));
      assertEquals(1, Sql.count(open.get(2), "SELECT 1"));
    } finally {
      for (Connection each : open) {
        each.close();
      }
      EngineRegistry.close(url);
    }
  }

  @Test
  void catalogWorkDoesNotWaitBehindSessions() throws SQLException {
    // The shared test connection registers the cluster's workers in the catalog.
    SparTestCluster.spar().close();
    String url = "jdbc:spar:coordinator=" + SparTestCluster.cluster().coordinator().jdbcUrl()
        + ";user=" + LocalCluster.USER + ";poolSize=2;poolWait=300";
    try (Connection session = DriverManager.getConnection(url);
        Connection holder = DriverManager.getConnection(url)) {
      // A block holds one coordinator connection, and the session takes the other (creating
      // shards draws shard ids from a sequence, which keeps it there): the catalog reloads and
      // function lookups the session's statements cause must not need a third.
      holder.setAutoCommit(false);
      Sql.run(holder, "SELECT 1");
      Sql.run(session, "DROP TABLE IF EXISTS pool_items");
      Sql.run(session, "CREATE TABLE pool_items (k bigint, v text)");
      Sql.run(session, "SELECT master_create_distributed_table('pool_items', 'k', 'hash')");
      Sql.run(session, "SELECT master_create_worker_shards('pool_items', 2, 1)");
      assertEquals(1, Sql.update(session, "INSERT INTO pool_items VALUES (1, upper('a'))"));
      assertEquals(1, Sql.count(session, "SELECT count(*) FROM pool_items WHERE k = 1"));
      Sql.run(session, "DROP TABLE pool_items");
    } finally {
      EngineRegistry.close(url);
    }
  }
}
