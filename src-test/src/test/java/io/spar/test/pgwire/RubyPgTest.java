package io.spar.test.pgwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ruby's pg gem (libpq's extended protocol: exec_params, prepare and exec_prepared, binary
 * parameters and results, typed results after reading pg_type) through Spar's PostgreSQL
 * port, differentially against plain PostgreSQL, with the Apartment gem's schema per tenant:
 * the same distributed table in schemas {@code tenant_a} and {@code tenant_b}, unqualified
 * statements reaching the one {@code search_path} names.
 */
class RubyPgTest {
  @Test
  void rubyPgSeesWhatPlainPostgresShows() throws Exception {
    WirePort.server();
    try (Connection plain = SparTestCluster.coordinator()) {
      Sql.run(plain, "DROP TABLE IF EXISTS rb_plain_items");
      Sql.run(plain, "DROP SCHEMA IF EXISTS rb_plain_tenant_a CASCADE");
      Sql.run(plain, "DROP SCHEMA IF EXISTS rb_plain_tenant_b CASCADE");
    }
    String script = ClientScript.resource("ruby_pg_client.rb").toString();
    ClientScript.Run spar = ClientScript.run("ruby", script, WirePort.url(), "rb_items", "",
        "distribute");
    assertEquals(0, spar.exit(), spar.describe());
    ClientScript.Run plain = ClientScript.run("ruby", script, ClientScript.plainUrl(),
        "rb_plain_items", "rb_plain_", "plain");
    assertEquals(0, plain.exit(), plain.describe());

    assertEquals(plain.lines(), spar.lines(), "through Spar:\n" + spar.describe()
        + "\nplain PostgreSQL:\n" + plain.describe());
    for (String expected : List.of(
        "exec_params insert INSERT 0 1 1",
        "prepared inserts returning [[10, \"10.5\"], [11, \"11.5\"], [12, \"12.5\"],"
            + " [13, \"13.5\"], [14, \"14.5\"], [15, \"15.5\"], [16, \"16.5\"], [17, \"17.5\"],"
            + " [18, \"18.5\"], [19, \"19.5\"]]",
        "prepared select 1 \"one \u00fc'\\\"\\\\\" 3 9.99 2024-02-29 [\"a\", \"b c\"]",
        "describe 1 20 [[\"k\", 20], [\"name\", 25], [\"qty\", 23], [\"price\", 1700],"
            + " [\"added\", 1082], [\"tags\", 1009]]",
        "binary 1 12 24",
        "after rollback 3 13",
        "after commit 7",
        "block rolled back 7",
        "update returning 5 [[1, \"10.0\"], [2, \"0.01\"], [3, \"0.01\"], [10, \"10.51\"],"
            + " [11, \"11.51\"]]",
        "error 23505 PG::UniqueViolation duplicate key value violates unique constraint"
            + " \"ITEMS_pkey\"",
        "error 22012 PG::DivisionByZero",
        "error 42601 PG::SyntaxError 1",
        "error in block 23505 true",
        "error 25P02 PG::InFailedSqlTransaction",
        "after failed block true 0",
        "tenant b starts empty 0",
        "tenant 0 TENANT, public [[1, \"alice\", \"10.0\"], [2, \"bob\", \"20.0\"]] alice",
        "tenant 1 TENANT, public [[1, \"carol\", \"99.0\"]] carol",
        "tenant error 23505",
        "qualified [[[1, \"alice\", \"15.0\"]], [[1, \"carol b\", \"99.0\"]]]",
        "no tenant 42P01",
        "set local carol b",
        "after set local \"$user\", public",
        "done")) {
      assertTrue(spar.lines().contains(expected), "expected \"" + expected + "\" in:\n"
          + spar.describe());
    }
    // The tenants' tables are distributed: their rows are in the shards, not in the shells.
    try (Connection coordinator = SparTestCluster.coordinator()) {
      assertEquals(List.of("tenant_a.orders", "tenant_b.orders"), Sql.strings(coordinator,
          "SELECT relation_id::regclass::text FROM pgs_distribution_metadata.partition"
              + " WHERE relation_id::regclass::text LIKE 'tenant%' ORDER BY 1"));
      assertEquals(0, Sql.count(coordinator, "SELECT count(*) FROM ONLY tenant_a.orders"));
    }
  }
}
