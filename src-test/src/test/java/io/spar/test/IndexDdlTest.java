package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8, item 7: DROP INDEX of a distributed table's index drops its shard
 * indexes on every worker, other indexes are left alone, and ALTER INDEX (issue 11) reaches the
 * shard indexes. Comments before a DDL statement do not keep it from its shards.
 */
class IndexDdlTest {
  static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    run("DROP TABLE IF EXISTS di_events, di_orders, di_local, di_alter, di_comments");
    for (String table : List.of("di_events", "di_orders", "di_alter", "di_comments")) {
      run("CREATE TABLE " + table + " (k bigint, v text, n int)");
      run("SELECT master_create_distributed_table('" + table + "', 'k', 'hash')");
      run("SELECT master_create_worker_shards('" + table + "', 4, 2)");
    }
    run("CREATE TABLE di_local (k bigint, v text)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void dropIndexDropsTheShardIndexesOnEveryWorker() throws SQLException {
    run("CREATE INDEX di_events_v ON di_events (v)");
    run("CREATE INDEX di_events_n ON di_events (n)");
    assertEquals(8, shardIndexes("di_events_v").size(), "4 shards, 2 placements each");
    run("DROP INDEX di_events_v");
    assertEquals(List.of(), shardIndexes("di_events_v"));
    assertEquals(List.of(), coordinatorIndexes("di_events_v"));
    assertEquals(8, shardIndexes("di_events_n").size(), "the other index stays");
    run("DROP INDEX CONCURRENTLY IF EXISTS public.di_events_n");
    assertEquals(List.of(), shardIndexes("di_events_n"));
    assertEquals(List.of(), coordinatorIndexes("di_events_n"));
  }

  @Test
  void missingIndexAsInPostgres() throws SQLException {
    run("DROP INDEX IF EXISTS di_missing");
    run("DROP INDEX CONCURRENTLY IF EXISTS di_missing");
    SQLException error = assertThrows(SQLException.class, () -> run("DROP INDEX di_missing"));
    SQLException postgres;
    try (Connection coordinator = SparTestCluster.coordinator()) {
      postgres = assertThrows(SQLException.class,
          () -> Sql.run(coordinator, "DROP INDEX di_missing"));
    }
    assertEquals("42704", error.getSQLState());
    assertEquals(postgres.getSQLState(), error.getSQLState());
    assertEquals(postgres.getMessage(), error.getMessage());
  }

  @Test
  void localTableIndexIsDroppedAsBeforeAndShardIndexesStay() throws SQLException {
    run("CREATE INDEX di_local_v ON di_local (v)");
    run("CREATE INDEX di_local_k ON di_local (k)");
    run("CREATE INDEX di_orders_v ON di_orders (v)");
    run("DROP INDEX di_local_v");
    assertEquals(List.of(), coordinatorIndexes("di_local_v"));
    assertEquals(List.of("di_local_k"), coordinatorIndexes("di_local_k"));
    assertEquals(8, shardIndexes("di_orders_v").size());
    run("DROP INDEX di_local_k");
    assertEquals(List.of(), coordinatorIndexes("di_local_k"));
  }

  @Test
  void severalNamesQuotedQualifiedAndCommented() throws SQLException {
    run("CREATE INDEX di_orders_n ON di_orders (n)");
    run("CREATE INDEX \"Di Orders K\" ON di_orders (k)");
    run("CREATE INDEX di_events_k ON di_events (k)");
    run("CREATE INDEX di_local_both ON di_local (k, v)");
    run("/* several at once */ DROP INDEX -- names follow\n di_orders_n, public.\"Di Orders K\","
        + " di_events_k, di_local_both RESTRICT;");
    for (String index : List.of("di_orders_n", "Di Orders K", "di_events_k")) {
      assertEquals(List.of(), shardIndexes(index), index);
      assertEquals(List.of(), coordinatorIndexes(index), index);
    }
    assertEquals(List.of(), coordinatorIndexes("di_local_both"));
  }

  @Test
  void failedDropChangesNothing() throws SQLException {
    run("CREATE INDEX di_orders_kept ON di_orders (n, v)");
    SQLException error = assertThrows(SQLException.class,
        () -> run("DROP INDEX di_orders_kept, di_missing"));
    assertEquals("42704", error.getSQLState());
    assertEquals(List.of("di_orders_kept"), coordinatorIndexes("di_orders_kept"));
    assertEquals(8, shardIndexes("di_orders_kept").size());
  }

  @Test
  void formsSparCannotReadGetPostgresErrorsOrARefusal() throws SQLException {
    run("CREATE INDEX di_orders_odd ON di_orders (v, n)");
    for (String sql : List.of("DROP INDEX di_orders_odd di_other",
        "DROP INDEX CONCURRENTLY di_orders_odd, di_other",
        "DROP INDEX CONCURRENTLY di_orders_odd CASCADE")) {
      SQLException error = assertThrows(SQLException.class, () -> run(sql), sql);
      SQLException postgres;
      try (Connection coordinator = SparTestCluster.coordinator()) {
        postgres = assertThrows(SQLException.class, () -> Sql.run(coordinator, sql), sql);
      }
      assertEquals(postgres.getSQLState(), error.getSQLState(), sql);
      assertEquals(postgres.getMessage(), error.getMessage(), sql);
    }
    expectRefusal("DROP INDEX U&\"di_orders_od\\0064\"",
        "Spar cannot tell which indexes this DROP INDEX drops");
    assertEquals(List.of("di_orders_odd"), coordinatorIndexes("di_orders_odd"));
    assertEquals(8, shardIndexes("di_orders_odd").size());
  }

  @Test
  void alterIndexReachesTheShardIndexes() throws SQLException {
    run("CREATE INDEX di_alter_v ON di_alter (v)");
    run("ALTER INDEX \"di_alter_v\" RENAME TO di_alter_renamed");
    assertEquals(List.of(), shardIndexes("di_alter_v"));
    assertEquals(8, shardIndexes("di_alter_renamed").size());
    run("ALTER INDEX IF EXISTS public.di_alter_renamed SET (fillfactor = 50)");
    assertEquals(8, shardIndexes("di_alter_renamed", "fillfactor=50").size());
    // PostgreSQL renames indexes through ALTER TABLE, and tables through ALTER INDEX.
    run("/* c */ ALTER TABLE di_alter_renamed RENAME TO di_alter_v");
    assertEquals(8, shardIndexes("di_alter_v").size());
    run("ALTER INDEX di_alter RENAME TO di_altered");
    run("INSERT INTO di_altered VALUES (1, 'a', 1)");
    assertEquals(List.of("a"), Sql.strings(spar, "SELECT v FROM di_altered WHERE k = 1"));
    run("ALTER TABLE di_altered RENAME TO di_alter");
    expectRefusal("ALTER INDEX di_alter_v ATTACH PARTITION di_local_v",
        "ALTER INDEX … ATTACH PARTITION di_local_v is not supported for indexes of distributed"
            + " tables");
    expectRefusal("-- c\nALTER TABLE di_alter DISABLE TRIGGER ALL",
        "ALTER TABLE … DISABLE TRIGGER ALL is not supported for distributed tables");
    assertEquals(List.of("di_alter_v"), coordinatorIndexes("di_alter_v"));
    assertEquals(8, shardIndexes("di_alter_v").size());
    run("CREATE INDEX di_local_renamed ON di_local (v)");
    run("ALTER INDEX di_local_renamed RENAME TO di_local_renamed2");
    assertEquals(List.of("di_local_renamed2"), coordinatorIndexes("di_local_renamed2"));
  }

  @Test
  void leadingCommentsDoNotKeepDdlFromTheShards() throws SQLException {
    run("/* why */ CREATE INDEX di_comments_v ON di_comments (v)");
    assertEquals(8, shardIndexes("di_comments_v").size());
    run("INSERT INTO di_comments VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)");
    run("-- empty it\nTRUNCATE di_comments");
    assertEquals(List.of(0L), Sql.longs(spar, "SELECT count(*) FROM di_comments"));
  }

  private static void expectRefusal(String sql, String message) {
    SQLException e = assertThrows(SQLException.class, () -> run(sql), sql);
    assertEquals("0A000", e.getSQLState(), sql);
    assertEquals(message, ((PSQLException) e).getServerErrorMessage().getMessage(), sql);
  }

  /** Returns the shard indexes {@code <index>_<shardid>} on every worker. */
  private static List<String> shardIndexes(String index) throws SQLException {
    return shardIndexes(index, null);
  }

  /** Returns the shard indexes of {@code index} with storage parameter {@code option}, if any. */
  private static List<String> shardIndexes(String index, String option) throws SQLException {
    List<String> found = new ArrayList<>();
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        found.addAll(Sql.strings(direct, "SELECT relname FROM pg_class WHERE relkind = 'i'"
            + " AND relname ~ ('^' || '" + index + "' || '_[0-9]+$')"
            + (option == null ? "" : " AND '" + option + "' = ANY (reloptions)")));
      }
    }
    return found;
  }

  private static List<String> coordinatorIndexes(String index) throws SQLException {
    return Sql.strings(spar, "SELECT indexname FROM pg_indexes WHERE indexname = '" + index
        + "'");
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }
}
