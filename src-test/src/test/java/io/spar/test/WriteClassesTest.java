package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8: write classes come from column types and operators, and functions
 * resolve as PostgreSQL resolves them, with unresolved ones VOLATILE, so that replicas of a
 * shard never diverge. Every table has replication factor 2.
 */
class WriteClassesTest {
  private static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    run("CREATE EXTENSION IF NOT EXISTS hll");
    run("DROP TABLE IF EXISTS wc_items");
    // The same domain and functions on every node: shards need the domain, and a call pushed
    // to the placements would run there.
    for (Connection node : allNodes()) {
      try (node) {
        Sql.run(node, "DROP DOMAIN IF EXISTS wc_count");
        Sql.run(node, "CREATE DOMAIN wc_count AS bigint CHECK (VALUE >= 0)");
        Sql.run(node, "DROP SCHEMA IF EXISTS wc_hidden CASCADE");
        Sql.run(node, "CREATE SCHEMA wc_hidden");
        Sql.run(node, "CREATE OR REPLACE FUNCTION public.wc_pick() RETURNS int IMMUTABLE"
            + " LANGUAGE sql AS 'SELECT 1'");
        Sql.run(node, "CREATE FUNCTION wc_hidden.wc_pick() RETURNS int VOLATILE"
            + " LANGUAGE sql AS 'SELECT (random() * 1000000000)::int'");
      }
    }
    run("CREATE TABLE wc_items (id bigint, name text, n int, total wc_count, tags text[],"
        + " users hll, amount numeric, ratio float8, at timestamptz)");
    run("SELECT master_create_distributed_table('wc_items', 'id', 'hash')");
    run("SELECT master_create_worker_shards('wc_items', 4, 2)");
    for (PgNode each : SparTestCluster.cluster().workers()) {
      try (Connection worker = SparTestCluster.direct(each)) {
        Sql.run(worker, "CREATE OR REPLACE FUNCTION wc_worker_only(int) RETURNS int VOLATILE"
            + " LANGUAGE sql AS 'SELECT (random() * 1000000000)::int'");
      }
    }
    // The catalog notification of the DDL above arrives asynchronously; don't race it.
    spar.unwrap(SparSession.class).engine().metadata().invalidate();
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void explainShowsClassesFromColumnTypesAndOperators() throws SQLException {
    assertClass("non-commutative", "UPDATE wc_items SET name = name || 'x' WHERE id = 1");
    assertClass("non-commutative", "UPDATE wc_items SET tags = tags || ARRAY['a'] WHERE id = 1");
    assertClass("commutative", "UPDATE wc_items SET n = n + 1 WHERE id = 1");
    assertClass("commutative", "UPDATE wc_items SET total = 5 + total WHERE id = 1");
    assertClass("commutative", "UPDATE wc_items SET amount = amount - 0.25 WHERE id = 1");
    assertClass("commutative",
        "UPDATE wc_items SET users = users || hll_hash_text('foobar') WHERE id = 1");
    assertClass("non-commutative", "UPDATE wc_items SET ratio = ratio + 1 WHERE id = 1");
    assertClass("non-commutative", "UPDATE wc_items SET n = n + 0.5 WHERE id = 1");
    assertClass("idempotent", "UPDATE wc_items SET name = 'x' WHERE id = 1");
    assertClass("insert", "INSERT INTO wc_items (id, n) VALUES (1, 1)");
  }

  @Test
  void onlyPlainInsertsShareTheShardLockAndEveryPlacementTakesIt() throws SQLException {
    StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    long mark = log.mark();
    run("INSERT INTO wc_items (id, name, n) VALUES (2, '', 0)");
    assertEquals(2, locks(log, mark, "SELECT pg_advisory_xact_lock_shared("),
        "an INSERT takes the shared lock at both placements");
    mark = log.mark();
    run("UPDATE wc_items SET name = name || 'x' WHERE id = 2");
    assertEquals(2, locks(log, mark, "SELECT pg_advisory_xact_lock("), "exclusive lock");
    // Increments commute with each other, not with an INSERT landing between placements.
    mark = log.mark();
    run("UPDATE wc_items SET n = n + 1 WHERE id = 2");
    assertEquals(2, locks(log, mark, "SELECT pg_advisory_xact_lock("), "exclusive lock");
    assertEquals(0, locks(log, mark, "SELECT pg_advisory_xact_lock_shared("));
  }

  private static long locks(StatementLog log, long mark, String prefix) {
    return log.since(mark).stream().filter(e -> e.sql().startsWith(prefix))
        .map(StatementLog.Entry::node).distinct().count();
  }

  @Test
  void unresolvedFunctionsInUpdatesAreRefusedAsVolatile() throws SQLException {
    run("INSERT INTO wc_items (id, n) VALUES (3, 7)");
    PSQLException missing = assertThrows(PSQLException.class,
        () -> run("UPDATE wc_items SET n = wc_no_such_function(n) WHERE id = 3"));
    assertEquals("0A000", missing.getSQLState());
    assertEquals("functions used in UPDATE queries on distributed tables must not be VOLATILE",
        missing.getServerErrorMessage().getMessage());
    assertTrue(missing.getServerErrorMessage().getDetail().contains("wc_no_such_function/1"));
    // Only the workers have it: pushed as IMMUTABLE, each placement would draw its own value.
    PSQLException workerOnly = assertThrows(PSQLException.class,
        () -> run("UPDATE wc_items SET n = wc_worker_only(n) WHERE id = 3"));
    assertEquals("0A000", workerOnly.getSQLState());
    assertThrows(PSQLException.class,
        () -> run("UPDATE wc_items SET n = wc_hidden.wc_pick() WHERE id = 3"));
    assertEquals(List.of("7"), strings(spar, "SELECT n FROM wc_items WHERE id = 3"));
    Placements.assertIdentical(spar, "wc_items");
  }

  @Test
  void schemaQualifiedVolatileFunctionsInValuesRunOnceAtTheCoordinator() throws SQLException {
    // public.wc_pick() is IMMUTABLE; the call names the VOLATILE wc_hidden.wc_pick().
    try (PreparedStatement insert = spar.prepareStatement(
        "INSERT INTO wc_items (id, n) VALUES (?, wc_hidden.wc_pick())")) {
      for (long id = 1000; id < 1020; id++) {
        insert.setLong(1, id);
        assertEquals(1, insert.executeUpdate());
      }
    }
    run("INSERT INTO wc_items (id, n) VALUES (1020, wc_pick())");
    assertEquals(List.of("1"), strings(spar, "SELECT n FROM wc_items WHERE id = 1020"));
    Placements.assertIdentical(spar, "wc_items");
  }

  @Test
  void sqlValueFunctionsAndTimeLiteralsRunOnceAtTheCoordinator() throws SQLException {
    run("INSERT INTO wc_items (id, at) VALUES (2000, 'now'::timestamptz),"
        + " (2001, timestamp 'now'), (2002, current_timestamp)");
    run("UPDATE wc_items SET at = current_timestamp WHERE id = 2000");
    run("UPDATE wc_items SET at = localtimestamp WHERE id = 2001");
    assertEquals(3, strings(spar,
        "SELECT id FROM wc_items WHERE id BETWEEN 2000 AND 2002 AND at IS NOT NULL").size());
    Placements.assertIdentical(spar, "wc_items");
  }

  @Test
  void concurrentTextAppendsLeavePlacementsIdentical() throws Exception {
    run("INSERT INTO wc_items (id, name) VALUES (4000, '')");
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (String letter : List.of("a", "b")) {
        done.add(threads.submit(() -> appendLoop(letter)));
      }
      for (Future<Integer> each : done) {
        assertEquals(300, each.get());
      }
    } finally {
      threads.shutdownNow();
    }
    String name = strings(spar, "SELECT name FROM wc_items WHERE id = 4000").get(0);
    assertEquals(600, name.length());
    assertEquals(300, name.chars().filter(c -> c == 'a').count());
    List<String> placements = new ArrayList<>();
    for (Connection worker : workers()) {
      try (worker) {
        String shard = shardOf(4000);
        if (!strings(worker, "SELECT 1 FROM pg_tables WHERE tablename = 'wc_items_" + shard
            + "'").isEmpty()) {
          placements.add(strings(worker, "SELECT name FROM wc_items_" + shard
              + " WHERE id = 4000").get(0));
        }
      }
    }
    assertEquals(2, placements.size());
    assertEquals(placements.get(0), placements.get(1));
    assertEquals(name, placements.get(0));
  }

  private static int appendLoop(String letter) throws SQLException {
    int done = 0;
    try (Connection connection = SparTestCluster.spar();
        PreparedStatement append = connection.prepareStatement(
            "UPDATE wc_items SET name = name || ? WHERE id = 4000")) {
      for (int i = 0; i < 300; i++) {
        append.setString(1, letter);
        done += append.executeUpdate();
      }
    }
    return done;
  }

  private static void assertClass(String expected, String update) throws SQLException {
    String first = strings(spar, "EXPLAIN " + update).get(0);
    assertTrue(first.startsWith("Distributed Modify: class " + expected + ";"),
        update + " -> " + first);
  }

  private static String shardOf(long id) throws SQLException {
    return strings(spar, "SELECT get_shard_id_for_distribution_column('wc_items', " + id + ")")
        .get(0);
  }

  private static List<Connection> workers() throws SQLException {
    List<Connection> result = new ArrayList<>();
    for (PgNode each : SparTestCluster.cluster().workers()) {
      result.add(SparTestCluster.direct(each));
    }
    return result;
  }

  private static List<Connection> allNodes() throws SQLException {
    List<Connection> result = workers();
    result.add(SparTestCluster.coordinator());
    return result;
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }

  private static List<String> strings(Connection connection, String sql) throws SQLException {
    return Sql.strings(connection, sql);
  }
}
