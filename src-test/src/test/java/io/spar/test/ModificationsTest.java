package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 3: multi-row INSERT and JDBC batches split by shard, multi-shard UPDATE
 * and DELETE, prepared statements that keep routing, and statements that fail as a whole.
 */
class ModificationsTest {
  static Connection spar;
  static StatementLog log;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    run("DROP TABLE IF EXISTS mod_counts, mod_later");
    run("CREATE TABLE mod_counts (k bigint, n int, note text, UNIQUE (k, n))");
    run("SELECT master_create_distributed_table('mod_counts', 'k', 'hash')");
    run("SELECT master_create_worker_shards('mod_counts', 8, 2)");
  }

  @BeforeEach
  void empty() throws SQLException {
    run("TRUNCATE mod_counts");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void multiRowInsertIsSplitByShard() throws SQLException {
    long mark = log.mark();
    assertEquals(10, update("INSERT INTO mod_counts (k, n) VALUES (1, 1), (2, 1), (3, 1),"
        + " (4, 1), (5, 1), (6, 1), (7, 1), (8, 1), (9, 1), (10, 1)"));
    List<StatementLog.Entry> inserts = log.since(mark);
    Set<Long> shards = inserts.stream().map(StatementLog.Entry::shardId)
        .filter(Objects::nonNull).collect(Collectors.toSet());
    assertEquals(shards.size() * 2L, inserts.stream().filter(RoutingTest::isShardStatement).count(),
        "one INSERT per shard placement");
    assertEquals(10, count("SELECT count(*) FROM mod_counts"));
    for (int k = 1; k <= 10; k++) {
      assertEquals(1, count("SELECT count(*) FROM mod_counts WHERE k = " + k));
    }
  }

  @Test
  void batchReportsCountsPerStatementAndIsOneBatchPerPlacement() throws SQLException {
    long mark = log.mark();
    try (PreparedStatement insert = spar.prepareStatement(
        "INSERT INTO mod_counts (k, n, note) VALUES (?, ?, ?)")) {
      for (int i = 0; i < 1000; i++) {
        insert.setLong(1, i % 97);
        insert.setInt(2, i);
        insert.setString(3, "row " + i);
        insert.addBatch();
      }
      long[] counts = insert.executeLargeBatch();
      assertEquals(16, log.since(mark).stream().filter(RoutingTest::isShardStatement).count(),
          "8 shards x 2 placements, one batch each");
      assertEquals(1000, counts.length);
      for (long each : counts) {
        assertEquals(1, each);
      }
    }
    assertEquals(1000, count("SELECT count(*) FROM mod_counts"));
    try (PreparedStatement update = spar.prepareStatement(
        "UPDATE mod_counts SET note = ? WHERE k = ?")) {
      update.setString(1, "a");
      update.setLong(2, 3);
      update.addBatch();
      update.setString(1, "b");
      update.setLong(2, 1000);
      update.addBatch();
      assertArrayEquals(new int[] {count("SELECT count(*) FROM mod_counts WHERE k = 3"), 0},
          update.executeBatch());
    }
  }

  @Test
  void failingBatchWritesNothing() throws SQLException {
    run("INSERT INTO mod_counts VALUES (5, 5, 'taken')");
    try (PreparedStatement insert = spar.prepareStatement("INSERT INTO mod_counts VALUES (?, ?, ?)")) {
      for (int k = 1; k <= 9; k++) {
        insert.setLong(1, k);
        insert.setInt(2, 5);
        insert.setString(3, "new");
        insert.addBatch();
      }
      BatchUpdateException e = assertThrows(BatchUpdateException.class, insert::executeBatch);
      assertEquals("23505", e.getSQLState());
    }
    assertEquals(1, count("SELECT count(*) FROM mod_counts"));
    SQLException e = assertThrows(SQLException.class,
        () -> run("INSERT INTO mod_counts VALUES (1, 5, 'x'), (2, 5, 'x'), (5, 5, 'x')"));
    assertEquals("23505", e.getSQLState());
    assertEquals(1, count("SELECT count(*) FROM mod_counts"), "nothing half-written");
  }

  @Test
  void multiShardUpdateAndDelete() throws SQLException {
    run("INSERT INTO mod_counts (k, n) VALUES (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1)");
    assertEquals(6, update("UPDATE mod_counts SET n = n + 1"));
    assertEquals(6, count("SELECT sum(n) / 2 FROM mod_counts"));
    assertEquals(2, update("UPDATE mod_counts SET note = 'x' WHERE k IN (2, 4)"));
    assertEquals(3, update("DELETE FROM mod_counts WHERE k > 3"));
    assertEquals(3, count("SELECT count(*) FROM mod_counts"));
  }

  @Test
  void preparedStatementsKeepRoutingAcrossServerPrepareThreshold() throws SQLException {
    try (PreparedStatement insert = spar.prepareStatement("INSERT INTO mod_counts VALUES (?, ?, ?)");
        PreparedStatement select = spar.prepareStatement(
            "SELECT n, note FROM mod_counts WHERE k = ? AND n = ?");
        PreparedStatement update = spar.prepareStatement(
            "UPDATE mod_counts SET note = ? WHERE k = ? AND n = ?")) {
      for (int i = 0; i < 25; i++) {
        insert.setLong(1, i);
        insert.setInt(2, i);
        insert.setString(3, "v" + i);
        assertEquals(1, insert.executeUpdate());
        update.setString(1, "u" + i);
        update.setLong(2, i);
        update.setInt(3, i);
        assertEquals(1, update.executeUpdate());
        select.setLong(1, i);
        select.setInt(2, i);
        try (ResultSet rs = select.executeQuery()) {
          rs.next();
          assertEquals(i, rs.getInt(1));
          assertEquals("u" + i, rs.getString(2));
        }
      }
    }
  }

  @Test
  void cachedPlansFollowCatalogChangesFromOtherConnections() throws SQLException {
    run("CREATE TABLE mod_later (k bigint, v text)");
    try (PreparedStatement insert = spar.prepareStatement("INSERT INTO mod_later VALUES (?, ?)")) {
      insert.setLong(1, 1);
      insert.setString(2, "local");
      assertEquals(1, insert.executeUpdate());
      try (Connection other = SparTestCluster.spar(); Statement statement = other.createStatement()) {
        statement.execute("DELETE FROM mod_later");
        statement.execute("SELECT master_create_distributed_table('mod_later', 'k', 'hash')");
        statement.execute("SELECT master_create_worker_shards('mod_later', 4, 1)");
      }
      insert.setLong(1, 2);
      insert.setString(2, "distributed");
      assertEquals(1, insert.executeUpdate());
    }
    try (Connection coordinator = SparTestCluster.coordinator()) {
      try (Statement statement = coordinator.createStatement();
          ResultSet rs = statement.executeQuery("SELECT count(*) FROM mod_later")) {
        rs.next();
        assertEquals(0, rs.getInt(1), "the shell holds no rows");
      }
    }
    assertEquals(1, count("SELECT count(*) FROM mod_later WHERE k = 2"));
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }

  private static int update(String sql) throws SQLException {
    return Sql.update(spar, sql);
  }

  private static int count(String sql) throws SQLException {
    return (int) Sql.count(spar, sql);
  }
}
