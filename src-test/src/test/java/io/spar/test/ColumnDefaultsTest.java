package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8: column defaults that are not IMMUTABLE ({@code bigserial},
 * {@code clock_timestamp()}, {@code gen_random_uuid()}, {@code now()}) are evaluated once per
 * row at the coordinator, in every way a write can ask for them, so that both placements of a
 * shard store the same values; {@code bigserial} numbers rows from the coordinator's sequence
 * (they used to be NULL, or different on each placement). IMMUTABLE defaults stay with the
 * shards. Every table has replication factor 2.
 */
class ColumnDefaultsTest {
  private static final String TABLE = "cd_items";
  private static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    run("DROP TABLE IF EXISTS " + TABLE);
    run("CREATE TABLE " + TABLE + " (id bigserial, created_at timestamptz DEFAULT"
        + " clock_timestamp(), updated_at timestamptz DEFAULT now(), token uuid DEFAULT"
        + " gen_random_uuid(), n int DEFAULT 7, note text)");
    run("SELECT master_create_distributed_table('" + TABLE + "', 'id', 'hash')");
    run("SELECT master_create_worker_shards('" + TABLE + "', 4, 2)");
    spar.unwrap(SparSession.class).engine().metadata().invalidate();
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void everyWayOfAskingForDefaultsStoresTheSameValuesOnBothPlacements() throws SQLException {
    assertTrue(strings(spar, "EXPLAIN INSERT INTO " + TABLE + " (note) VALUES ('x')").get(0)
        .contains("after the coordinator evaluates 4 value(s)"));
    long inserted = 0;
    inserted += Sql.update(spar, "INSERT INTO " + TABLE + " (note) VALUES ('single')");
    inserted += Sql.update(spar, "INSERT INTO " + TABLE + " (note) VALUES ('multi 1'),"
        + " ('multi 2'), ('multi 3')");
    try (PreparedStatement batch = spar.prepareStatement(
        "INSERT INTO " + TABLE + " (note) VALUES (?)")) {
      for (int i = 0; i < 5; i++) {
        batch.setString(1, "batch " + i);
        batch.addBatch();
      }
      assertArrayEquals(new int[] {1, 1, 1, 1, 1}, batch.executeBatch());
      inserted += 5;
    }
    inserted += Sql.update(spar, "INSERT INTO " + TABLE + " (id, created_at, token, n, note)"
        + " VALUES (DEFAULT, DEFAULT, DEFAULT, DEFAULT, 'keyword'), (DEFAULT, DEFAULT,"
        + " DEFAULT, DEFAULT, 'keyword 2')");
    inserted += Sql.update(spar, "INSERT INTO " + TABLE + " DEFAULT VALUES");
    inserted += Sql.update(spar, "INSERT INTO " + TABLE + " VALUES (DEFAULT)");
    List<String> returned = strings(spar, "INSERT INTO " + TABLE + " (note) VALUES"
        + " ('returning') RETURNING id");
    inserted += returned.size();
    assertEquals(14, inserted);
    assertEquals(List.of(Long.toString(inserted)), returned, "RETURNING gives the row's id");
    // ids are the coordinator sequence's 1..14, one per row, in order; EXPLAIN drew none. (The
    // other tests give their rows ids from 1000 on, which draw none either.)
    assertEquals(LongStream.rangeClosed(1, inserted).boxed().toList(), Sql.longs(spar,
        "SELECT id FROM " + TABLE + " WHERE id < 1000 ORDER BY id"));
    try (Connection coordinator = SparTestCluster.coordinator()) {
      assertEquals(List.of(Long.toString(inserted)), strings(coordinator,
          "SELECT last_value FROM cd_items_id_seq"));
    }
    assertEquals(List.of("14"), strings(spar, "SELECT count(*) FROM " + TABLE + " WHERE n = 7"
        + " AND created_at IS NOT NULL AND updated_at IS NOT NULL AND token IS NOT NULL"
        + " AND id < 1000"));
    assertEquals(List.of("14"), strings(spar, "SELECT count(DISTINCT token) FROM " + TABLE
        + " WHERE id < 1000"));
    Placements.assertIdentical(spar, TABLE);
  }

  /**
   * More rows than one coordinator query can evaluate defaults for (its target list holds
   * 1,664 entries, two per value): 2,000 rows of INSERT … SELECT and 900 of VALUES get their
   * serial ids in order, as on plain PostgreSQL. They used to fail with 54011.
   */
  @Test
  void manyRowsWithCoordinatorDefaultsNumberAsPostgresDoes() throws SQLException {
    String values = IntStream.rangeClosed(1, 900)
        .mapToObj(i -> "('v" + i + "')").collect(Collectors.joining(", "));
    List<List<String>> answers = new ArrayList<>();
    try (Connection plain = SparTestCluster.coordinator()) {
      Sql.run(plain, "DROP SCHEMA IF EXISTS cd_plain CASCADE");
      Sql.run(plain, "CREATE SCHEMA cd_plain");
      for (Connection each : List.of(plain, spar)) {
        String table = each == plain ? "cd_plain.cd_many" : "cd_many";
        if (each == spar) {
          run("DROP TABLE IF EXISTS cd_many");
        }
        Sql.run(each, "CREATE TABLE " + table + " (id bigserial, note text)");
        if (each == spar) {
          run("SELECT master_create_distributed_table('cd_many', 'id', 'hash')");
          run("SELECT master_create_worker_shards('cd_many', 4, 1)");
        }
        assertEquals(2000, Sql.update(each, "INSERT INTO " + table
            + " (note) SELECT 's' || g FROM generate_series(1, 2000) AS g"));
        assertEquals(900, Sql.update(each, "INSERT INTO " + table + " (note) VALUES "
            + values));
        answers.add(strings(each, "SELECT count(*) || ' ' || min(id) || ' ' || max(id) || ' '"
            + " || count(*) FILTER (WHERE note <> CASE WHEN id <= 2000 THEN 's' || id"
            + " ELSE 'v' || (id - 2000) END) FROM " + table));
      }
      Sql.run(plain, "DROP SCHEMA cd_plain CASCADE");
    }
    assertEquals(List.of("2900 1 2900 0"), answers.get(0));
    assertEquals(answers.get(0), answers.get(1));
  }

  @Test
  void updatesSetStableDefaultsOnceAndRefuseVolatileOnes() throws SQLException {
    run("INSERT INTO " + TABLE + " (id, updated_at, n, note) VALUES (1000, '2001-01-01', 1,"
        + " 'update'), (1001, '2001-01-01', 1, 'update')");
    assertEquals(2, Sql.update(spar, "UPDATE " + TABLE + " SET updated_at = DEFAULT,"
        + " n = DEFAULT WHERE id IN (1000, 1001)"));
    assertEquals(List.of("1"), strings(spar, "SELECT count(DISTINCT updated_at) FROM " + TABLE
        + " WHERE id IN (1000, 1001) AND n = 7 AND updated_at > '2001-01-01'"));
    PSQLException e = assertThrows(PSQLException.class, () -> run("UPDATE " + TABLE
        + " SET created_at = DEFAULT WHERE id = 1000"));
    assertEquals("0A000", e.getSQLState());
    assertEquals("The default of column \"created_at\" is VOLATILE: clock_timestamp().",
        e.getServerErrorMessage().getDetail());
    Placements.assertIdentical(spar, TABLE);
  }

  @Test
  void shardsKeepOnlyImmutableDefaults() throws SQLException {
    String shard = strings(spar, "SELECT min(id) FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = '" + TABLE + "'::regclass").get(0);
    for (PgNode each : SparTestCluster.cluster().workers()) {
      try (Connection worker = SparTestCluster.direct(each)) {
        assertEquals(List.of("n|7"), strings(worker, "SELECT column_name || '|'"
            + " || column_default FROM information_schema.columns WHERE table_name = '"
            + TABLE + "_" + shard + "' AND column_default IS NOT NULL"));
      }
    }
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }

  private static List<String> strings(Connection connection, String sql) throws SQLException {
    return Sql.strings(connection, sql);
  }
}
