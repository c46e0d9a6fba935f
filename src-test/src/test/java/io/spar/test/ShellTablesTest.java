package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Test case for issue 8, items 3, 4 and 5: the coordinator's table of a distributed table (its
 * shell) never serves or absorbs rows. Writes that reach it without Spar are refused by its
 * guard trigger; COPY into it through Spar is refused; rows it held before distribution move
 * into the shards when they are created; views over distributed tables are planned through
 * Spar; statements that would store or read a distributed table's rows on the coordinator are
 * refused.
 */
class ShellTablesTest {
  static Connection spar;
  static Connection direct;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    direct = SparTestCluster.coordinator();
    Sql.run(spar, "DROP TABLE IF EXISTS shell_items, shell_moved, shell_appended, shell_parent,"
        + " shell_child, shell_nulls, shell_local CASCADE");
    Sql.run(spar, "CREATE TABLE shell_items (k bigint PRIMARY KEY, v text)");
    Sql.run(spar, "SELECT master_create_distributed_table('shell_items', 'k', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('shell_items', 4, 2)");
    Sql.run(spar, "INSERT INTO shell_items VALUES " + rows(1, 20, "(%d, 'v%d')"));
    Sql.run(spar, "CREATE TABLE shell_local (k bigint, note text)");
    Sql.run(spar, "INSERT INTO shell_local VALUES (1, 'one'), (2, 'two'), (99, 'none')");
  }

  /** Returns {@code format} (two %d, both the key) for keys {@code from} to {@code to}. */
  private static String rows(int from, int to, String format) {
    StringBuilder result = new StringBuilder();
    for (int k = from; k <= to; k++) {
      result.append(k == from ? "" : ", ").append(String.format(format, k, k));
    }
    return result.toString();
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
    direct.close();
  }

  @Test
  void writesStraightToTheShellAreRefusedNamingTheTable() throws Exception {
    for (String each : List.of("INSERT INTO shell_items VALUES (100, 'x')",
        "UPDATE shell_items SET v = 'x'", "DELETE FROM shell_items", "TRUNCATE shell_items")) {
      SQLException e = assertThrows(SQLException.class, () -> Sql.run(direct, each), each);
      assertEquals("0A000", e.getSQLState(), each);
      assertTrue(e.getMessage().contains("distributed table public.shell_items"),
          e.getMessage());
    }
    SQLException copy = assertThrows(SQLException.class, () -> direct.unwrap(PGConnection.class)
        .getCopyAPI().copyIn("COPY shell_items FROM STDIN", new StringReader("101\tx\n")));
    assertEquals("0A000", copy.getSQLState());
    assertEquals(0, Sql.count(direct, "SELECT count(*) FROM ONLY shell_items"));
    assertEquals(20, Sql.count(spar, "SELECT count(*) FROM shell_items"));
  }

  @Test
  void copyFromAServerFileIsRefused() throws Exception {
    Path file = Files.createTempFile("shell-items", ".tsv");
    Files.writeString(file, "200\ta\n201\tb\n");
    SQLException e = assertThrows(SQLException.class,
        () -> Sql.run(spar, "COPY shell_items FROM '" + file + "'"));
    assertEquals("0A000", e.getSQLState());
    assertTrue(e.getMessage().contains("COPY FROM a file into distributed table"),
        e.getMessage());
    assertEquals(20, Sql.count(spar, "SELECT count(*) FROM shell_items"));
    assertEquals(0, Sql.count(direct, "SELECT count(*) FROM ONLY shell_items"));
    SQLException out = assertThrows(SQLException.class,
        () -> Sql.run(spar, "COPY (SELECT * FROM shell_items) TO STDOUT"));
    assertEquals("0A000", out.getSQLState());
  }

  @Test
  void rowsOfATableDistributedWithDataMoveIntoItsShards() throws SQLException {
    Sql.run(spar, "CREATE TABLE shell_moved (k int, v text, n numeric)");
    Sql.run(spar, "INSERT INTO shell_moved SELECT g, 'row ' || g || E'\\ttab\\\\slash',"
        + " g / 7.0 FROM generate_series(1, 1000) g");
    Sql.run(spar, "SELECT master_create_distributed_table('shell_moved', 'k', 'hash')");
    // Between the two calls the rows are in the coordinator, where Spar refuses to read them.
    SQLException hidden = assertThrows(SQLException.class,
        () -> Sql.count(spar, "SELECT count(*) FROM shell_moved"));
    assertEquals("55000", hidden.getSQLState());
    assertEquals("55000", assertThrows(SQLException.class,
        () -> Sql.run(spar, "DELETE FROM shell_moved WHERE k = 1")).getSQLState());
    Sql.run(spar, "SELECT master_create_worker_shards('shell_moved', 8, 2)");
    assertEquals(0, Sql.count(direct, "SELECT count(*) FROM ONLY shell_moved"));
    assertEquals(1000, Sql.count(spar, "SELECT count(*) FROM shell_moved"));
    assertEquals(List.of("row 500\ttab\\slash"),
        Sql.strings(spar, "SELECT v FROM shell_moved WHERE k = 500"));
    for (int k = 1; k <= 1000; k += 37) {
      assertEquals(1, Sql.count(spar, "SELECT count(*) FROM shell_moved WHERE k = " + k),
          "routed lookup of key " + k);
    }
    long onWorkers = 0;
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection c = SparTestCluster.direct(worker)) {
        for (String shard : Sql.strings(c, "SELECT relname FROM pg_class WHERE relname LIKE"
            + " 'shell\\_moved\\_%' AND relkind = 'r'")) {
          onWorkers += Sql.count(c, "SELECT count(*) FROM " + shard);
        }
      }
    }
    assertEquals(2000, onWorkers, "every row on both of its placements");
  }

  @Test
  void appendTablesMoveTheirRowsIntoTheFirstShard() throws SQLException {
    Sql.run(spar, "CREATE TABLE shell_appended (ts date, v int)");
    Sql.run(spar, "INSERT INTO shell_appended SELECT date '2026-01-01' + g, g"
        + " FROM generate_series(0, 99) g");
    Sql.run(spar, "SELECT master_create_distributed_table('shell_appended', 'ts', 'append')");
    long shard = Sql.count(spar, "SELECT master_create_empty_shard('shell_appended')");
    assertEquals(List.of("2026-01-01", "2026-04-10"), Sql.strings(direct,
        "SELECT unnest(ARRAY[min_value, max_value]) FROM pgs_distribution_metadata.shard"
            + " WHERE id = " + shard));
    assertEquals(100, Sql.count(spar, "SELECT count(*) FROM shell_appended"));
    assertEquals(1, Sql.count(spar, "SELECT count(*) FROM shell_appended"
        + " WHERE ts = '2026-02-01'"));
    assertEquals(0, Sql.count(direct, "SELECT count(*) FROM ONLY shell_appended"));
  }

  @Test
  void anInheritedChildIsNotDistributed() throws SQLException {
    Sql.run(spar, "CREATE TABLE shell_parent (k int, v text)");
    Sql.run(spar, "CREATE TABLE shell_child (extra text) INHERITS (shell_parent)");
    Sql.run(spar, "INSERT INTO shell_child SELECT g, 'c', 'x' FROM generate_series(1, 50) g");
    // Its rows would leave the coordinator, where reads of the parent look for them.
    SQLException e = assertThrows(SQLException.class, () -> Sql.run(spar,
        "SELECT master_create_distributed_table('shell_child', 'k', 'hash')"));
    assertEquals("0A000", e.getSQLState());
    assertEquals(50, Sql.count(spar, "SELECT count(*) FROM shell_parent"));
    assertEquals(50, Sql.count(direct, "SELECT count(*) FROM ONLY shell_child"));
    Sql.run(spar, "DROP TABLE shell_child, shell_parent");
  }

  @Test
  void aFailedMoveLeavesTheTableAsItWas() throws SQLException {
    Sql.run(spar, "CREATE TABLE shell_nulls (k int, v text)");
    Sql.run(spar, "INSERT INTO shell_nulls VALUES (1, 'a'), (NULL, 'no key'), (3, 'c')");
    Sql.run(spar, "SELECT master_create_distributed_table('shell_nulls', 'k', 'hash')");
    SQLException e = assertThrows(SQLException.class,
        () -> Sql.run(spar, "SELECT master_create_worker_shards('shell_nulls', 4, 2)"));
    assertEquals("23502", e.getSQLState());
    assertEquals(3, Sql.count(direct, "SELECT count(*) FROM ONLY shell_nulls"));
    assertEquals(0, Sql.count(direct, "SELECT count(*) FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = 'shell_nulls'::regclass"));
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection c = SparTestCluster.direct(worker)) {
        assertEquals(0, Sql.count(c, "SELECT count(*) FROM pg_class"
            + " WHERE relname LIKE 'shell\\_nulls\\_%'"), "no shard table left behind");
      }
    }
    Sql.run(spar, "DROP TABLE shell_nulls");
  }

  @Test
  void viewsOverDistributedTablesArePlannedThroughSpar() throws SQLException {
    Sql.run(spar, "CREATE VIEW shell_view AS SELECT k, v FROM shell_items WHERE k > 10");
    Sql.run(spar, "CREATE VIEW shell_view_of_view (key_col, val_col) AS"
        + " SELECT k, upper(v) FROM shell_view WHERE k <= 15");
    try {
      assertEquals(10, Sql.count(spar, "SELECT count(*) FROM shell_view"));
      assertEquals(List.of("v12"), Sql.strings(spar, "SELECT v FROM shell_view WHERE k = 12"));
      assertEquals(List.of("V11", "V12", "V13", "V14", "V15"),
          Sql.strings(spar, "SELECT val_col FROM shell_view_of_view ORDER BY key_col"));
      assertEquals(List.of("11"), Sql.strings(spar, "SELECT s.k FROM shell_view s JOIN"
          + " shell_local l ON l.k = s.k - 10 WHERE l.note = 'one'"));
      SQLException update = assertThrows(SQLException.class,
          () -> Sql.run(spar, "UPDATE shell_view SET v = 'x' WHERE k = 12"));
      assertEquals("0A000", update.getSQLState());
      SQLException materialized = assertThrows(SQLException.class, () -> Sql.run(spar,
          "CREATE MATERIALIZED VIEW shell_mat AS SELECT * FROM shell_items"));
      assertEquals("0A000", materialized.getSQLState());
    } finally {
      Sql.run(spar, "DROP VIEW shell_view_of_view, shell_view");
    }
  }

  @Test
  void statementsThatStoreOrReadRowsOnTheCoordinatorAreRefused() throws SQLException {
    // CREATE TABLE … AS and SELECT … INTO read the shards since issue 11 (InsertSelectTest).
    for (String each : List.of("DECLARE c CURSOR FOR SELECT * FROM shell_items",
        "PREPARE shell_query AS SELECT * FROM shell_items WHERE k = $1",
        "CREATE MATERIALIZED VIEW shell_view AS SELECT * FROM shell_items")) {
      SQLException e = assertThrows(SQLException.class, () -> Sql.run(spar, each), each);
      assertEquals("0A000", e.getSQLState(), each);
    }
    assertFalse(Sql.strings(direct, "SELECT relname FROM pg_class WHERE relname = 'shell_view'")
        .contains("shell_view"));
  }
}
