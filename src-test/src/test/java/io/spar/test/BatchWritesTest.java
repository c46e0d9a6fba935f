package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 16: a batch of one-row INSERTs goes to each placement as multi-row
 * INSERTs, the workers' parts at once. Compared with the same batches on one plain PostgreSQL
 * database: update counts, the rows and their defaults, and a failing row that leaves nothing
 * behind, in autocommit and in a transaction block.
 */
class BatchWritesTest {
  private static final String PLAIN_DATABASE = "spar_plain_batches";
  /** Enough columns that Spar's parameter limit, not its row limit, splits a shard's rows. */
  private static final int WIDE_COLUMNS = 40;

  static Connection spar;
  static Connection plain;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    try (Connection coordinator = SparTestCluster.coordinator()) {
      run(coordinator, "DROP DATABASE IF EXISTS " + PLAIN_DATABASE);
      run(coordinator, "CREATE DATABASE " + PLAIN_DATABASE);
    }
    Properties properties = new Properties();
    properties.setProperty("user", LocalCluster.USER);
    plain = DriverManager.getConnection(SparTestCluster.cluster().coordinator().jdbcUrl()
        .replaceFirst("/[^/]*$", "/" + PLAIN_DATABASE), properties);
    String wide = IntStream.range(0, WIDE_COLUMNS).mapToObj(i -> "c" + i + " int")
        .collect(Collectors.joining(", "));
    for (Connection each : List.of(spar, plain)) {
      run(each, "DROP TABLE IF EXISTS batch_kv, batch_wide");
      run(each, "CREATE TABLE batch_kv (k bigint PRIMARY KEY, v text,"
          + " n int DEFAULT 7, at timestamptz DEFAULT '2020-02-03 04:05:06+00')");
      run(each, "CREATE TABLE batch_wide (k bigint, " + wide + ")");
    }
    run(spar, "SELECT master_create_distributed_table('batch_kv', 'k', 'hash')");
    // Two shards, one on each worker, so that each gets more than a statement's rows.
    run(spar, "SELECT master_create_worker_shards('batch_kv', 2, 1)");
    run(spar, "SELECT master_create_distributed_table('batch_wide', 'k', 'hash')");
    run(spar, "SELECT master_create_worker_shards('batch_wide', 4, 1)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
    plain.close();
  }

  @Test
  void aBatchOverBothWorkersMatchesPostgres() throws SQLException {
    emptyBoth("batch_kv");
    StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    long mark = log.mark();
    for (Connection each : List.of(spar, plain)) {
      try (PreparedStatement insert = each.prepareStatement(
          "INSERT INTO batch_kv (k, v) VALUES (?, ?)")) {
        for (int i = 0; i < 2_600; i++) {
          insert.setLong(1, i * 7919L);
          insert.setString(2, i % 10 == 0 ? null : "row " + i);
          insert.addBatch();
        }
        long[] counts = insert.executeLargeBatch();
        assertEquals(2_600, counts.length);
        assertTrue(java.util.Arrays.stream(counts).allMatch(c -> c == 1), "one row each");
      }
    }
    long statements = log.since(mark).stream().filter(RoutingTest::isShardStatement).count();
    assertEquals(4, statements, "two shards of more than 1,000 rows, at most 1,000 rows an"
        + " INSERT");
    assertSame("SELECT k, v, n, at FROM batch_kv ORDER BY k");
  }

  @Test
  void parametersNotRowsLimitAWideBatch() throws SQLException {
    emptyBoth("batch_wide");
    String markers = IntStream.rangeClosed(0, WIDE_COLUMNS).mapToObj(i -> "?")
        .collect(Collectors.joining(", "));
    for (Connection each : List.of(spar, plain)) {
      try (PreparedStatement insert = each.prepareStatement(
          "INSERT INTO batch_wide VALUES (" + markers + ")")) {
        for (int row = 0; row < 4_000; row++) {
          insert.setLong(1, row);
          for (int c = 0; c < WIDE_COLUMNS; c++) {
            insert.setInt(c + 2, row * WIDE_COLUMNS + c);
          }
          insert.addBatch();
        }
        assertEquals(4_000, insert.executeBatch().length);
      }
    }
    assertSame("SELECT * FROM batch_wide ORDER BY k");
  }

  /**
   * In autocommit, pgjdbc sends a batch to one PostgreSQL in pieces, each committed by itself
   * (the plain database keeps the rows of the pieces before the failing one); a Spar batch is
   * one distributed transaction and keeps none, as ModificationsTest requires too.
   */
  @Test
  void aFailingRowLeavesNothingInAutocommit() throws SQLException {
    emptyBoth("batch_kv");
    List<String> errors = new ArrayList<>();
    for (Connection each : List.of(spar, plain)) {
      run(each, "INSERT INTO batch_kv (k, v) VALUES (1234567, 'taken')");
      errors.add(failingBatch(each));
    }
    assertEquals(errors.get(1), errors.get(0));
    assertEquals(List.of("1234567|taken|7|" + rows(plain, "SELECT at FROM batch_kv"
        + " WHERE k = 1234567").get(0)), rows(spar, "SELECT k, v, n, at FROM batch_kv"));
  }

  @Test
  void aFailingRowFailsTheBlockAndRollbackUndoesTheRest() throws SQLException {
    emptyBoth("batch_kv");
    List<String> errors = new ArrayList<>();
    for (Connection each : List.of(spar, plain)) {
      run(each, "INSERT INTO batch_kv (k, v) VALUES (1234567, 'taken')");
      each.setAutoCommit(false);
      try {
        run(each, "INSERT INTO batch_kv (k, v) VALUES (1, 'before the batch')");
        errors.add(failingBatch(each));
        SQLException aborted = assertThrows(SQLException.class,
            () -> run(each, "SELECT count(*) FROM batch_kv"));
        errors.add(aborted.getSQLState());
        each.rollback();
      } finally {
        each.setAutoCommit(true);
      }
    }
    assertEquals(errors.subList(2, 4), errors.subList(0, 2));
    assertSame("SELECT k, v, n, at FROM batch_kv ORDER BY k");
  }

  /** Runs a batch whose last-but-one row takes a used key; returns the error's SQLState. */
  private static String failingBatch(Connection connection) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO batch_kv (k, v) VALUES (?, ?)")) {
      for (int i = 0; i < 500; i++) {
        insert.setLong(1, i == 498 ? 1234567 : 10_000 + i);
        insert.setString(2, "new " + i);
        insert.addBatch();
      }
      BatchUpdateException failure = assertThrows(BatchUpdateException.class,
          insert::executeBatch);
      SQLException cause = failure.getNextException() != null ? failure.getNextException()
          : failure;
      return cause.getSQLState();
    }
  }

  private static void emptyBoth(String table) throws SQLException {
    run(spar, "TRUNCATE " + table);
    run(plain, "TRUNCATE " + table);
  }

  private static void assertSame(String query) throws SQLException {
    assertArrayEquals(rows(plain, query).toArray(), rows(spar, query).toArray(), query);
  }

  private static List<String> rows(Connection connection, String query) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(query)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  private static void run(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
