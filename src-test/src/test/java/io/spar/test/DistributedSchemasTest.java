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
  /** The engine's own connection, whose engine also serves the PostgreSQL port. */
  private static Connection embedded;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    plain = SparTestCluster.coordinator();
    embedded = SparTestCluster.embedded();
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
      // Each tenant has rows of its own, so that reading another tenant's would show.
      both(each, "INSERT INTO users (name, plan) VALUES ('ann', 'pro'), ('bob', 'free'),"
          + " ('cy', 'pro'), ('" + each + "', 'free')");
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
    embedded.close();
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
    // Three tables, each with a primary key index: at least six pages.
    List<String> expected = List.of(TENANTS.get(0) + " " + nodes.get(0) + " 3 true",
        TENANTS.get(1) + " " + nodes.get(1) + " 3 true");
    List<String> listed = new ArrayList<>();
    try (java.sql.Statement statement = spar.createStatement();
        java.sql.ResultSet rs = statement.executeQuery("SELECT * FROM spar_schemas()")) {
      while (rs.next()) {
        if (TENANTS.contains(rs.getString("schema_name"))) {
          listed.add(rs.getString(1) + " " + rs.getString(2) + ":" + rs.getInt(3) + " "
              + rs.getLong(4) + " " + (rs.getLong(5) >= 6 * 8192));
        }
      }
    }
    assertEquals(expected, listed);
    // The view: filtered, ordered and joined as any relation, qualified or not.
    String[] views = {"spar_schemas", "pgs_distribution_metadata.spar_schemas"};
    for (String view : views) {
      assertEquals(expected, strings(spar, "SELECT s.schema_name || ' ' || s.node_name || ':'"
          + " || s.node_port || ' ' || s.tables || ' ' || (s.bytes >= 6 * 8192)"
          + " FROM " + view + " s JOIN pg_namespace n ON n.nspname = s.schema_name"
          + " WHERE s.schema_name IN ('" + String.join("', '", TENANTS) + "') ORDER BY 1"));
    }
    assertEquals(List.of(TENANTS.get(1)), strings(spar, "SELECT schema_name FROM spar_schemas"
        + " WHERE schema_name IN ('" + String.join("', '", TENANTS) + "')"
        + " ORDER BY tables DESC, schema_name DESC LIMIT 1"));
    assertRefused("DELETE FROM spar_schemas", "55000");
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      String address = worker.host() + ":" + worker.port();
      for (int i = 0; i < TENANTS.size(); i++) {
        long shards = count(SparTestCluster.direct(worker), "SELECT count(*) FROM pg_tables"
            + " WHERE schemaname = '" + TENANTS.get(i) + "'");
        assertEquals(address.equals(nodes.get(i)) ? 3 : 0, shards, address);
      }
    }
  }

  /**
   * Between workers holding as many distributed schemas, a new one goes to the one whose
   * database has fewer bytes. Each worker in turn is given more bytes than the other, and the
   * next schema must go to the other.
   */
  @Test
  void aTieGoesToTheWorkerWithFewerBytes() throws SQLException {
    run(spar, "RESET search_path");
    List<PgNode> workers = SparTestCluster.cluster().workers();
    List<String> made = new ArrayList<>();
    try {
      for (int turn = 0; turn < workers.size(); turn++) {
        for (int i = 0; schemasPerWorker(workers).stream().distinct().count() > 1; i++) {
          assertTrue(i < 20, "the workers' schemas never evened out: "
              + schemasPerWorker(workers));
          made.add("ds_filler_" + turn + "_" + i);
          run(spar, "CREATE SCHEMA " + made.get(made.size() - 1));
        }
        PgNode heavy = workers.get(turn);
        PgNode light = workers.get(1 - turn);
        try (Connection direct = SparTestCluster.direct(heavy)) {
          run(direct, "CREATE TABLE IF NOT EXISTS ds_ballast (pad text)");
          while (bytes(heavy) < bytes(light) + 8 * 1024 * 1024) {
            run(direct, "INSERT INTO ds_ballast SELECT (SELECT string_agg(md5(i || '-' || j),"
                + " '') FROM generate_series(1, 30) j) FROM generate_series(1, 4000) i");
          }
        }
        made.add("ds_by_bytes_" + turn);
        run(spar, "CREATE SCHEMA ds_by_bytes_" + turn);
        assertEquals(light.host() + ":" + light.port(), node("ds_by_bytes_" + turn));
      }
    } finally {
      for (String each : made) {
        run(spar, "DROP SCHEMA IF EXISTS " + each + " CASCADE");
      }
      for (PgNode each : workers) {
        try (Connection direct = SparTestCluster.direct(each)) {
          run(direct, "DROP TABLE IF EXISTS ds_ballast");
        }
      }
    }
  }

  private static List<Long> schemasPerWorker(List<PgNode> workers) throws SQLException {
    List<Long> schemas = new ArrayList<>();
    for (PgNode each : workers) {
      schemas.add(count(spar, "SELECT count(*) FROM spar_schemas WHERE node_name = '"
          + each.host() + "' AND node_port = " + each.port()));
    }
    return schemas;
  }

  private static long bytes(PgNode worker) throws SQLException {
    try (Connection direct = SparTestCluster.direct(worker)) {
      return count(direct, "SELECT pg_database_size(current_database())");
    }
  }

  @Test
  void tenantStatementsAnswerAsPostgresOnOneNode() throws SQLException {
    StatementLog log = embedded.unwrap(SparSession.class).engine().statementLog();
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
        "DELETE FROM tasks t USING projects p WHERE p.id = t.project AND p.title = 'gamma'"
            + " AND t.hours < 30",
        "SELECT p.title, (SELECT count(*) FROM tasks t WHERE t.project = p.id) FROM projects p"
            + " ORDER BY 1",
        "UPDATE users SET plan = 'pro' WHERE id IN (SELECT owner FROM projects"
            + " WHERE title LIKE 'e%') RETURNING id, plan",
        "INSERT INTO tasks (id, project, done, hours, due) SELECT id + 1000, project, done,"
            + " hours * 2, due FROM tasks t WHERE t.hours > 40 RETURNING id, hours",
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
      assertEquals(Set.of(node(tenant)), nodes);
    }
  }

  /** Returns the node that holds the tables of distributed schema {@code schema}. */
  private static String node(String schema) throws SQLException {
    return strings(spar, "SELECT node_name || ':' || node_port"
        + " FROM pgs_distribution_metadata.tenant_schema"
        + " WHERE schema_id = '" + schema + "'::regnamespace").get(0);
  }

  @Test
  void crossTenantReadsAnswerAsPostgres() throws SQLException {
    String query = "SELECT 'a' AS t, name FROM %s.users UNION ALL SELECT 'g', name"
        + " FROM %s.users ORDER BY 1, 2";
    assertEquals(outcome(plain, String.format(query, plain(TENANTS.get(0)),
            plain(TENANTS.get(1)))),
        outcome(spar, String.format(query, TENANTS.get(0), TENANTS.get(1))));
    query = "SELECT a.name, count(g.id) FROM %s.users a LEFT JOIN %s.users g"
        + " ON g.name = a.name GROUP BY a.name ORDER BY 1";
    assertEquals(outcome(plain, String.format(query, plain(TENANTS.get(0)),
            plain(TENANTS.get(1)))),
        outcome(spar, String.format(query, TENANTS.get(0), TENANTS.get(1))));
    // A tenant's table with a hash-distributed one, which is on every worker.
    run(spar, "RESET search_path");
    run(spar, "DROP TABLE IF EXISTS ds_scores");
    run(plain, "DROP TABLE IF EXISTS plain_ds_scores");
    for (Connection each : List.of(spar, plain)) {
      String table = each == spar ? "ds_scores" : "plain_ds_scores";
      run(each, "CREATE TABLE " + table + " (name text, score int)");
      if (each == spar) {
        run(each, "SELECT master_create_distributed_table('ds_scores', 'name', 'hash')");
        run(each, "SELECT master_create_worker_shards('ds_scores', 4, 1)");
      }
      run(each, "INSERT INTO " + table + " VALUES ('ann', 3), ('cy', 5), ('zed', 9)");
    }
    query = "SELECT u.name, s.score FROM %s.users u JOIN %s s ON s.name = u.name ORDER BY 1";
    assertEquals(outcome(plain, String.format(query, plain(TENANTS.get(0)), "plain_ds_scores")),
        outcome(spar, String.format(query, TENANTS.get(0), "ds_scores")));
    run(spar, "DROP TABLE ds_scores");
    run(plain, "DROP TABLE plain_ds_scores");
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
  void jdbcSetSchemaPicksTheTenant() throws SQLException {
    try (Connection app = SparTestCluster.spar()) {
      for (String tenant : TENANTS) {
        app.setSchema(tenant);
        assertEquals(List.of(tenant), strings(app, "SELECT name FROM users"
            + " WHERE name LIKE 'ds\\_%'"));
      }
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
    // One tenant's write never reads another's rows.
    assertRefused("INSERT INTO " + tenant + ".users (name) SELECT name FROM "
        + TENANTS.get(0) + ".users", "0A000");
    assertRefused("UPDATE " + tenant + ".users SET plan = 'x' WHERE name IN (SELECT name FROM "
        + TENANTS.get(0) + ".users)", "0A000");
    // Rows would pass between a partition or child and its parent on the coordinator.
    run(spar, "DROP TABLE IF EXISTS ds_parted, ds_parent");
    run(spar, "CREATE TABLE public.ds_parted (id int) PARTITION BY RANGE (id)");
    run(spar, "CREATE TABLE public.ds_parent (id int)");
    assertRefused("CREATE TABLE " + tenant + ".part PARTITION OF public.ds_parted"
        + " FOR VALUES FROM (0) TO (10)", "0A000");
    assertRefused("CREATE TABLE " + tenant + ".kid () INHERITS (public.ds_parent)", "0A000");
    run(spar, "DROP TABLE ds_parted, ds_parent");
    // A statement that makes a schema, a table in it and a row: the row would stay behind.
    assertRefused("DO $$ BEGIN CREATE SCHEMA ds_in_one; CREATE TABLE ds_in_one.t (id int);"
        + " INSERT INTO ds_in_one.t VALUES (1); END $$", "0A000");
    assertEquals(0, count(spar, "SELECT count(*) FROM pg_namespace"
        + " WHERE nspname = 'ds_in_one'"));
    assertEquals(0, count(spar, "SELECT count(*) FROM pg_tables WHERE tablename IN"
        + " ('ds_points', 'events', 'copied', 'part', 'kid')"));
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
  void anExistingSchemaIsDistributedWithItsRows() throws SQLException {
    run(spar, "RESET search_path");
    run(spar, "SET spar.enable_schema_based_sharding = off");
    try {
      run(spar, "DROP SCHEMA IF EXISTS ds_existing, ds_keyed CASCADE");
      run(spar, "CREATE SCHEMA ds_existing");
      run(spar, "CREATE TABLE ds_existing.users (id serial PRIMARY KEY, name text)");
      run(spar, "CREATE TABLE ds_existing.orders (id serial PRIMARY KEY,"
          + " user_id int REFERENCES ds_existing.users (id), amount int)");
      run(spar, "INSERT INTO ds_existing.users (name) SELECT 'u' || i"
          + " FROM generate_series(1, 30) i");
      run(spar, "INSERT INTO ds_existing.orders (user_id, amount) SELECT 1 + i % 30, i"
          + " FROM generate_series(1, 300) i");
      assertRefused("SELECT spar_schema_distribute('public')", "0A000");
      run(spar, "CREATE SCHEMA ds_keyed");
      run(spar, "CREATE TABLE ds_keyed.t (id int REFERENCES ds_existing.users (id))");
      assertRefused("SELECT spar_schema_distribute('ds_keyed')", "0A000");
      // The key leaves ds_existing too; without it, ds_existing is the schema's own.
      assertRefused("SELECT spar_schema_distribute('ds_existing')", "0A000");
      run(spar, "DROP SCHEMA ds_keyed CASCADE");

      run(spar, "SELECT spar_schema_distribute('ds_existing')");
      assertRefused("SELECT spar_schema_distribute('ds_existing')", "55000");
    } finally {
      run(spar, "SET spar.enable_schema_based_sharding = on");
    }
    assertEquals(2, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.partition"
        + " WHERE relation_id IN ('ds_existing.users'::regclass,"
        + " 'ds_existing.orders'::regclass) AND partition_method = 's'"));
    assertEquals(List.of("300|45150"), strings(spar, "SELECT count(*) || '|' || sum(amount)"
        + " FROM ds_existing.orders o JOIN ds_existing.users u ON u.id = o.user_id"));
    try (Connection coordinator = SparTestCluster.coordinator()) {
      assertEquals(0, count(coordinator, "SELECT count(*) FROM ONLY ds_existing.orders"));
    }
    // Its sequences go on from where they were, and its key holds on the node.
    run(spar, "INSERT INTO ds_existing.users (name) VALUES ('new')");
    assertEquals(List.of("31"), strings(spar, "SELECT id FROM ds_existing.users"
        + " WHERE name = 'new'"));
    assertRefused("INSERT INTO ds_existing.orders (user_id, amount) VALUES (999, 1)",
        "23503");
    run(spar, "DROP SCHEMA ds_existing CASCADE");
  }

  @Test
  void keysToAReferenceTableHoldOnTheNode() throws SQLException {
    StatementLog log = embedded.unwrap(SparSession.class).engine().statementLog();
    log.subscribe();
    String tenant = TENANTS.get(0);
    run(spar, "RESET search_path");
    run(spar, "DROP TABLE IF EXISTS " + tenant + ".members");
    run(plain, "DROP TABLE IF EXISTS " + plain(tenant) + ".members");
    run(spar, "DROP SCHEMA IF EXISTS ds_shared CASCADE");
    run(plain, "DROP SCHEMA IF EXISTS plain_ds_shared CASCADE");
    run(spar, "SET spar.enable_schema_based_sharding = off");
    try {
      run(spar, "CREATE SCHEMA ds_shared"); // the reference table's, on the coordinator
    } finally {
      run(spar, "SET spar.enable_schema_based_sharding = on");
    }
    run(plain, "CREATE SCHEMA plain_ds_shared");
    for (String schema : List.of("ds_shared", "plain_ds_shared")) {
      Connection connection = schema.equals("ds_shared") ? spar : plain;
      run(connection, "CREATE TABLE " + schema + ".plans (name text PRIMARY KEY, seats int)");
      if (connection == spar) {
        run(spar, "SELECT create_reference_table('ds_shared.plans')");
      }
      run(connection, "INSERT INTO " + schema + ".plans VALUES ('free', 1), ('pro', 5)");
    }
    String[] statements = {
        "CREATE TABLE members (id int PRIMARY KEY, plan text NOT NULL REFERENCES plans (name)"
            + " ON UPDATE CASCADE)",
        "INSERT INTO members VALUES (1, 'pro'), (2, 'free'), (3, 'pro')",
        "INSERT INTO members VALUES (4, 'gold')",
        "SELECT m.id, p.seats FROM members m JOIN plans p ON p.name = m.plan ORDER BY m.id",
        "DELETE FROM plans WHERE name = 'pro'",
        "UPDATE plans SET name = 'basic' WHERE name = 'free'",
        "SELECT * FROM members ORDER BY id",
        "ALTER TABLE members ADD COLUMN spare text REFERENCES plans (name)",
        "UPDATE members SET spare = 'nope' WHERE id = 1",
        "UPDATE members SET spare = 'basic' WHERE id = 1 RETURNING *",
        "TRUNCATE plans",
        "TRUNCATE plans, members",
        "SELECT count(*) FROM members",
        "INSERT INTO plans VALUES ('free', 1)",
        "INSERT INTO members VALUES (1, 'free')",
        "TRUNCATE plans CASCADE",
        "SELECT count(*) FROM members",
        "DROP TABLE plans",
    };
    try {
      for (String each : statements) {
        assertEquals(answerIn(plain, plain(tenant) + ", plain_ds_shared", each),
            answerIn(spar, tenant + ", ds_shared", each), each);
      }
      // The tenant's statements that read the reference table run whole on its node.
      long mark = log.mark();
      answerIn(spar, tenant + ", ds_shared", statements[3]);
      List<StatementLog.Entry> sent = log.since(mark).stream()
          .filter(e -> e.shardId() != null).toList();
      assertEquals(1, sent.size(), sent.toString());
      assertEquals(node(tenant), sent.get(0).node().toString());
      // On the coordinator the reference table's rows are not there for the key to find.
      run(spar, "RESET search_path");
      assertRefused("SELECT spar_schema_undistribute('" + tenant + "')", "0A000");
      // Without the reference table, the key goes from the shard as from the shell.
      for (String each : List.of("DROP TABLE plans CASCADE",
          "INSERT INTO members VALUES (5, 'any')", "SELECT count(*) FROM members")) {
        assertEquals(answerIn(plain, plain(tenant) + ", plain_ds_shared", each),
            answerIn(spar, tenant + ", ds_shared", each), each);
      }
    } finally {
      run(spar, "RESET search_path");
      run(spar, "DROP TABLE IF EXISTS " + tenant + ".members");
      run(plain, "DROP TABLE IF EXISTS " + plain(tenant) + ".members");
      run(spar, "DROP SCHEMA IF EXISTS ds_shared CASCADE");
      run(plain, "DROP SCHEMA IF EXISTS plain_ds_shared CASCADE");
    }
  }

  @Test
  void aSchemaComesBackToTheCoordinatorWithItsRows() throws SQLException {
    run(spar, "RESET search_path");
    run(spar, "DROP SCHEMA IF EXISTS ds_returning CASCADE");
    run(spar, "CREATE SCHEMA ds_returning");
    run(spar, "CREATE TABLE ds_returning.users (id serial PRIMARY KEY, name text)");
    run(spar, "CREATE TABLE ds_returning.orders (id serial PRIMARY KEY,"
        + " user_id int REFERENCES ds_returning.users (id), amount int)");
    run(spar, "INSERT INTO ds_returning.users (name) SELECT 'u' || i"
        + " FROM generate_series(1, 20) i");
    run(spar, "INSERT INTO ds_returning.orders (user_id, amount) SELECT 1 + i % 20, i"
        + " FROM generate_series(1, 200) i");
    String node = node("ds_returning");
    assertRefused("SELECT spar_schema_undistribute('public')", "22023");

    run(spar, "SELECT spar_schema_undistribute('ds_returning')");
    assertEquals(0, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.partition"
        + " WHERE relation_id IN ('ds_returning.users'::regclass,"
        + " 'ds_returning.orders'::regclass)"));
    assertEquals(0, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.tenant_schema"
        + " WHERE schema_id = 'ds_returning'::regnamespace"));
    try (Connection coordinator = SparTestCluster.coordinator()) {
      assertEquals(List.of("200|20100"), strings(coordinator, "SELECT count(*) || '|'"
          + " || sum(amount) FROM ONLY ds_returning.orders"));
      assertEquals(20, count(coordinator, "SELECT count(*) FROM ONLY ds_returning.users"));
    }
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      assertEquals(0, count(SparTestCluster.direct(worker), "SELECT count(*) FROM pg_tables"
          + " WHERE schemaname = 'ds_returning'"), worker + " (tenant was on " + node + ")");
    }
    // Plain tables now: writes land on the coordinator, and the key still holds.
    run(spar, "INSERT INTO ds_returning.users (name) VALUES ('back')");
    assertEquals(List.of("21"), strings(spar, "SELECT id FROM ds_returning.users"
        + " WHERE name = 'back'"));
    assertRefused("INSERT INTO ds_returning.orders (user_id, amount) VALUES (999, 1)",
        "23503");
    run(spar, "DROP SCHEMA ds_returning CASCADE");
  }

  @Test
  void theUrlMakesDistributedSchemasTheDefault() throws SQLException {
    run(spar, "DROP SCHEMA IF EXISTS ds_by_default, ds_not_by_default CASCADE");
    try (Connection defaulted = java.sql.DriverManager.getConnection(
        SparTestCluster.sparUrl() + ";schemaBasedSharding=on", new java.util.Properties())) {
      run(defaulted, "CREATE SCHEMA ds_by_default");
      run(defaulted, "SET spar.enable_schema_based_sharding = off");
      run(defaulted, "CREATE SCHEMA ds_not_by_default");
    }
    assertEquals(List.of("ds_by_default"), strings(spar, "SELECT n.nspname"
        + " FROM pgs_distribution_metadata.tenant_schema t JOIN pg_namespace n"
        + " ON n.oid = t.schema_id WHERE n.nspname LIKE 'ds\\_%by\\_default'"));
    run(spar, "DROP SCHEMA ds_by_default, ds_not_by_default CASCADE");
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
    return answerIn(connection, schema + ", public", sql);
  }

  /** Returns what {@code sql} answers with search path {@code path}. */
  private static List<String> answerIn(Connection connection, String path, String sql)
      throws SQLException {
    String schema = path.substring(0, path.indexOf(','));
    run(connection, "SET search_path TO " + path);
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
