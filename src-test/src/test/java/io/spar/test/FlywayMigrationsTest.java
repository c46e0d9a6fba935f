package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: Flyway, a real migration tool, runs migrations through {@code jdbc:spar:} with a
 * HikariCP pool: it creates tables, distributes them with the SQL API, adds columns, indexes
 * and constraints, backfills, and then finds nothing left to do. Its schema history table stays
 * a local table on the coordinator, and a migration that fails on a worker leaves nothing
 * behind anywhere.
 */
class FlywayMigrationsTest {
  /** Flyway's own schema, which it creates (on the workers too, through Spar). */
  private static final String SCHEMA = "spar_flyway";
  private static HikariDataSource pool;

  @BeforeAll
  static void open() throws SQLException {
    try (Connection spar = SparTestCluster.spar()) {
      Sql.run(spar, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(SparTestCluster.sparUrl());
    config.setMaximumPoolSize(2);
    pool = new HikariDataSource(config);
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Test
  void migratesValidatesAndFailsCleanly() throws SQLException {
    MigrateResult first = flyway("db/spar-flyway").migrate();
    assertEquals(5, first.migrationsExecuted);
    assertEquals("5", first.targetSchemaVersion);
    try (Connection spar = pool.getConnection()) {
      assertEquals(List.of("1:ada:ada@example.com:0", "2:bob:bob@example.com:0",
          "3:cy:cy@example.com:0"), Sql.strings(spar, "SELECT id || ':' || name || ':' || email"
          + " || ':' || order_count FROM " + SCHEMA + ".fw_accounts ORDER BY id"));
      assertEquals(List.of("1:1:vip", "1:2:vip", "3:1:paid"), Sql.strings(spar,
          "SELECT account_id || ':' || id || ':' || status FROM " + SCHEMA + ".fw_orders"
              + " ORDER BY 1"));
      assertEquals(List.of(0L), Sql.longs(spar, "SELECT count(*) FROM"
          + " pgs_distribution_metadata.partition WHERE relation_id = '" + SCHEMA
          + ".flyway_schema_history'::regclass"), "the history table stays local");
      assertEquals(6L, Sql.count(spar, "SELECT count(*) FROM " + SCHEMA
          + ".flyway_schema_history WHERE success"), "the schema's creation and 5 migrations");
    }
    Map<String, List<String>> before = shards();
    before.forEach((placement, names) -> assertTrue(names.contains(
        placement.contains("fw_accounts") ? "email" : "fw_orders_account_fkey_"
            + placement.replaceAll("^.*_", "")), placement + ": " + names));

    flyway("db/spar-flyway").validate();
    assertEquals(0, flyway("db/spar-flyway").migrate().migrationsExecuted);

    Exception failed = assertThrows(Exception.class,
        () -> flyway("db/spar-flyway", "db/spar-flyway-failing").migrate());
    assertTrue(String.valueOf(failed.getMessage()).contains("fw_orders_small"),
        failed.getMessage());
    assertEquals(before, shards(), "nothing of the failed migration is left on the workers");
    try (Connection spar = pool.getConnection()) {
      assertEquals(List.of(), Sql.strings(spar, "SELECT attname FROM pg_attribute"
          + " WHERE attrelid = '" + SCHEMA + ".fw_accounts'::regclass"
          + " AND attname = 'nickname'"));
      assertEquals(List.of(), Sql.strings(spar, "SELECT indexname FROM pg_indexes"
          + " WHERE indexname = 'fw_accounts_nickname'"));
    }
    flyway("db/spar-flyway").validate();
  }

  private static Flyway flyway(String... locations) {
    return Flyway.configure().dataSource(pool).schemas(SCHEMA).locations(locations)
        .cleanDisabled(true).load();
  }

  /** Returns, for every placement of the two tables, its columns, indexes and constraints. */
  private static Map<String, List<String>> shards() throws SQLException {
    Map<String, List<String>> found = new java.util.TreeMap<>();
    for (var worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        for (String table : Sql.strings(direct, "SELECT c.oid::regclass::text FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + SCHEMA
            + "' AND c.relname ~ '^fw_(accounts|orders)_[0-9]+$' AND c.relkind = 'r'")) {
          found.put(worker.port() + "/" + table, Sql.strings(direct, "SELECT name FROM ("
              + "SELECT attname::text AS name FROM pg_attribute WHERE attrelid = '" + table
              + "'::regclass AND attnum > 0 AND NOT attisdropped"
              + " UNION ALL SELECT conname::text FROM pg_constraint WHERE conrelid = '" + table
              + "'::regclass UNION ALL SELECT c.relname::text FROM pg_index i JOIN pg_class c"
              + " ON c.oid = i.indexrelid WHERE i.indrelid = '" + table + "'::regclass) n"
              + " ORDER BY 1"));
        }
      }
    }
    assertEquals(16, found.size(), "4 shards of 2 tables, 2 placements each: " + found.keySet());
    return found;
  }
}
