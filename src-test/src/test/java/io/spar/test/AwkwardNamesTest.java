package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 8: every SQL that Spar generates quotes its identifiers. A distributed
 * table "Order Items" in schema "My Schema", with columns named "value", "select" (reserved)
 * and "Key Col" (the distribution column), an index and a constraint with spaces in their
 * names, goes through shard creation, inserts, routed and multi-shard reads and writes,
 * index creation, repair of a placement, TRUNCATE and DROP TABLE.
 */
class AwkwardNamesTest {
  private static final String TABLE = "\"My Schema\".\"Order Items\"";
  static Connection spar;

  @BeforeAll
  static void setUp() throws SQLException {
    spar = SparTestCluster.spar();
    Sql.run(spar, "DROP SCHEMA IF EXISTS \"My Schema\" CASCADE");
    Sql.run(spar, "CREATE SCHEMA \"My Schema\"");
    // As in pg_shard, a shard's schema must exist on its workers.
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        Sql.run(direct, "DROP SCHEMA IF EXISTS \"My Schema\" CASCADE");
        Sql.run(direct, "CREATE SCHEMA \"My Schema\"");
      }
    }
    Sql.run(spar, "CREATE TABLE " + TABLE + " (\"Key Col\" bigint NOT NULL, \"value\" int,"
        + " \"select\" text, \"Mixed Case\" text DEFAULT 'x',"
        + " CONSTRAINT \"Item Key\" UNIQUE (\"Key Col\", \"select\"))");
    Sql.run(spar, "CREATE INDEX \"Value Index\" ON " + TABLE + " (\"value\")");
    Sql.run(spar, "SELECT master_create_distributed_table('" + TABLE + "', 'Key Col', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('" + TABLE + "', 4, 2)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void everyOperationQuotesTheNames() throws SQLException {
    assertEquals(4, Sql.update(spar, "INSERT INTO " + TABLE + " (\"Key Col\", \"value\","
        + " \"select\") VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c'), (4, 40, 'd')"));
    assertEquals(1, Sql.update(spar, "INSERT INTO " + TABLE + " VALUES (5, 50, 'e', 'y')"));
    assertEquals(1, Sql.update(spar, "INSERT INTO " + TABLE + " AS \"o i\" (\"Key Col\","
        + " \"value\", \"select\") VALUES (1, 0, 'a') ON CONFLICT ON CONSTRAINT \"Item Key\""
        + " DO UPDATE SET \"value\" = \"o i\".\"value\" + 1"));
    assertEquals(List.of("11"), Sql.strings(spar,
        "SELECT \"value\" FROM " + TABLE + " WHERE \"Key Col\" = 1"));
    assertEquals(List.of("151"), Sql.strings(spar, "SELECT sum(\"value\") FROM " + TABLE));
    assertEquals(List.of("a", "b", "c", "d", "e"), Sql.strings(spar,
        "SELECT \"select\" AS \"from\", sum(\"value\") AS \"order\" FROM " + TABLE
            + " \"t t\" GROUP BY \"t t\".\"select\" ORDER BY \"from\""));
    assertEquals(1, Sql.update(spar,
        "UPDATE " + TABLE + " SET \"value\" = \"value\" + 1 WHERE \"Key Col\" = 2"));
    assertEquals(5, Sql.update(spar,
        "UPDATE " + TABLE + " SET \"Mixed Case\" = upper(\"select\") WHERE \"value\" > 0"));
    assertEquals(1, Sql.update(spar, "DELETE FROM " + TABLE + " WHERE \"Key Col\" = 3"));
    assertEquals(0, Sql.update(spar, "DELETE FROM " + TABLE + " WHERE \"value\" > 1000"));
    assertEquals(List.of("A", "B", "D", "E"), Sql.strings(spar,
        "SELECT \"Mixed Case\" FROM " + TABLE + " ORDER BY \"Key Col\""));
    for (String plan : Sql.strings(spar, "EXPLAIN SELECT max(\"select\") FROM " + TABLE
        + " WHERE \"value\" > 1")) {
      if (plan.contains("sqlPerShard")) {
        assertTrue(plan.contains("FROM \"My Schema\".\"Order Items_<shardid>\""), plan);
      }
    }
    assertShardObjects("Value Index_", "Item Key_");
  }

  @Test
  void indexesRepairTruncateAndDrop() throws SQLException {
    Sql.run(spar, "DROP TABLE IF EXISTS \"My Schema\".\"Other Table\"");
    Sql.run(spar, "CREATE TABLE \"My Schema\".\"Other Table\" (\"Key Col\" int, \"group\" int)");
    Sql.run(spar, "SELECT master_create_distributed_table('\"My Schema\".\"Other Table\"',"
        + " 'Key Col', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('\"My Schema\".\"Other Table\"', 2, 2)");
    Sql.run(spar, "CREATE UNIQUE INDEX \"Group Index\" ON \"My Schema\".\"Other Table\""
        + " (\"group\", \"Key Col\")");
    assertEquals(3, Sql.update(spar, "INSERT INTO \"My Schema\".\"Other Table\""
        + " VALUES (1, 1), (2, 2), (3, 3)"));
    assertShardObjects("Group Index_");

    long shard = Sql.count(spar, "SELECT min(id) FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = '\"My Schema\".\"Other Table\"'::regclass");
    PgNode source = SparTestCluster.cluster().workers().get(0);
    PgNode target = SparTestCluster.cluster().workers().get(1);
    String shardTable = "\"My Schema\".\"Other Table_" + shard + "\"";
    try (Connection coordinator = SparTestCluster.coordinator();
        Connection broken = SparTestCluster.direct(target)) {
      Sql.run(coordinator, "UPDATE pgs_distribution_metadata.shard_placement SET shard_state = 3"
          + " WHERE shard_id = " + shard + " AND node_port = " + target.port());
      Sql.run(broken, "DELETE FROM " + shardTable);
    }
    try (PreparedStatement repair = spar.prepareStatement(
        "SELECT master_copy_shard_placement(?, ?, ?, ?, ?)")) {
      repair.setLong(1, shard);
      repair.setString(2, source.host());
      repair.setInt(3, source.port());
      repair.setString(4, target.host());
      repair.setInt(5, target.port());
      repair.execute();
    }
    try (Connection left = SparTestCluster.direct(source);
        Connection right = SparTestCluster.direct(target)) {
      String rows = "SELECT string_agg(\"Key Col\" || ':' || \"group\", ',' ORDER BY 1) FROM "
          + shardTable;
      assertEquals(Sql.strings(left, rows), Sql.strings(right, rows));
      assertEquals(List.of("1"), Sql.strings(right, "SELECT count(*) FROM pg_indexes"
          + " WHERE schemaname = 'My Schema' AND indexname = 'Group Index_" + shard + "'"));
    }

    Sql.run(spar, "TRUNCATE \"My Schema\".\"Other Table\"");
    assertEquals(0, Sql.count(spar, "SELECT count(*) FROM \"My Schema\".\"Other Table\""));
    Sql.run(spar, "DROP TABLE \"My Schema\".\"Other Table\"");
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        assertEquals(0, Sql.count(direct, "SELECT count(*) FROM pg_tables"
            + " WHERE schemaname = 'My Schema' AND tablename LIKE 'Other Table%'"));
      }
    }
  }

  /** Asserts that each worker holds one object per shard for each name prefix. */
  private static void assertShardObjects(String... prefixes) throws SQLException {
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        for (String prefix : prefixes) {
          long objects = Sql.count(direct, "SELECT count(*) FROM pg_class c JOIN pg_namespace n"
              + " ON n.oid = c.relnamespace WHERE n.nspname = 'My Schema'"
              + " AND c.relkind = 'i' AND c.relname LIKE '" + prefix.replace("_", "\\_") + "%'");
          assertTrue(objects > 0, prefix + " on " + worker);
        }
      }
    }
  }
}
