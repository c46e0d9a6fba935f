package io.spar.test;

import static io.spar.test.Sql.count;
import static io.spar.test.Sql.outcome;
import static io.spar.test.Sql.run;
import static io.spar.test.Sql.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's tenant schemas, differentially: with {@code spar.enable_schema_based_sharding}
 * on, schemas made through Spar are distributed, each whole on one worker; the same DDL and
 * statements, with the tenant first in {@code search_path} as the Apartment gem sets it, run
 * on plain PostgreSQL schemas straight on the coordinator, and every answer, error and
 * SQLState must be the same. Through the statement log, each tenant statement runs as one
 * statement on its schema's node.
 */
class DistributedSchemasTest {
  private static final List<String> TENANTS = List.of("ds_acme", "ds_globex");
  private static Connection spar;
  private static Connection plain;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    plain = SparTestCluster.coordinator();
    for (String each : TENANTS) {
      run(spar, "DROP SCHEMA IF EXISTS " + each + " CASCADE");
      run(plain, "DROP SCHEMA IF EXISTS " + plain(each) + " CASCADE");
    }
    run(spar, "DROP SCHEMA IF EXISTS ds_plain_local CASCADE");
    run(spar, "DROP TABLE IF EXISTS ds_outside");
    run(spar, "SET spar.enable_schema_based_sharding = on");
    for (String each : TENANTS) {
      run(spar, "CREATE SCHEMA " + each);
      run(plain, "CREATE SCHEMA " + plain(each));
      both(each, "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL,"
          + " plan text DEFAULT 'free')");
      both(each, "CREATE TABLE projects (id serial PRIMARY KEY,"
          + " owner int NOT NULL REFERENCES users (id) ON DELETE CASCADE, title text)");
      both(each, "CREATE TABLE tasks (id bigserial PRIMARY KEY,"
          + " project int NOT NULL REFERENCES projects (id) ON DELETE CASCADE,"
          + " done boolean NOT NULL DEFAULT false, hours numeric(6, 2), due date)");
      both(each, "INSERT INTO users (name, plan) VALUES ('ann', 'pro'), ('bob', 'free'),"
          + " ('cy', 'pro')");
      both(each, "INSERT INTO projects (owner, title) VALUES (1, 'alpha'), (1, 'beta'),"
          + " (2, 'gamma'), (3, 'delta')");
      both(each, "INSERT INTO tasks (project, done, hours, due) SELECT 1 + i % 4, i % 3 = 0,"
          + " i * 1.25, date '2026-01-01' + i FROM generate_series(1, 40) i");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    run(spar, "RESET search_path");
    spar.close();
    plain.close();
  }

  @Test
  void eachSchemaLivesWholeOnOneWorker() throws SQLException {
    List<String> nodes = new ArrayList<>();
    for (String each : TENANTS) {
      String inSchema = " JOIN pg_class c ON c.oid = p.relation_id"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = '" + each + "'";
      List<String> placed = strings(spar, "SELECT DISTINCT pl.node_name || ':' || pl.node_port"
          + " FROM pgs_distribution_metadata.partition p" + inSchema
          + " JOIN pgs_distribution_metadata.shard s ON s.relation_id = p.relation_id"
          + " JOIN pgs_distribution_metadata.shard_placement pl ON pl.shard_id = s.id"
          + " WHERE p.partition_method = 's'");
      assertEquals(1, placed.size(), placed.toString());
      nodes.add(placed.get(0));
      assertEquals(3, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.partition p"
          + inSchema));
    }
    // Two schemas, two workers: one each.
    assertNotEquals(nodes.get(0), nodes.get(1));
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      String address = worker.host() + ":" + worker.port();
      for (int i = 0; i < TENANTS.size(); i++) {
        long shards = count(SparTestCluster.direct(worker), "SELECT count(*) FROM pg_tables"
            + " WHERE schemaname = '" + TENANTS.get(i) + "'");
        assertEquals(address.equals(nodes.get(i)) ? 3 : 0, shards, address);
      }
    }
  }

  @Test
  void tenantStatementsAnswerAsPostgresOnOneNode() throws SQLException {
    StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe();
    String[] statements = {
        "SELECT u.name, count(t.id), sum(t.hours) FROM users u JOIN projects p ON p.owner = u.id"
            + " JOIN tasks t ON t.project = p.id GROUP BY u.name ORDER BY u.name",
        "WITH open AS (SELECT project, count(*) AS n FROM tasks WHERE NOT done GROUP BY 1)"
            + " SELECT p.title, o.n FROM projects p JOIN open o ON o.project = p.id"
            + " ORDER BY p.title",
        "SELECT id, project, hours, rank() OVER (PARTITION BY project ORDER BY hours DESC)"
            + " FROM tasks ORDER BY project, id LIMIT 12",
        "UPDATE tasks t SET done = true FROM projects p WHERE p.id = t.project"
            + " AND p.title = 'beta' AND t.hours > 20",
        "SELECT count(*) FILTER (WHERE done), count(*) FROM tasks",
        "INSERT INTO users (name) VALUES ('dee') RETURNING id, name, plan",
        "INSERT INTO projects (owner, title) VALUES (4, 'eps') RETURNING *",
        "INSERT INTO projects (owner, title) VALUES (99, 'orphan')",
        "DELETE FROM users WHERE name = 'bob'",
        "SELECT p.title, (SELECT count(*) FROM tasks t WHERE t.project = p.id) FROM projects p"
            + " ORDER BY 1",
        "UPDATE users SET plan = 'pro' WHERE id IN (SELECT owner FROM projects"
            + " WHERE title LIKE 'e%') RETURNING id, plan",
        "SELECT * FROM users ORDER BY id",
    };
    for (String tenant : TENANTS) {
      Set<String> nodes = new java.util.HashSet<>();
      for (String each : statements) {
        answer(spar, tenant, "SELECT 1"); // sets the search path before the mark
        long mark = log.mark();
        assertEquals(answer(plain, plain(tenant), each), answer(spar, tenant, each), each);
        List<StatementLog.Entry> sent = log.since(mark).stream()
            .filter(e -> e.shardId() != null).toList();
        assertEquals(1, sent.size(), each + ": " + sent);
        nodes.add(sent.get(0).node().toString());
      }
      assertEquals(1, nodes.size(), nodes.toString());
    }
  }

  @Test
  void crossTenantReadsAnswerAsPostgres() throws SQLException {
    String query = "SELECT 'a' AS t, name FROM %s.users UNION ALL SELECT 'g', name"
        + " FROM %s.users ORDER BY 1, 2";
    assertEquals(outcome(plain, String.format(query, plain(TENANTS.get(0)),
            plain(TENANTS.get(1)))),
        outcome(spar, String.format(query, TENANTS.get(0), TENANTS.get(1))));
  }

  @Test
  void ddlReachesTheTenantsNode() throws SQLException {
    for (String tenant : TENANTS) {
      both(tenant, "ALTER TABLE users ADD COLUMN email text");
      both(tenant, "CREATE INDEX users_email ON users (email)");
      both(tenant, "UPDATE users SET email = name || '@example.com'");
      String query = "SELECT name, email FROM users ORDER BY id";
      assertEquals(answer(plain, plain(tenant), query), answer(spar, tenant, query));
    }
  }

  @Test
  void tablesMadeInABlockAreUsableInIt() throws SQLException {
    String tenant = TENANTS.get(0);
    run(spar, "SET search_path TO " + tenant + ", public");
    spar.setAutoCommit(false);
    try {
      run(spar, "CREATE TABLE notes (id serial PRIMARY KEY, body text)");
      run(spar, "INSERT INTO notes (body) VALUES ('one'), ('two')");
      assertEquals(2, count(spar, "SELECT count(*) FROM notes"));
      spar.commit();
    } finally {
      spar.setAutoCommit(true);
    }
    assertEquals(List.of("one", "two"), strings(spar, "SELECT body FROM notes ORDER BY id"));
    assertEquals(1, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.partition"
        + " WHERE relation_id = '" + tenant + ".notes'::regclass AND partition_method = 's'"));
    run(spar, "DROP TABLE notes");
  }

  @Test
  void whatCannotBeKeptIsRefused() throws SQLException {
    run(spar, "RESET search_path");
    run(spar, "CREATE TABLE ds_outside (id int PRIMARY KEY)");
    String tenant = TENANTS.get(1);
    assertRefused("ALTER TABLE ds_outside SET SCHEMA " + tenant, "0A000");
    assertRefused("CREATE TABLE public.ds_points (id int REFERENCES " + tenant
        + ".users (id))", "0A000");
    assertRefused("CREATE TABLE " + tenant + ".events (at date) PARTITION BY RANGE (at)",
        "0A000");
    assertRefused("CREATE TABLE " + tenant + ".copied AS SELECT 1 AS x", "0A000");
    assertEquals(0, count(spar, "SELECT count(*) FROM pg_tables WHERE tablename IN"
        + " ('ds_points', 'events', 'copied')"));
    // Without the setting, a schema and its tables stay on the coordinator.
    run(spar, "SET spar.enable_schema_based_sharding = off");
    try {
      run(spar, "CREATE SCHEMA ds_plain_local");
      run(spar, "CREATE TABLE ds_plain_local.t (id int)");
      run(spar, "INSERT INTO ds_plain_local.t VALUES (1)");
      assertEquals(0, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.partition"
          + " WHERE relation_id = 'ds_plain_local.t'::regclass"));
      assertEquals(1, count(spar, "SELECT count(*) FROM ds_plain_local.t"));
    } finally {
      run(spar, "SET spar.enable_schema_based_sharding = on");
    }
  }

  @Test
  void droppingASchemaRemovesItEverywhere() throws SQLException {
    run(spar, "CREATE SCHEMA ds_dropped");
    run(spar, "CREATE TABLE ds_dropped.t (id serial PRIMARY KEY, v text)");
    run(spar, "INSERT INTO ds_dropped.t (v) VALUES ('x')");
    run(spar, "DROP SCHEMA ds_dropped CASCADE");
    assertEquals(0, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.tenant_schema t"
        + " WHERE NOT EXISTS (SELECT 1 FROM pg_namespace n WHERE n.oid = t.schema_id)"));
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      assertEquals(0, count(SparTestCluster.direct(worker), "SELECT count(*) FROM pg_namespace"
          + " WHERE nspname = 'ds_dropped'"));
    }
  }

  private static void assertRefused(String sql, String state) {
    SQLException e = assertThrows(SQLException.class, () -> run(spar, sql), sql);
    assertEquals(state, e.getSQLState(), e.getMessage());
  }

  /** Runs {@code sql} in {@code tenant} through Spar and in its plain twin on the coordinator. */
  private static void both(String tenant, String sql) throws SQLException {
    assertEquals(answer(plain, plain(tenant), sql), answer(spar, tenant, sql), sql);
  }

  /** Returns what {@code sql} answers with {@code schema} first in the search path. */
  private static List<String> answer(Connection connection, String schema, String sql)
      throws SQLException {
    run(connection, "SET search_path TO " + schema + ", public");
    try {
      // pgjdbc names a column "serial" or "bigserial" from its table's default; Spar's
      // result columns come from shards, which leave nextval to the coordinator.
      return outcome(connection, sql).stream().map(each -> each.startsWith("columns ")
          ? each.replace(":bigserial", ":int8").replace(":serial", ":int4") : each).toList();
    } catch (SQLException e) {
      return List.of("error " + e.getSQLState() + " " + Objects.requireNonNullElse(
          e.getMessage(), "").replace(plain(schema), schema).lines().findFirst().orElse(""));
    }
  }

  private static String plain(String tenant) {
    return tenant.startsWith("plain_") ? tenant : "plain_" + tenant;
  }
}
