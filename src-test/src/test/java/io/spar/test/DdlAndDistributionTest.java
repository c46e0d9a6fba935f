package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 2: DDL propagation, UNLOGGED shards, range distribution, case-sensitive
 * identifiers, local tables and the partition types of {@code get_shard_id_for_distribution_column}.
 */
class DdlAndDistributionTest {
  static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    run("DROP TABLE IF EXISTS ddl_events, ddl_unlogged, ddl_range, \"DdlMixed\", ddl_local,"
        + " ddl_dropped, ddl_hll");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void createIndexReachesEveryPlacement() throws SQLException {
    run("CREATE TABLE ddl_events (id bigint, day date, payload text, PRIMARY KEY (day, id))");
    run("SELECT master_create_distributed_table('ddl_events', 'day', 'hash')");
    run("SELECT master_create_worker_shards('ddl_events', 4, 2)");
    run("CREATE INDEX ddl_events_payload ON ddl_events (payload)");
    List<Long> shards = longs("SELECT id FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = 'ddl_events'::regclass ORDER BY id");
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      List<String> indexes = strings(worker, "SELECT indexname FROM pg_indexes"
          + " WHERE tablename LIKE 'ddl\\_events\\_%' ORDER BY indexname");
      for (long shard : shards) {
        assertTrue(indexes.contains("ddl_events_payload_" + shard), indexes.toString());
        assertTrue(indexes.contains("ddl_events_pkey_" + shard), indexes.toString());
      }
    }
    long shard = longs("SELECT get_shard_id_for_distribution_column('ddl_events', '2015-01-08')")
        .get(0);
    run("INSERT INTO ddl_events VALUES (1, '2015-01-08', 'x')");
    StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    long mark = log.mark();
    assertEquals(List.of(1L), longs("SELECT id FROM ddl_events WHERE day = date '2015-01-08'"));
    assertEquals(List.of(shard), log.since(mark).stream().map(StatementLog.Entry::shardId)
        .filter(Objects::nonNull).distinct().collect(Collectors.toList()));
  }

  @Test
  void unloggedTablesGetUnloggedShards() throws SQLException {
    run("CREATE UNLOGGED TABLE ddl_unlogged (k int, v text)");
    run("SELECT master_create_distributed_table('ddl_unlogged', 'k', 'hash')");
    run("SELECT master_create_worker_shards('ddl_unlogged', 2, 1)");
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      assertEquals(List.of("u"), strings(worker, "SELECT DISTINCT relpersistence::text FROM pg_class"
          + " WHERE relname LIKE 'ddl\\_unlogged\\_%'"));
    }
  }

  @Test
  void dropTableRemovesShardsAndMetadata() throws SQLException {
    run("CREATE TABLE ddl_dropped (k bigint)");
    run("SELECT master_create_distributed_table('ddl_dropped', 'k', 'hash')");
    run("SELECT master_create_worker_shards('ddl_dropped', 4, 2)");
    run("DROP TABLE ddl_dropped");
    assertEquals(List.of(0L), longs("SELECT count(*) FROM pgs_distribution_metadata.partition p"
        + " WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = p.relation_id)"));
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      assertEquals(List.of(), strings(worker,
          "SELECT relname FROM pg_class WHERE relname LIKE 'ddl\\_dropped\\_%'"));
    }
  }

  @Test
  void rangeTablePrunesOnRangePredicates() throws SQLException {
    run("CREATE TABLE ddl_range (k int, v text)");
    run("SELECT master_create_distributed_table('ddl_range', 'k', 'range')");
    long low = longs("SELECT master_create_empty_shard('ddl_range')").get(0);
    long high = longs("SELECT master_create_empty_shard('ddl_range')").get(0);
    run("UPDATE pgs_distribution_metadata.shard SET min_value = '0', max_value = '99'"
        + " WHERE id = " + low);
    run("UPDATE pgs_distribution_metadata.shard SET min_value = '100', max_value = '199'"
        + " WHERE id = " + high);
    for (int k = 0; k < 200; k += 10) {
      run("INSERT INTO ddl_range VALUES (" + k + ", 'v" + k + "')");
    }
    StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    long mark = log.mark();
    assertEquals(List.of(5L), longs("SELECT count(*) FROM ddl_range WHERE k >= 150"));
    assertEquals(List.of(high), log.since(mark).stream().map(StatementLog.Entry::shardId)
        .filter(Objects::nonNull).distinct().collect(Collectors.toList()));
    assertEquals(List.of(20L), longs("SELECT count(*) FROM ddl_range"));
  }

  @Test
  void quotedIdentifiersKeepTheirCase() throws SQLException {
    run("CREATE TABLE \"DdlMixed\" (\"Key\" bigint, val text)");
    run("SELECT master_create_distributed_table('\"DdlMixed\"', 'Key', 'hash')");
    run("SELECT master_create_worker_shards('\"DdlMixed\"', 4, 1)");
    run("INSERT INTO \"DdlMixed\" (\"Key\", VAL) VALUES (7, 'seven')");
    assertEquals(List.of("seven"), strings("SELECT Val FROM \"DdlMixed\" WHERE \"Key\" = 7"));
    assertEquals(List.of("seven"), strings("SELECT \"DdlMixed\".val FROM \"DdlMixed\""
        + " WHERE \"DdlMixed\".\"Key\" > 0"));
  }

  @Test
  void localTablesStayOnTheCoordinatorAndJoin() throws SQLException {
    run("CREATE TABLE ddl_local (id bigint, name text)");
    run("INSERT INTO ddl_local VALUES (1, 'one'), (2, 'two')");
    assertEquals(1, update("UPDATE ddl_local SET name = 'uno' WHERE id = 1"));
    assertEquals(List.of("uno", "two"), strings("SELECT name FROM ddl_local ORDER BY id"));
    try (Connection direct = SparTestCluster.coordinator()) {
      try (Statement statement = direct.createStatement();
          ResultSet rs = statement.executeQuery("SELECT count(*) FROM ddl_local")) {
        assertTrue(rs.next());
        assertEquals(2, rs.getInt(1));
      }
    }
  }

  @Test
  void extensionsReachEveryWorkerAndOpaqueTypesRoundTrip() throws SQLException {
    run("CREATE EXTENSION IF NOT EXISTS hll");
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      assertEquals(List.of("hll"), strings(worker,
          "SELECT extname::text FROM pg_extension WHERE extname = 'hll'"));
    }
    run("CREATE TABLE ddl_hll (day date, users hll)");
    run("SELECT master_create_distributed_table('ddl_hll', 'day', 'hash')");
    run("SELECT master_create_worker_shards('ddl_hll', 4, 2)");
    run("INSERT INTO ddl_hll VALUES ('2015-01-08', hll_empty())");
    assertEquals(List.of(0L), longs("SELECT hll_cardinality(users)::bigint FROM ddl_hll"
        + " WHERE day = '2015-01-08'"));
    List<String> all = strings("SELECT users FROM ddl_hll");
    assertEquals(1, all.size());
    assertFalse(all.get(0).isEmpty());
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }

  private static int update(String sql) throws SQLException {
    return Sql.update(spar, sql);
  }

  private static List<Long> longs(String sql) throws SQLException {
    return Sql.longs(spar, sql);
  }

  private static List<String> strings(String sql) throws SQLException {
    return Sql.strings(spar, sql);
  }

  private static List<String> strings(PgNode node, String sql) throws SQLException {
    try (Connection direct = SparTestCluster.direct(node)) {
      return Sql.strings(direct, sql);
    }
  }
}
