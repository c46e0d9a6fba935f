package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 4: JDBC and SQL transactions across shards, workers and the
 * coordinator's own tables, with one-phase commit on one node and two-phase commit otherwise.
 */
class TransactionsTest {
  static Connection spar;
  static StatementLog log;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    run("DROP TABLE IF EXISTS tx_items, tx_local, tx_single");
    run("CREATE TABLE tx_items (k bigint, v text)");
    run("SELECT master_create_distributed_table('tx_items', 'k', 'hash')");
    run("SELECT master_create_worker_shards('tx_items', 8, 1)");
    run("CREATE TABLE tx_single (k bigint, v text)");
    run("SELECT master_create_distributed_table('tx_single', 'k', 'hash')");
    run("SELECT master_create_worker_shards('tx_single', 1, 1)");
    run("CREATE TABLE tx_local (k bigint)");
  }

  @BeforeEach
  void empty() throws SQLException {
    spar.setAutoCommit(true);
    run("TRUNCATE tx_items");
    run("TRUNCATE tx_single");
    run("TRUNCATE tx_local");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void rollbackLeavesNothingAndCommitLeavesEverything() throws SQLException {
    spar.setAutoCommit(false);
    for (int k = 1; k <= 6; k++) {
      run("INSERT INTO tx_items VALUES (" + k + ", 'x')");
    }
    run("INSERT INTO tx_local VALUES (1)");
    assertEquals(6, count("SELECT count(*) FROM tx_items"), "the transaction sees its writes");
    assertEquals(1, count("SELECT count(*) FROM tx_items WHERE k = 3"));
    spar.rollback();
    assertEquals(0, count("SELECT count(*) FROM tx_items"));
    assertEquals(0, count("SELECT count(*) FROM tx_local"));
    for (int k = 1; k <= 6; k++) {
      run("INSERT INTO tx_items VALUES (" + k + ", 'x')");
    }
    run("INSERT INTO tx_local VALUES (1)");
    long mark = log.mark();
    spar.commit();
    assertTrue(log.since(mark).stream().anyMatch(e -> e.sql().startsWith("PREPARE TRANSACTION")),
        "several nodes commit with two-phase commit");
    spar.setAutoCommit(true);
    assertEquals(6, count("SELECT count(*) FROM tx_items"));
    assertEquals(1, count("SELECT count(*) FROM tx_local"));
    assertEquals(0, preparedLeft());
  }

  @Test
  void oneNodeCommitsInOnePhase() throws SQLException {
    spar.setAutoCommit(false);
    run("INSERT INTO tx_single VALUES (1, 'a'), (2, 'b')");
    run("UPDATE tx_single SET v = 'c' WHERE k = 2");
    long mark = log.mark();
    spar.commit();
    assertTrue(log.since(mark).stream().noneMatch(e -> e.sql().startsWith("PREPARE")));
    spar.setAutoCommit(true);
    assertEquals(1, count("SELECT count(*) FROM tx_single WHERE v = 'c'"));
  }

  @Test
  void sqlTransactionBlocksAndAbortedTransactions() throws SQLException {
    run("BEGIN");
    run("INSERT INTO tx_items VALUES (10, 'a'), (11, 'b'), (12, 'c')");
    run("COMMIT");
    assertEquals(3, count("SELECT count(*) FROM tx_items"));
    run("BEGIN");
    run("DELETE FROM tx_items");
    assertThrows(SQLException.class, () -> run("INSERT INTO tx_items VALUES (NULL, 'x')"));
    SQLException aborted = assertThrows(SQLException.class,
        () -> run("INSERT INTO tx_items VALUES (1, 'x')"));
    assertEquals("25P02", aborted.getSQLState());
    run("ROLLBACK");
    assertEquals(3, count("SELECT count(*) FROM tx_items"), "the DELETE was rolled back");
    spar.setAutoCommit(false);
    run("INSERT INTO tx_items VALUES (13, 'd')");
    SQLException ddl = assertThrows(SQLException.class,
        () -> run("SELECT master_create_worker_shards('tx_local', 2, 1)"));
    assertEquals("25001", ddl.getSQLState());
    // As pgjdbc 42.7 does, commit() of a failed block rolls it back without an error.
    spar.commit();
    spar.setAutoCommit(true);
    assertEquals(3, count("SELECT count(*) FROM tx_items"));
  }

  @Test
  void recoveryIsCallableAsSql() throws SQLException {
    assertEquals(List.of(0L), List.of((long) count("SELECT recover_prepared_transactions()")));
  }

  private static long preparedLeft() throws SQLException {
    long total = 0;
    for (var worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker);
          Statement statement = direct.createStatement();
          ResultSet rs = statement.executeQuery(
              "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'spar\\_%'")) {
        rs.next();
        total += rs.getLong(1);
      }
    }
    return total;
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }

  private static int count(String sql) throws SQLException {
    return (int) Sql.count(spar, sql);
  }
}
