package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 3: modifications in full PostgreSQL dialect on replicated shards:
 * RETURNING, ON CONFLICT, non-constant expressions, volatility, and concurrent
 * non-commutative writes that leave placements identical.
 */
class PostgresDialectWritesTest {
  static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    run("CREATE EXTENSION IF NOT EXISTS hll");
    run("DROP TABLE IF EXISTS test_hll_shard, pg_counters, pg_events");
    run("CREATE TABLE test_hll_shard (date date, users hll)");
    run("SELECT master_create_distributed_table('test_hll_shard', 'date', 'hash')");
    run("SELECT master_create_worker_shards('test_hll_shard', 4, 2)");
    run("CREATE TABLE pg_counters (id bigint, count int, note text,"
        + " CONSTRAINT pg_counters_key UNIQUE (id))");
    run("SELECT master_create_distributed_table('pg_counters', 'id', 'hash')");
    run("SELECT master_create_worker_shards('pg_counters', 4, 2)");
    run("CREATE TABLE pg_events (id bigint, at timestamptz, r float8, \"user\" text, date date)");
    run("SELECT master_create_distributed_table('pg_events', 'id', 'hash')");
    run("SELECT master_create_worker_shards('pg_events', 4, 2)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void hllUnionWithNonConstantExpressions() throws SQLException {
    run("INSERT INTO test_hll_shard VALUES ('2015-01-08', hll_empty())");
    run("update test_hll_shard set users = users||hll_hash_text('foobar')"
        + " where date = date('2015-01-08');");
    assertEquals(List.of("1"), strings(spar, "SELECT hll_cardinality(users)::int FROM"
        + " test_hll_shard WHERE date = '2015-01-08'"));
    assertPlacementsIdentical("test_hll_shard", "date, users::text");
  }

  @Test
  void returningGivesOneRowPerModifiedRow() throws SQLException {
    run("DELETE FROM pg_counters WHERE id BETWEEN 100 AND 110");
    try (Statement statement = spar.createStatement();
        ResultSet rs = statement.executeQuery("INSERT INTO pg_counters (id, count) VALUES"
            + " (100, 1), (101, 2), (102, 3) RETURNING id, count * 10 AS tenfold")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getLong("id") + ":" + rs.getInt("tenfold"));
      }
      rows.sort(null);
      assertEquals(List.of("100:10", "101:20", "102:30"), rows);
    }
    try (Statement statement = spar.createStatement()) {
      assertTrue(statement.execute("UPDATE pg_counters SET count = count + 1 WHERE id = 101"
          + " RETURNING count"));
      try (ResultSet rs = statement.getResultSet()) {
        assertTrue(rs.next());
        assertEquals(3, rs.getInt(1));
        assertFalse(rs.next());
      }
    }
    try (PreparedStatement insert = spar.prepareStatement(
        "INSERT INTO pg_counters (id, count) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
      insert.setLong(1, 103);
      insert.setInt(2, 7);
      assertEquals(1, insert.executeUpdate());
      try (ResultSet keys = insert.getGeneratedKeys()) {
        assertTrue(keys.next());
        assertEquals(103, keys.getLong("id"));
        assertFalse(keys.next());
      }
    }
    assertEquals(List.of("4"), strings(spar, "WITH d AS (SELECT 1) SELECT count(*) FROM"
        + " pg_counters WHERE id BETWEEN 100 AND 110"));
    try (Statement statement = spar.createStatement();
        ResultSet rs = statement.executeQuery(
            "DELETE FROM pg_counters WHERE id BETWEEN 100 AND 110 RETURNING id")) {
      int rows = 0;
      while (rs.next()) {
        rows++;
      }
      assertEquals(4, rows, "one row per deleted row, not per replica");
    }
  }

  @Test
  void onConflictRunsOnTheShardWithShardConstraintNames() throws SQLException {
    run("DELETE FROM pg_counters WHERE id = 200");
    run("INSERT INTO pg_counters (id, count) VALUES (200, 1)");
    run("INSERT INTO pg_counters AS c (id, count) VALUES (200, 5) ON CONFLICT (id)"
        + " DO UPDATE SET count = c.count + EXCLUDED.count, note = 'merged'");
    assertEquals(List.of("6|merged"), strings(spar,
        "SELECT count || '|' || note FROM pg_counters WHERE id = 200"));
    run("INSERT INTO pg_counters (id, count) VALUES (200, 9)"
        + " ON CONFLICT ON CONSTRAINT pg_counters_key DO NOTHING");
    run("INSERT INTO pg_counters (id, count) VALUES (200, 9) ON CONFLICT (id)"
        + " DO UPDATE SET count = pg_counters.count + 1 WHERE pg_counters.note = 'merged'");
    assertEquals(List.of("7"), strings(spar, "SELECT count FROM pg_counters WHERE id = 200"));
    SQLException e = assertThrows(SQLException.class, () -> run("INSERT INTO pg_counters"
        + " (id, count) VALUES (200, 1) ON CONFLICT (id) DO UPDATE SET id = 201"));
    assertEquals("modifying the partition value of rows is not allowed", message(e));
    assertPlacementsIdentical("pg_counters", "id, count, note");
  }

  @Test
  void volatileValuesAreEvaluatedOnceAtTheCoordinator() throws SQLException {
    run("INSERT INTO pg_events (id, at, r, \"user\", date) VALUES"
        + " (1, now(), random(), 'ann', date('2015-01-08')), (2, clock_timestamp(), random(),"
        + " current_user, current_date)");
    try (PreparedStatement insert = spar.prepareStatement(
        "INSERT INTO pg_events (id, at, r) VALUES ($1, now() + $2::interval, random())")) {
      insert.setLong(1, 3);
      insert.setString(2, "1 day");
      assertEquals(1, insert.executeUpdate());
    }
    run("UPDATE pg_events SET at = now() - interval '1 hour' WHERE id = 2");
    assertPlacementsIdentical("pg_events", "id, at, r, \"user\", date");
    SQLException update = assertThrows(SQLException.class,
        () -> run("UPDATE pg_events SET r = random() WHERE id = 1"));
    assertEquals("functions used in UPDATE queries on distributed tables must not be VOLATILE",
        message(update));
    SQLException returning = assertThrows(SQLException.class,
        () -> run("DELETE FROM pg_events WHERE id = 3 RETURNING now()"));
    assertEquals("non-IMMUTABLE functions are not allowed in the RETURNING clause",
        message(returning));
    assertEquals(List.of("ann|2015-01-08"), strings(spar,
        "SELECT \"user\" || '|' || date FROM pg_events WHERE id = 1"));
  }

  @Test
  void explainShowsTheRouteTheShardSqlAndTheWriteClass() throws SQLException {
    List<String> commutative = strings(spar, "EXPLAIN UPDATE test_hll_shard"
        + " SET users = users || hll_hash_text('x') WHERE date = '2015-01-08'");
    assertTrue(commutative.get(0).contains("class commutative"), commutative.toString());
    assertTrue(commutative.get(0).contains("router, 1 shard"), commutative.toString());
    assertTrue(commutative.get(2).contains("UPDATE \"public\".\"test_hll_shard_"),
        commutative.toString());
    assertTrue(strings(spar, "EXPLAIN INSERT INTO pg_counters (id, count) VALUES (1, 1)"
        + " ON CONFLICT (id) DO UPDATE SET count = EXCLUDED.count").get(0)
        .contains("class non-commutative"));
    assertTrue(strings(spar, "EXPLAIN DELETE FROM pg_counters WHERE id = 1").get(0)
        .contains("class idempotent"));
    assertTrue(strings(spar, "EXPLAIN SELECT * FROM pg_counters WHERE id = 1").get(0)
        .startsWith("Router Query"));
    List<String> multiShard = strings(spar, "EXPLAIN SELECT count(*) FROM pg_counters");
    assertTrue(multiShard.get(0).startsWith("Multi-shard Query"), multiShard.toString());
    assertTrue(multiShard.get(1).contains("4 of 4 shards after pruning"), multiShard.toString());
    assertTrue(multiShard.stream().anyMatch(each -> each.contains("Sent to each shard")),
        multiShard.toString());
    List<String> pruned = strings(spar,
        "EXPLAIN SELECT count(*) FROM pg_counters WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9)");
    assertTrue(pruned.get(1).contains(" of 4 shards after pruning"), pruned.toString());
  }

  @Test
  void replicatedWritesLockTheirShardInTheirClassMode() throws SQLException {
    var log = spar.unwrap(io.spar.session.SparSession.class).engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    long mark = log.mark();
    run("INSERT INTO pg_counters (id, count) VALUES (300, 1)");
    assertTrue(log.since(mark).stream().anyMatch(
        e -> e.sql().startsWith("SELECT pg_advisory_xact_lock_shared")), "insert: shared");
    mark = log.mark();
    run("UPDATE pg_counters SET count = count + 1 WHERE id = 300");
    assertTrue(log.since(mark).stream().noneMatch(
        e -> e.sql().startsWith("SELECT pg_advisory_xact_lock_shared")), "commutative");
    assertTrue(log.since(mark).stream().anyMatch(
        e -> e.sql().startsWith("SELECT pg_advisory_xact_lock(")), "commutative: exclusive");
    mark = log.mark();
    run("UPDATE pg_counters SET count = id WHERE id = 300");
    assertTrue(log.since(mark).stream().anyMatch(
        e -> e.sql().startsWith("SELECT pg_advisory_xact_lock(")), "non-commutative: exclusive");
  }

  @Test
  void concurrentNonCommutativeUpsertsLeavePlacementsIdentical() throws Exception {
    run("DELETE FROM pg_counters WHERE id BETWEEN 1000 AND 1009");
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int session = 1; session <= 2; session++) {
        int value = session;
        done.add(threads.submit(() -> upsertLoop(value)));
      }
      for (Future<Integer> each : done) {
        assertEquals(1000, each.get());
      }
    } finally {
      threads.shutdownNow();
    }
    assertPlacementsIdentical("pg_counters", "id, count, note");
  }

  private static int upsertLoop(int value) throws SQLException {
    int done = 0;
    try (Connection connection = SparTestCluster.spar();
        PreparedStatement upsert = connection.prepareStatement("INSERT INTO pg_counters (id, count)"
            + " VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET count = EXCLUDED.count")) {
      for (int i = 0; i < 1000; i++) {
        upsert.setLong(1, 1000 + i % 10);
        upsert.setInt(2, value * 100_000 + i);
        done += upsert.executeUpdate();
      }
    }
    return done;
  }

  /** Asserts that every shard's placements hold identical rows. */
  private static void assertPlacementsIdentical(String table, String columns) throws SQLException {
    List<String> placements = strings(spar, "SELECT p.shard_id || ':' || p.node_port FROM"
        + " pgs_distribution_metadata.shard_placement p JOIN pgs_distribution_metadata.shard s"
        + " ON s.id = p.shard_id WHERE s.relation_id = '" + table + "'::regclass"
        + " AND p.shard_state = 1 ORDER BY p.shard_id, p.id");
    String previousShard = null;
    List<String> previousRows = null;
    for (String each : placements) {
      String shard = each.split(":")[0];
      int port = Integer.parseInt(each.split(":")[1]);
      List<String> rows = strings(worker(port), "SELECT md5(string_agg(t::text, ',' ORDER BY"
          + " t::text)) FROM (SELECT " + columns + " FROM " + table + "_" + shard + ") t");
      if (shard.equals(previousShard)) {
        assertEquals(previousRows, rows, "placements of shard " + shard + " differ");
      }
      previousShard = shard;
      previousRows = rows;
    }
  }

  private static Connection worker(int port) throws SQLException {
    for (PgNode each : SparTestCluster.cluster().workers()) {
      if (each.port() == port) {
        return SparTestCluster.direct(each);
      }
    }
    throw new IllegalStateException("no worker on port " + port);
  }

  private static String message(SQLException e) {
    return e instanceof org.postgresql.util.PSQLException psql
        && psql.getServerErrorMessage() != null
        ? psql.getServerErrorMessage().getMessage() : e.getMessage();
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }

  private static List<String> strings(Connection connection, String sql) throws SQLException {
    try {
      return Sql.strings(connection, sql);
    } finally {
      if (connection != spar) {
        connection.close();
      }
    }
  }
}
