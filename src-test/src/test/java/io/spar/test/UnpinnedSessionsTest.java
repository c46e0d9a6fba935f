package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spar.engine.cluster.LocalCluster;
import io.spar.jdbc.EngineRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sessions borrow a coordinator connection per statement and keep one only while they need
 * it: many more sessions than the pool holds work at once, each with its own settings, and a
 * session with state that lives in one backend (a transaction block, temporary tables, a
 * sequence's currval, an advisory lock, a custom setting, SQL PREPARE) keeps its connection
 * until that state is gone. Each state is shown by the pool running out while it is held, and
 * coming back when it is gone.
 */
class UnpinnedSessionsTest {
  private static final int POOL_SIZE = 2;
  private static final String URL = "jdbc:spar:coordinator="
      + SparTestCluster.cluster().coordinator().jdbcUrl() + ";user=" + LocalCluster.USER
      + ";poolSize=" + POOL_SIZE + ";poolWait=250";

  @BeforeAll
  static void createTable() throws SQLException {
    try (Connection spar = SparTestCluster.spar()) {
      Sql.run(spar, "DROP TABLE IF EXISTS unpinned_items");
      Sql.run(spar, "CREATE TABLE unpinned_items (k bigserial, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('unpinned_items', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('unpinned_items', 4, 1)");
    }
  }

  @AfterAll
  static void dropTable() throws SQLException {
    try (Connection spar = SparTestCluster.spar()) {
      Sql.run(spar, "DROP TABLE unpinned_items");
    }
    // Its pools and deadlock detector must not outlive the test.
    EngineRegistry.close(URL);
  }

  @Test
  void manySessionsShareASmallPoolEachWithItsOwnSettings() throws SQLException {
    List<Connection> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < 20 * POOL_SIZE; i++) {
        Connection session = DriverManager.getConnection(URL);
        sessions.add(session);
        Sql.run(session, "SET statement_timeout = '" + (i + 1) + "s'");
        Sql.run(session, "SET search_path TO pg_catalog, public");
        session.setClientInfo("ApplicationName", "session " + i);
      }
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < sessions.size(); i++) {
          Connection session = sessions.get(i);
          assertEquals(List.of((i + 1) + "s"), Sql.strings(session, "SHOW statement_timeout"));
          assertEquals(List.of("pg_catalog, public"), Sql.strings(session, "SHOW search_path"));
          assertEquals("session " + i, session.getClientInfo("ApplicationName"));
          assertEquals(1, Sql.update(session, "INSERT INTO unpinned_items (k, v) VALUES ("
              + (round * 1000 + i) + ", 'x')"));
          assertEquals(1, Sql.count(session, "SELECT count(*) FROM unpinned_items WHERE k = "
              + (round * 1000 + i)));
        }
      }
      Sql.run(sessions.get(0), "RESET statement_timeout");
      assertEquals(List.of("0"), Sql.strings(sessions.get(0), "SHOW statement_timeout"));
      assertEquals(List.of("2s"), Sql.strings(sessions.get(1), "SHOW statement_timeout"));
    } finally {
      for (Connection each : sessions) {
        each.close();
      }
    }
    try (Connection fresh = DriverManager.getConnection(URL)) {
      // The pooled connections went back with their defaults.
      assertEquals(List.of("0"), Sql.strings(fresh, "SHOW statement_timeout"));
      assertEquals(List.of("\"$user\", public"), Sql.strings(fresh, "SHOW search_path"));
    }
  }

  @Test
  void aTransactionBlockKeepsItsConnectionUntilItEnds() throws SQLException {
    assertStateKeepsConnection("BEGIN", "COMMIT");
  }

  @Test
  void temporaryTablesKeepTheirConnectionUntilDropped() throws SQLException {
    assertStateKeepsConnection("CREATE TEMP TABLE unpinned_scratch (a int)",
        "DROP TABLE unpinned_scratch");
  }

  @Test
  void advisoryLocksKeepTheirConnectionUntilUnlocked() throws SQLException {
    assertStateKeepsConnection("SELECT pg_advisory_lock(42)", "SELECT pg_advisory_unlock(42)");
  }

  @Test
  void customSettingsKeepTheirConnectionUntilReset() throws SQLException {
    assertStateKeepsConnection("SET app.tenant = 'acme'", "RESET app.tenant");
  }

  @Test
  void preparedStatementsKeepTheirConnectionUntilDeallocated() throws SQLException {
    assertStateKeepsConnection("PREPARE unpinned_plan AS SELECT 1",
        "DEALLOCATE unpinned_plan");
  }

  @Test
  void currvalAnswersForTheSessionThatCalledNextval() throws SQLException {
    try (Connection first = DriverManager.getConnection(URL);
        Connection second = DriverManager.getConnection(URL)) {
      long id;
      try (PreparedStatement insert = first.prepareStatement(
              "INSERT INTO unpinned_items (v) VALUES ('serial') RETURNING k");
          ResultSet returned = insert.executeQuery()) {
        returned.next();
        id = returned.getLong(1);
      }
      // The second session must not see the first one's sequence state, nor take its backend.
      SQLException undefined = assertThrows(SQLException.class,
          () -> Sql.strings(second, "SELECT currval('unpinned_items_k_seq')"));
      assertEquals("55000", undefined.getSQLState(), undefined.getMessage());
      assertEquals(List.of(String.valueOf(id)),
          Sql.strings(first, "SELECT currval('unpinned_items_k_seq')"));
      assertEquals(List.of(String.valueOf(id)), Sql.strings(first, "SELECT lastval()"));
    }
  }

  @Test
  void aTwoPhaseCommitLeavesNoSequenceStateBehind() throws SQLException {
    try (Connection writer = DriverManager.getConnection(URL);
        Connection block = DriverManager.getConnection(URL);
        Connection third = DriverManager.getConnection(URL)) {
      // Rows on both workers: the update commits in two phases.
      Sql.run(writer, "INSERT INTO unpinned_items (k, v) VALUES (-1, 'a'), (-2, 'b'), (-3, 'c')");
      Sql.run(writer, "UPDATE unpinned_items SET v = v || '!' WHERE k < 0");
      SQLException undefined = assertThrows(SQLException.class,
          () -> Sql.strings(writer, "SELECT lastval()"));
      assertEquals("55000", undefined.getSQLState(), undefined.getMessage());
      Sql.run(block, "BEGIN");
      Sql.run(block, "SELECT 1");
      assertEquals(List.of("1"), Sql.strings(third, "SELECT 1"));
      Sql.run(block, "COMMIT");
      Sql.run(writer, "DELETE FROM unpinned_items WHERE k < 0");
    }
  }

  /**
   * Runs {@code take} in one session and shows that it keeps a connection: with another
   * session in a block holding the pool's other connection, a third session's statement finds
   * the pool empty (53300); after {@code drop}, the third session runs.
   */
  private static void assertStateKeepsConnection(String take, String drop) throws SQLException {
    try (Connection holder = DriverManager.getConnection(URL);
        Connection block = DriverManager.getConnection(URL);
        Connection third = DriverManager.getConnection(URL)) {
      Sql.run(holder, take);
      Sql.run(holder, "SELECT 1");
      Sql.run(block, "BEGIN");
      Sql.run(block, "SELECT 1");
      SQLException refused = assertThrows(SQLException.class, () -> Sql.run(third, "SELECT 1"));
      assertEquals("53300", refused.getSQLState(), refused.getMessage());
      Sql.run(holder, drop);
      assertEquals(List.of("1"), Sql.strings(third, "SELECT 1"));
      Sql.run(block, "COMMIT");
    }
  }
}
