package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Statement.cancel()} and {@code setQueryTimeout} stop a statement on every node it runs
 * on, fail it as pgjdbc fails one on plain PostgreSQL (57014; in a block, the block fails), and
 * leave the session usable. Each case runs on Spar and on a plain table of the coordinator.
 */
class CancelTest {
  private static final String MARK = "cancel_test_sleep";

  @BeforeAll
  static void createTables() throws SQLException {
    try (Connection spar = SparTestCluster.spar();
        Connection plain = SparTestCluster.coordinator()) {
      Sql.run(spar, "DROP TABLE IF EXISTS cancel_items");
      Sql.run(spar, "CREATE TABLE cancel_items (k bigint, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('cancel_items', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('cancel_items', 4, 1)");
      Sql.run(spar, "INSERT INTO cancel_items VALUES (1, 'v1'), (2, 'v2'), (3, 'v3'), (4, 'v4'),"
          + " (5, 'v5'), (6, 'v6'), (7, 'v7'), (8, 'v8')");
      Sql.run(plain, "DROP TABLE IF EXISTS cancel_plain");
      Sql.run(plain, "CREATE TABLE cancel_plain (k bigint, v text)");
      Sql.run(plain, "INSERT INTO cancel_plain SELECT g, 'v' || g FROM generate_series(1, 8) g");
    }
  }

  @AfterAll
  static void dropTables() throws SQLException {
    try (Connection spar = SparTestCluster.spar();
        Connection plain = SparTestCluster.coordinator()) {
      Sql.run(spar, "DROP TABLE cancel_items");
      Sql.run(plain, "DROP TABLE cancel_plain");
    }
  }

  @Test
  void aQueryTimeoutCancelsAMultiShardStatementOnEveryWorker() throws SQLException {
    for (String table : List.of("cancel_items", "cancel_plain")) {
      try (Connection connection = connect(table);
          Statement statement = connection.createStatement()) {
        statement.setQueryTimeout(1);
        SQLException timedOut = assertThrows(SQLException.class, () -> statement.executeQuery(
            "SELECT count(*) FROM " + table + " WHERE pg_sleep(5) IS NOT NULL AND '" + MARK
                + "' <> ''"));
        assertEquals("57014", timedOut.getSQLState(), table + ": " + timedOut.getMessage());
        assertEquals(List.of(), sleepingOnNodes(), table);
        statement.setQueryTimeout(0);
        assertEquals(List.of("8"), Sql.strings(connection, "SELECT count(*) FROM " + table));
      }
    }
  }

  @Test
  void cancelFromAnotherThreadFailsTheBlockAndLeavesTheSessionUsable() throws Exception {
    List<String> seen = new ArrayList<>();
    for (String table : List.of("cancel_items", "cancel_plain")) {
      try (Connection connection = connect(table);
          Statement statement = connection.createStatement()) {
        connection.setAutoCommit(false);
        Sql.run(connection, "UPDATE " + table + " SET v = 'changed' WHERE k = 1");
        CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
          try {
            statement.executeQuery("SELECT pg_sleep(30), '" + MARK + "' FROM " + table
                + " WHERE k = 2");
          } catch (SQLException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
        awaitSleeping(sleeping);
        statement.cancel();
        ExecutionException failed = assertThrows(ExecutionException.class,
            () -> sleeping.get(30, TimeUnit.SECONDS));
        SQLException cancelled = (SQLException) failed.getCause();
        SQLException aborted = assertThrows(SQLException.class,
            () -> Sql.strings(connection, "SELECT 1"));
        connection.rollback();
        connection.setAutoCommit(true);
        seen.add(cancelled.getSQLState() + " " + aborted.getSQLState() + " "
            + Sql.strings(connection, "SELECT v FROM " + table + " WHERE k = 1"));
        assertEquals(List.of(), sleepingOnNodes(), table);
      }
    }
    assertEquals("57014 25P02 [v1]", seen.get(0));
    assertEquals(seen.get(1), seen.get(0), "Spar and plain PostgreSQL");
  }

  private static Connection connect(String table) throws SQLException {
    return table.equals("cancel_plain") ? SparTestCluster.coordinator() : SparTestCluster.spar();
  }

  /** Waits, boundedly, until a node runs the sleeping query (or the query ended early). */
  private static void awaitSleeping(CompletableFuture<Void> sleeping) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (sleepingOnNodes().isEmpty()) {
      assertTrue(!sleeping.isDone() && System.nanoTime() < deadline,
          "the query did not start sleeping");
      Thread.onSpinWait();
    }
  }

  /** Returns the queries of this test that some node still runs. */
  private static List<String> sleepingOnNodes() throws SQLException {
    List<PgNode> nodes = new ArrayList<>(SparTestCluster.cluster().workers());
    nodes.add(SparTestCluster.cluster().coordinator());
    List<String> running = new ArrayList<>();
    for (PgNode node : nodes) {
      try (Connection direct = SparTestCluster.direct(node);
          Statement s = direct.createStatement();
          ResultSet rows = s.executeQuery("SELECT query FROM pg_stat_activity"
              + " WHERE state = 'active' AND query LIKE '%" + MARK + "%'"
              + " AND pid <> pg_backend_pid()")) {
        while (rows.next()) {
          running.add(node.name() + ": " + rows.getString(1));
        }
      }
    }
    return running;
  }
}
