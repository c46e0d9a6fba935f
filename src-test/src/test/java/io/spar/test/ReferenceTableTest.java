package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.StatementLog;
import io.spar.jdbc.SparConnection;
import io.spar.session.SparSession;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Issue 14's reference tables, differentially: {@code rt_plans} made a reference table (one
 * shard on every worker) beside hash-distributed {@code rt_users} and {@code rt_events}, and
 * the same tables plain on one PostgreSQL database. Writes, reads and joins must give equal
 * results, errors and rows; every placement of the reference table holds the same rows; joins
 * run on the workers.
 */
class ReferenceTableTest {
  private static final List<String> TABLES = List.of("rt_plans", "rt_users", "rt_events",
      "rt_tags");

  private static Connection spar;
  private static Connection plain;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    plain = SparTestCluster.coordinator();
    Sql.run(spar, "DROP TABLE IF EXISTS rt_plans, rt_users, rt_events, rt_tags");
    Sql.run(plain, "DROP SCHEMA IF EXISTS rt_plain CASCADE");
    Sql.run(plain, "CREATE SCHEMA rt_plain");
    for (Connection each : List.of(spar, plain)) {
      String schema = each == plain ? "rt_plain." : "";
      // A unique column besides the key: one shard holds every row, so it stays unique.
      Sql.run(each, "CREATE TABLE " + schema + "rt_plans (id int PRIMARY KEY,"
          + " name text UNIQUE NOT NULL, price numeric(8,2))");
      // Rows written before distribution move into the shard.
      Sql.run(each, "INSERT INTO " + schema + "rt_plans VALUES (1, 'free', 0),"
          + " (2, 'basic', 9.5), (3, 'pro', 29)");
      Sql.run(each, "CREATE TABLE " + schema + "rt_users (id bigint PRIMARY KEY, plan_id int,"
          + " name text)");
      Sql.run(each, "CREATE TABLE " + schema + "rt_events (user_id bigint, plan_id int, n int)");
      Sql.run(each, "CREATE TABLE " + schema + "rt_tags (id serial PRIMARY KEY,"
          + " tag text DEFAULT 'none')");
    }
    Sql.run(spar, "SELECT create_reference_table('rt_tags')");
    Sql.run(spar, "SELECT create_reference_table('rt_plans')");
    Sql.run(spar, "SELECT master_create_distributed_table('rt_users', 'id', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('rt_users', 4, 1)");
    Sql.run(spar, "SELECT master_create_distributed_table('rt_events', 'user_id', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('rt_events', 4, 2)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
    plain.close();
  }

  @Test
  void oneShardOnEveryWorker() throws SQLException {
    assertEquals(List.of("n|"), Sql.strings(spar, "SELECT partition_method::text || '|'"
        + " || coalesce(key, '') FROM pgs_distribution_metadata.partition"
        + " WHERE relation_id = 'rt_plans'::regclass"));
    assertEquals(List.of("1|" + SparTestCluster.WORKERS), Sql.strings(spar,
        "SELECT count(DISTINCT s.id) || '|' || count(p.id) FROM pgs_distribution_metadata.shard s"
            + " JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
            + " WHERE s.relation_id = 'rt_plans'::regclass AND p.shard_state = 1"));
    Placements.assertIdentical(spar, "rt_plans");
    assertEquals(Sql.count(plain, "SELECT count(*) FROM rt_plain.rt_plans"),
        Sql.count(spar, "SELECT count(*) FROM rt_plans"));

    SQLException again = assertThrows(SQLException.class,
        () -> Sql.run(spar, "SELECT create_reference_table('rt_users')"));
    assertEquals("42P07", again.getSQLState(), again.getMessage());
    SQLException shard = assertThrows(SQLException.class,
        () -> Sql.run(spar, "SELECT master_create_empty_shard('rt_plans')"));
    assertEquals("0A000", shard.getSQLState(), shard.getMessage());
    long shardId = Sql.longs(spar, "SELECT id FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = 'rt_plans'::regclass").get(0);
    List<String> nodes = Sql.strings(spar, "SELECT quote_literal(node_name) || ', ' || node_port"
        + " FROM pgs_distribution_metadata.shard_placement WHERE shard_id = " + shardId
        + " ORDER BY node_port");
    SQLException move = assertThrows(SQLException.class, () -> Sql.run(spar,
        "SELECT master_move_shard_placement(" + shardId + ", " + nodes.get(0) + ", "
            + nodes.get(1) + ")"));
    assertEquals("0A000", move.getSQLState(), move.getMessage());
    assertEquals(0, Sql.strings(spar, "SELECT * FROM get_rebalance_table_shards_plan("
        + "'rt_plans')").size());
  }

  @Test
  void writesAndReadsAsPostgresDoes() throws Exception {
    same("INSERT INTO %srt_plans VALUES (4, 'team', 49), (5, 'enterprise', 99) RETURNING *");
    same("INSERT INTO %srt_plans (id, name) VALUES (6, 'trial')");
    same("INSERT INTO %srt_plans AS p VALUES (2, 'basic', 12) ON CONFLICT (id)"
        + " DO UPDATE SET price = EXCLUDED.price + p.price RETURNING id, price");
    same("INSERT INTO %srt_plans VALUES (7, 'pro', 1)");
    same("INSERT INTO %srt_plans VALUES (1, 'again', 1)");
    same("UPDATE %srt_plans SET price = price * 2 WHERE id > 3 RETURNING id, price");
    same("DELETE FROM %srt_plans WHERE id = 6 RETURNING name");
    same("INSERT INTO %srt_users SELECT g, g % 5 + 1, 'u' || g FROM generate_series(1, 200) g");
    same("INSERT INTO %srt_events SELECT g % 200 + 1, g % 5 + 1, g"
        + " FROM generate_series(1, 1000) g");
    same("INSERT INTO %srt_plans SELECT id + 100, name || ' (old)', price FROM %srt_plans"
        + " WHERE id < 3");
    same("INSERT INTO %srt_users (id, plan_id, name) SELECT 1000 + id, id, name"
        + " FROM %srt_plans");
    same("UPDATE %srt_users u SET name = p.name FROM %srt_plans p WHERE p.id = u.plan_id"
        + " AND u.id = 5 RETURNING u.id, u.name");
    same("UPDATE %srt_users u SET name = u.name || '*' FROM %srt_plans p"
        + " WHERE p.id = u.plan_id AND p.price > 50");
    // rt_events has two placements per shard, which could read different versions of a
    // reference table that a concurrent write changes: refused rather than risk replicas
    // that differ.
    SQLException replicated = assertThrows(SQLException.class, () -> Sql.run(spar,
        "DELETE FROM rt_events e USING rt_plans p WHERE p.id = e.plan_id AND p.name = 'free'"));
    assertEquals("0A000", replicated.getSQLState(), replicated.getMessage());
    same("DELETE FROM %srt_users u USING %srt_plans p WHERE p.id = u.plan_id"
        + " AND p.name = 'free' AND u.id > 190");
    same("SELECT * FROM %srt_plans ORDER BY id");
    same("SELECT u.name, p.name FROM %srt_users u JOIN %srt_plans p ON p.id = u.plan_id"
        + " WHERE u.id = 7");
    same("SELECT p.name, count(*) FROM %srt_users u JOIN %srt_plans p ON p.id = u.plan_id"
        + " GROUP BY p.name ORDER BY 1");
    same("SELECT u.id, p.price FROM %srt_users u, %srt_plans p WHERE p.id = u.plan_id"
        + " AND u.id < 20 ORDER BY u.id");
    same("SELECT count(*), sum(e.n) FROM %srt_events e JOIN %srt_users u ON u.id = e.user_id"
        + " JOIN %srt_plans p ON p.id = e.plan_id WHERE p.price > 10");
    same("SELECT p.name, sum(e.n) FROM %srt_events e JOIN %srt_plans p ON p.id = e.plan_id"
        + " GROUP BY p.name ORDER BY 2 DESC, 1");
    same("SELECT p.id, count(u.id) FROM %srt_plans p LEFT JOIN %srt_users u"
        + " ON u.plan_id = p.id GROUP BY p.id ORDER BY 1");
    same("SELECT u.id, p.name FROM %srt_users u LEFT JOIN %srt_plans p ON p.id = u.plan_id"
        + " WHERE u.id <= 10 ORDER BY 1");
    same("SELECT DISTINCT p.name FROM %srt_users u JOIN %srt_plans p ON p.id = u.plan_id"
        + " ORDER BY 1");
    same("SELECT * FROM %srt_plans WHERE id IN (SELECT plan_id FROM %srt_users WHERE id = 3)");
    same("WITH x AS (SELECT plan_id, count(*) AS c FROM %srt_users GROUP BY plan_id)"
        + " SELECT p.name, x.c FROM x JOIN %srt_plans p ON p.id = x.plan_id ORDER BY 1");
    same("SELECT p.name, u.id, rank() OVER (PARTITION BY p.name ORDER BY u.id DESC)"
        + " FROM %srt_users u JOIN %srt_plans p ON p.id = u.plan_id WHERE u.id < 30"
        + " ORDER BY 1, 2");
    same("SELECT count(*) FROM %srt_plans a JOIN %srt_plans b ON a.price < b.price");
    same("SELECT name FROM %srt_plans WHERE price > 20 ORDER BY price DESC LIMIT 2");

    // The coordinator draws serial values once, so every placement stores the same.
    same("INSERT INTO %srt_tags (tag) VALUES ('a'), ('b') RETURNING id + 0, tag");
    same("INSERT INTO %srt_tags DEFAULT VALUES");
    same("INSERT INTO %srt_tags (id) VALUES (DEFAULT) RETURNING tag");
    same("ALTER TABLE %srt_tags ADD COLUMN note text DEFAULT 'n'");
    same("CREATE INDEX rt_tags_tag ON %srt_tags (tag)");
    same("UPDATE %srt_tags SET note = tag || id WHERE id > 1");
    same("SELECT t.tag, p.name FROM %srt_tags t JOIN %srt_plans p ON p.id = t.id ORDER BY 1");
    same("TRUNCATE %srt_tags");
    same("INSERT INTO %srt_tags (tag) VALUES ('after truncate') RETURNING tag, note");
    Placements.assertIdentical(spar, "rt_tags");
    SQLException fromDistributed = assertThrows(SQLException.class, () -> Sql.run(spar,
        "UPDATE rt_plans p SET price = 0 FROM rt_users u WHERE u.plan_id = p.id AND u.id = 1"));
    assertEquals("0A000", fromDistributed.getSQLState(), fromDistributed.getMessage());

    assertEquals(3, copyIn(spar, "COPY rt_plans FROM STDIN (FORMAT csv)",
        "200,csv one,1.5\n201,csv two,\n202,\"csv, three\",3\n"));
    assertEquals(3, copyIn(plain, "COPY rt_plain.rt_plans FROM STDIN (FORMAT csv)",
        "200,csv one,1.5\n201,csv two,\n202,\"csv, three\",3\n"));
    same("SELECT * FROM %srt_plans ORDER BY id");
    Placements.assertIdentical(spar, "rt_plans");
  }

  @Test
  void joinsRunOnTheWorkers() throws SQLException {
    String routed = "SELECT u.name, p.name FROM rt_users u JOIN rt_plans p"
        + " ON p.id = u.plan_id WHERE u.id = 11";
    List<String> routedPlan = Sql.strings(spar, "EXPLAIN " + routed);
    assertEquals("Router Query: 1 shard after pruning", routedPlan.get(0), routedPlan.toString());
    String grouped = "SELECT p.name, count(*) FROM rt_users u JOIN rt_plans p"
        + " ON p.id = u.plan_id GROUP BY p.name";
    List<String> plan = Sql.strings(spar, "EXPLAIN " + grouped);
    assertTrue(plan.stream().anyMatch(line -> line.contains("Sent to each group of co-located"
        + " shards") && line.matches(".*\"rt_users_\\d+\".*\"rt_plans_\\d+\".*")),
        plan.toString());

    // Each shard's query reads the reference table's placement on the shard's own node.
    StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
    try (StatementLog.Subscription watching = log.subscribe()) {
      long mark = log.mark();
      Sql.strings(spar, grouped);
      List<StatementLog.Entry> shardQueries = log.since(mark).stream()
          .filter(each -> each.sql().contains("rt_plans_")).toList();
      assertEquals(4, shardQueries.size(), shardQueries.toString());
      for (StatementLog.Entry each : shardQueries) {
        assertEquals(List.of(each.node().port()), Sql.longs(spar, "SELECT p.node_port"
            + " FROM pgs_distribution_metadata.shard_placement p WHERE p.shard_id = "
            + each.shardId()).stream().map(Long::intValue).toList(), each.toString());
      }
    }
  }

  @Test
  void aWriteThatFailsOnOneReplicaChangesNone() throws SQLException {
    long shardId = Sql.longs(spar, "SELECT id FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = 'rt_plans'::regclass").get(0);
    int lastPort = Sql.longs(spar, "SELECT max(node_port) FROM"
        + " pgs_distribution_metadata.shard_placement WHERE shard_id = " + shardId).get(0)
        .intValue();
    try (Connection worker = Placements.worker(lastPort)) {
      Sql.run(worker, "CREATE FUNCTION rt_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
          + " BEGIN RAISE EXCEPTION 'refused here' USING ERRCODE = '22023'; END $$");
      Sql.run(worker, "CREATE TRIGGER rt_refuse BEFORE INSERT ON rt_plans_" + shardId
          + " FOR EACH ROW WHEN (NEW.id = 999) EXECUTE FUNCTION rt_refuse()");
      try {
        long before = Sql.count(spar, "SELECT count(*) FROM rt_plans");
        SQLException refused = assertThrows(SQLException.class,
            () -> Sql.run(spar, "INSERT INTO rt_plans VALUES (999, 'nowhere', 1)"));
        assertEquals("22023", refused.getSQLState(), refused.getMessage());
        // In a block, with a distributed table's write: all or nothing, on every node.
        spar.setAutoCommit(false);
        Sql.run(spar, "INSERT INTO rt_users VALUES (5000, 1, 'in block')");
        assertThrows(SQLException.class,
            () -> Sql.run(spar, "INSERT INTO rt_plans VALUES (999, 'nowhere', 1)"));
        spar.rollback();
        spar.setAutoCommit(true);
        assertEquals(before, Sql.count(spar, "SELECT count(*) FROM rt_plans"));
        assertEquals(0, Sql.count(spar, "SELECT count(*) FROM rt_users WHERE id = 5000"));
        Placements.assertIdentical(spar, "rt_plans");
        assertEquals(0, Sql.count(worker, "SELECT count(*) FROM rt_plans_" + shardId
            + " WHERE id = 999"));
      } finally {
        spar.setAutoCommit(true);
        Sql.run(worker, "DROP TRIGGER rt_refuse ON rt_plans_" + shardId);
        Sql.run(worker, "DROP FUNCTION rt_refuse()");
      }
    }
    // A transaction that writes both kinds of table commits on every node together.
    spar.setAutoCommit(false);
    Sql.run(spar, "INSERT INTO rt_plans VALUES (300, 'in a block', 3)");
    Sql.run(spar, "INSERT INTO rt_users VALUES (300, 300, 'block user')");
    spar.commit();
    spar.setAutoCommit(true);
    assertEquals(List.of("block user|in a block"), Sql.strings(spar, "SELECT u.name || '|'"
        + " || p.name FROM rt_users u JOIN rt_plans p ON p.id = u.plan_id WHERE u.id = 300"));
    Sql.run(spar, "DELETE FROM rt_users WHERE id = 300");
    Sql.run(spar, "DELETE FROM rt_plans WHERE id = 300");
    Placements.assertIdentical(spar, "rt_plans");
  }

  /**
   * A foreign key to or from a reference table is refused: while one of its placements is
   * INACTIVE, each node would check keys against its own copy, and a cascade would reach the
   * shards beside the current copies only.
   */
  @Test
  void foreignKeysWithReferenceTablesAreRefused() throws SQLException {
    for (String key : List.of("ALTER TABLE rt_users ADD FOREIGN KEY (plan_id)"
        + " REFERENCES rt_plans (id)", "ALTER TABLE rt_plans ADD FOREIGN KEY (id)"
        + " REFERENCES rt_users (id)")) {
      SQLException refused = assertThrows(SQLException.class, () -> Sql.run(spar, key));
      assertEquals("0A000", refused.getSQLState(), refused.getMessage());
    }
    assertEquals(0, Sql.count(spar, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
        + " AND conrelid IN ('rt_users'::regclass, 'rt_plans'::regclass)"));
  }

  /** Runs {@code sql} on both sides and compares its outcome and every table's rows. */
  private static void same(String sql) throws SQLException {
    assertEquals(outcome(plain, sql.replace("%s", "rt_plain.")),
        outcome(spar, sql.replace("%s", "")), sql);
    for (String table : TABLES) {
      assertEquals(Sql.strings(plain, "SELECT t::text FROM rt_plain." + table + " t ORDER BY 1"),
          Sql.strings(spar, "SELECT t::text FROM " + table + " t ORDER BY 1"), table);
    }
  }

  /** Returns the statement's outcome, or its error's SQLState and message. */
  private static List<String> outcome(Connection connection, String sql) {
    try {
      return Sql.outcome(connection, sql);
    } catch (SQLException e) {
      List<String> error = new ArrayList<>();
      // A shard's constraint names end in its shard id.
      error.add("error " + e.getSQLState() + " "
          + e.getMessage().lines().findFirst().orElse("").replaceAll("_\\d{5,}", ""));
      return error;
    }
  }

  private static long copyIn(Connection connection, String sql, String data) throws Exception {
    ByteArrayInputStream in = new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8));
    if (connection instanceof SparConnection sparConnection) {
      return sparConnection.getCopyAPI().copyIn(sql, in);
    }
    return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, in);
  }
}
