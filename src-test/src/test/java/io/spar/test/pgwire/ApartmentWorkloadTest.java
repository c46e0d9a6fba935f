package io.spar.test.pgwire;

import static io.spar.test.Sql.count;
import static io.spar.test.Sql.run;
import static io.spar.test.Sql.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's Apartment-style workload through the PostgreSQL port, as a Rails application on
 * the Apartment gem runs it: 50 tenant schemas created with
 * {@code spar.enable_schema_based_sharding} on, each with {@code users}, {@code projects} and
 * {@code tasks} (serial ids, foreign keys among them and to a reference table {@code plans} in
 * {@code public}) and a hash-distributed {@code events} table beside them. The client switches
 * {@code search_path} per tenant and runs that tenant's workload with unqualified names:
 * inserts, a join with {@code plans}, a CTE report, a window function, an {@code UPDATE …
 * FROM}. Through the engine's statement log, every tenant statement is one statement on its
 * tenant's node, and the tenants are spread over the workers within one. Every statement, and
 * the analytics across tenants after them, answer as in a plain PostgreSQL database holding
 * the same 50 schemas.
 */
class ApartmentWorkloadTest {
  private static final int TENANTS = 50;
  private static final String PLAIN_DATABASE = "spar_plain_apartment";

  @Test
  void everyTenantStatementIsOneStatementOnItsNode() throws Exception {
    try (Connection embedded = SparTestCluster.embedded();
        Connection app = WirePort.connect("");
        Connection plain = plainDatabase()) {
      StatementLog log = embedded.unwrap(SparSession.class).engine().statementLog();
      log.subscribe();
      run(app, "RESET search_path");
      for (int i = 0; i < TENANTS; i++) {
        run(app, "DROP SCHEMA IF EXISTS apt_" + i + " CASCADE");
      }
      run(app, "DROP TABLE IF EXISTS apt_plans, apt_events");
      for (Connection each : List.of(app, plain)) {
        run(each, "CREATE TABLE apt_plans (id int PRIMARY KEY, name text, seats int)");
        if (each == app) {
          run(app, "SELECT create_reference_table('apt_plans')");
        }
        run(each, "INSERT INTO apt_plans VALUES (1, 'free', 1), (2, 'team', 10),"
            + " (3, 'corp', 100)");
        run(each, "CREATE TABLE apt_events (id bigint, kind text, at timestamptz"
            + " DEFAULT now())");
      }
      run(app, "SELECT master_create_distributed_table('apt_events', 'id', 'hash')");
      run(app, "SELECT master_create_worker_shards('apt_events', 8, 1)");

      run(app, "SET spar.enable_schema_based_sharding = on");
      for (int i = 0; i < TENANTS; i++) {
        for (Connection each : List.of(app, plain)) {
          run(each, "CREATE SCHEMA apt_" + i);
          run(each, "SET search_path TO apt_" + i + ", public");
          run(each, "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL,"
              + " plan_id int NOT NULL REFERENCES apt_plans (id))");
          run(each, "CREATE TABLE projects (id serial PRIMARY KEY, owner_id int NOT NULL"
              + " REFERENCES users (id), name text, archived boolean NOT NULL DEFAULT false)");
          run(each, "CREATE TABLE tasks (id bigserial PRIMARY KEY, project_id int NOT NULL"
              + " REFERENCES projects (id) ON DELETE CASCADE, title text, estimate int)");
        }
      }

      // Each new schema went to the worker with the fewest: whatever schemas other tests left,
      // the workers' schemas are even within one after 50 more.
      Map<String, Integer> tenantsPerNode = new HashMap<>();
      for (String each : strings(app, "SELECT node_name || ':' || node_port FROM spar_schemas")) {
        tenantsPerNode.merge(each, 1, Integer::sum);
      }
      assertEquals(TENANTS, count(app, "SELECT count(*) FROM spar_schemas"
          + " WHERE schema_name LIKE 'apt\\_%'"));
      assertEquals(SparTestCluster.WORKERS, tenantsPerNode.size(), tenantsPerNode.toString());
      int most = tenantsPerNode.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      int least = tenantsPerNode.values().stream().mapToInt(Integer::intValue).min().orElse(0);
      assertTrue(most - least <= 1, "schemas per node: " + tenantsPerNode);

      String[] workload = {
          "INSERT INTO users (email, plan_id) VALUES ('a@x', 1), ('b@x', 2), ('c@x', 3)"
              + " RETURNING id",
          "INSERT INTO projects (owner_id, name) VALUES (1, 'site'), (2, 'app'), (2, 'api')",
          "INSERT INTO tasks (project_id, title, estimate) SELECT p, 't' || i, i"
              + " FROM generate_series(1, 12) i, (VALUES (1), (2), (3)) AS v(p)"
              + " WHERE i % 3 + 1 = p",
          "SELECT u.email, p.name AS plan, p.seats FROM users u JOIN apt_plans p"
              + " ON p.id = u.plan_id ORDER BY u.id",
          "WITH load AS (SELECT project_id, sum(estimate) AS hours FROM tasks GROUP BY 1)"
              + " SELECT pr.name, l.hours FROM projects pr JOIN load l ON l.project_id = pr.id"
              + " ORDER BY l.hours DESC, pr.name",
          "SELECT title, estimate, rank() OVER (PARTITION BY project_id ORDER BY estimate DESC)"
              + " FROM tasks ORDER BY project_id, estimate DESC LIMIT 4",
          "UPDATE projects pr SET archived = true FROM users u WHERE u.id = pr.owner_id"
              + " AND u.plan_id = 2 RETURNING pr.id",
          "SELECT count(*) FILTER (WHERE archived), count(*) FROM projects",
      };
      String[] expected = {
          "1|2|3",
          "",
          "",
          "a@x free 1|b@x team 10|c@x corp 100",
          "site 30|api 26|app 22",
          "t12 12 1|t9 9 2|t6 6 3|t3 3 4",
          "2|3",
          "2 3",
      };
      List<String> offNode = new ArrayList<>();
      for (int i = 0; i < TENANTS; i++) {
        run(app, "SET search_path TO apt_" + i + ", public");
        run(plain, "SET search_path TO apt_" + i + ", public");
        String node = strings(app, "SELECT node_name || ':' || node_port"
            + " FROM pgs_distribution_metadata.tenant_schema"
            + " WHERE schema_id = 'apt_" + i + "'::regnamespace").get(0);
        for (int s = 0; s < workload.length; s++) {
          long mark = log.mark();
          String answer = answer(app, workload[s]);
          assertEquals(answer(plain, workload[s]), answer, "tenant " + i + ": " + workload[s]);
          assertEquals(expected[s], answer, "tenant " + i + ": " + workload[s]);
          List<StatementLog.Entry> sent = log.since(mark).stream()
              .filter(e -> e.shardId() != null).toList();
          if (sent.size() != 1 || !sent.get(0).node().toString().equals(node)) {
            offNode.add("tenant " + i + ": " + workload[s] + " -> " + sent);
          }
        }
        // An event of the tenant's, in the hash-distributed table beside the tenants.
        for (Connection each : List.of(app, plain)) {
          run(each, "INSERT INTO apt_events (id, kind) VALUES (" + i + ", 'seeded')");
        }
      }
      assertEquals(List.of(), offNode);
      // Analytics over the tenants, and with the tables beside them, through the
      // multi-shard engine.
      run(app, "RESET search_path");
      run(plain, "RESET search_path");
      String[] analytics = {
          "SELECT 'apt_1' AS tenant, title, estimate FROM apt_1.tasks UNION ALL"
              + " SELECT 'apt_2', title, estimate FROM apt_2.tasks ORDER BY 1, 3 DESC, 2",
          "SELECT t.tenant, p.name, count(*) FROM (SELECT 'apt_3' AS tenant, plan_id"
              + " FROM apt_3.users UNION ALL SELECT 'apt_40', plan_id FROM apt_40.users) t"
              + " JOIN apt_plans p ON p.id = t.plan_id GROUP BY 1, 2 ORDER BY 1, 2",
          "SELECT sum(estimate), count(DISTINCT title) FROM (SELECT * FROM apt_5.tasks"
              + " UNION ALL SELECT * FROM apt_6.tasks UNION ALL SELECT * FROM apt_7.tasks) t",
          "SELECT e.kind, count(*) FROM apt_events e WHERE e.id IN (SELECT id FROM apt_9.users)"
              + " GROUP BY 1",
          "SELECT u.email, count(pr.id) FROM apt_11.users u LEFT JOIN apt_11.projects pr"
              + " ON pr.owner_id = u.id AND pr.archived GROUP BY 1 ORDER BY 1",
      };
      for (String each : analytics) {
        assertEquals(answer(plain, each), answer(app, each), each);
      }
      assertEquals(TENANTS, count(app, "SELECT count(*) FROM apt_events"));
      // Nothing is in the coordinator's tables.
      try (Connection coordinator = SparTestCluster.coordinator()) {
        for (String table : List.of("users", "projects", "tasks")) {
          assertEquals(0, count(coordinator, "SELECT count(*) FROM ONLY apt_7." + table));
        }
      }
      run(app, "RESET search_path");
      for (int i = 0; i < TENANTS; i++) {
        run(app, "DROP SCHEMA apt_" + i + " CASCADE");
      }
      run(app, "DROP TABLE apt_plans, apt_events");
    }
    try (Connection coordinator = SparTestCluster.coordinator()) {
      run(coordinator, "DROP DATABASE " + PLAIN_DATABASE);
    }
  }

  /**
   * Returns a connection to a database of its own on the coordinator's server, made anew: plain
   * PostgreSQL, where the same schemas hold the same tables as through Spar.
   */
  private static Connection plainDatabase() throws SQLException {
    try (Connection coordinator = SparTestCluster.coordinator()) {
      run(coordinator, "DROP DATABASE IF EXISTS " + PLAIN_DATABASE);
      run(coordinator, "CREATE DATABASE " + PLAIN_DATABASE);
    }
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("user", io.spar.engine.cluster.LocalCluster.USER);
    return java.sql.DriverManager.getConnection(SparTestCluster.cluster().coordinator()
        .jdbcUrl().replaceFirst("/[^/]*$", "/" + PLAIN_DATABASE), properties);
  }

  /**
   * Returns the rows of {@code sql}, columns joined by spaces and rows by {@code |}, sorted
   * unless the statement orders them.
   */
  private static String answer(Connection app, String sql) throws SQLException {
    try (PreparedStatement statement = app.prepareStatement(sql)) {
      if (!statement.execute()) {
        return "";
      }
      List<String> rows = new ArrayList<>();
      try (ResultSet rs = statement.getResultSet()) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<String> values = new ArrayList<>();
          for (int c = 1; c <= columns; c++) {
            values.add(rs.getString(c));
          }
          rows.add(String.join(" ", values));
        }
      }
      if (!sql.contains("ORDER BY")) {
        rows.sort(null); // RETURNING of an UPDATE promises no order
      }
      return String.join("|", rows);
    }
  }
}
