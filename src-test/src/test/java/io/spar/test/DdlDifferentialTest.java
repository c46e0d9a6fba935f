package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's differential DDL test: the same DDL and writes run through Spar on distributed
 * tables in schema {@code ddl_dist} and on plain PostgreSQL tables in schema {@code ddl_plain}
 * (straight to the coordinator). After every step, the coordinator's table and every
 * placement of every shard must look like the plain table in the catalog (columns, types,
 * NOT NULL, defaults, constraints, indexes, persistence), and the rows read through Spar must
 * equal the plain table's.
 *
 * <p>Shards keep only defaults PostgreSQL can prove immutable (see {@code ShardDdl}); Spar
 * evaluates the others at the coordinator, so a placement is expected to have no default
 * where the plain table's default calls a function.
 */
class DdlDifferentialTest {
  private static final String DIST = "ddl_dist";
  private static final String PLAIN = "ddl_plain";
  private static Connection spar;
  private static Connection plain;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    plain = SparTestCluster.coordinator();
    Sql.run(spar, "DROP SCHEMA IF EXISTS " + DIST + " CASCADE");
    Sql.run(plain, "DROP SCHEMA IF EXISTS " + PLAIN + " CASCADE");
    both("CREATE SCHEMA %s");
    both("CREATE TYPE %s.mood AS ENUM ('sad', 'ok', 'happy')");
    both("CREATE TABLE %s.t (k bigint NOT NULL, v text, n int)");
    both("CREATE TABLE %s.p (k bigint PRIMARY KEY, name text)");
    distribute("t");
    distribute("p");
    both("INSERT INTO %s.t VALUES " + rows(40, "(%d, 'v%d', %d)"));
    both("INSERT INTO %s.p VALUES " + rows(40, "(%d, 'p%d')"));
    assertSame("t");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
    plain.close();
  }

  @Test
  void alterTableReachesEveryPlacement() throws SQLException {
    step("/* a comment */ ALTER TABLE %s.t ADD COLUMN extra int DEFAULT 7", "t");
    step("ALTER TABLE %s.t ADD COLUMN created date DEFAULT current_date", "t");
    step("ALTER TABLE %s.t ALTER COLUMN n TYPE bigint", "t");
    step("ALTER TABLE %s.t RENAME COLUMN v TO label", "t");
    step("ALTER TABLE %s.t ALTER COLUMN extra SET DEFAULT 9", "t");
    step("INSERT INTO %s.t (k, label, n) VALUES (41, 'x', 41)", "t");
    step("ALTER TABLE %s.t ALTER COLUMN extra DROP DEFAULT, ALTER COLUMN label SET NOT NULL",
        "t");
    step("ALTER TABLE %s.t ALTER COLUMN created SET DEFAULT now()", "t");
    step("ALTER TABLE %s.t ADD CONSTRAINT n_positive CHECK (n > 0)", "t");
    step("ALTER TABLE %s.t ADD CHECK (extra < 1000), ADD PRIMARY KEY (k)", "t");
    step("ALTER TABLE %s.t ADD CONSTRAINT t_label_key UNIQUE (k, label)", "t");
    step("CREATE INDEX t_label_idx ON %s.t (label)", "t");
    step("ALTER INDEX %s.t_label_idx RENAME TO t_label_index", "t");
    step("ALTER INDEX IF EXISTS %s.t_label_index SET (fillfactor = 70)", "t");
    step("ALTER TABLE %s.t DROP CONSTRAINT n_positive", "t");
    step("ALTER TABLE %s.t RENAME CONSTRAINT t_label_key TO t_label_unique", "t");
    step("ALTER TABLE %s.t ADD COLUMN m %s.mood DEFAULT 'ok'", "t");
    step("UPDATE %s.t SET m = 'happy' WHERE k < 5", "t");
    step("ALTER TABLE %s.t DROP COLUMN extra", "t");
    step("ALTER TABLE %s.t SET UNLOGGED", "t");
    step("ALTER TABLE %s.t SET LOGGED", "t");
    sameError("ALTER TABLE %s.t ADD CONSTRAINT t_p_fkey FOREIGN KEY (k) REFERENCES %s.p (k)",
        "t");
    step("DELETE FROM %s.t WHERE k > 40", "t");
    step("ALTER TABLE %s.t ADD CONSTRAINT t_p_fkey FOREIGN KEY (k) REFERENCES %s.p (k)", "t");
    sameError("INSERT INTO %s.t (k, label, n) VALUES (99, 'no parent', 1)", "t");
    sameError("ALTER TABLE %s.t ADD CONSTRAINT t_n_check CHECK (n > 30)", "t");
    sameError("ALTER TABLE %s.t ALTER COLUMN label TYPE int", "t");
    step("ALTER TABLE IF EXISTS ONLY %s.t ALTER COLUMN n SET STATISTICS 200", "t");
  }

  @Test
  void ddlInsideTransactionBlocks() throws SQLException {
    both("CREATE TABLE %s.b (k bigint, v text)");
    distribute("b");
    both("INSERT INTO %s.b VALUES " + rows(20, "(%d, 'v%d')"));
    block(true, "ALTER TABLE %s.b ADD COLUMN note text DEFAULT 'n'",
        "INSERT INTO %s.b (k, v, note) VALUES (100, 'a', 'b')",
        "UPDATE %s.b SET note = v WHERE k < 3");
    assertSame("b");
    block(false, "ALTER TABLE %s.b ADD COLUMN gone int", "INSERT INTO %s.b VALUES (101, 'c')",
        "ALTER TABLE %s.b DROP COLUMN note");
    assertSame("b");
    block(true, "ALTER TABLE %s.b RENAME TO b2", "INSERT INTO %s.b2 (k, v) VALUES (102, 'd')",
        "ALTER TABLE %s.b2 RENAME COLUMN v TO w", "UPDATE %s.b2 SET w = 'e' WHERE k = 102");
    assertSame("b2");
    // JDBC with autocommit off, as connection pools use it.
    spar.setAutoCommit(false);
    plain.setAutoCommit(false);
    try {
      both("CREATE INDEX b2_w ON %s.b2 (w)");
      both("ALTER TABLE %s.b2 ADD COLUMN flag boolean NOT NULL DEFAULT false");
      spar.commit();
      plain.commit();
    } finally {
      spar.setAutoCommit(true);
      plain.setAutoCommit(true);
    }
    assertSame("b2");
    SQLException concurrently = assertThrows(SQLException.class, () -> {
      Sql.run(spar, "BEGIN");
      try {
        Sql.run(spar, "CREATE INDEX CONCURRENTLY b2_k ON " + DIST + ".b2 (k)");
      } finally {
        Sql.run(spar, "ROLLBACK");
      }
    });
    assertEquals("25001", concurrently.getSQLState());
    step("CREATE INDEX CONCURRENTLY b2_k ON %s.b2 (k)", "b2");
    step("DROP INDEX CONCURRENTLY %s.b2_k", "b2");
  }

  @Test
  void refusalsChangeNothing() throws SQLException {
    both("CREATE TABLE %s.r (k bigint, v text)");
    distribute("r");
    both("CREATE TABLE %s.local_r (k bigint PRIMARY KEY)");
    for (String refused : List.of("ALTER TABLE %s.r DROP COLUMN k",
        "ALTER TABLE %s.r ALTER COLUMN k TYPE text",
        "ALTER TABLE %s.r ADD UNIQUE (v)",
        "ALTER TABLE %s.r ADD PRIMARY KEY (v)",
        "ALTER TABLE %s.r ADD COLUMN s serial",
        "ALTER TABLE %s.r ADD COLUMN x int, ADD FOREIGN KEY (k) REFERENCES %s.local_r (k)",
        "CREATE UNIQUE INDEX r_v ON %s.r (v)")) {
      SQLException error = assertThrows(SQLException.class,
          () -> Sql.run(spar, String.format(refused, DIST, DIST)), refused);
      assertEquals("0A000", error.getSQLState(), refused + ": " + error.getMessage());
      assertSame("r");
    }
  }

  @Test
  void aFailingWorkerLeavesEverythingAsBefore() throws SQLException {
    both("CREATE TABLE %s.a (k bigint, v text)");
    distribute("a");
    both("INSERT INTO %s.a VALUES " + rows(20, "(%d, 'v%d')"));
    // A conflicting object on one placement of the last shard, made behind Spar's back.
    List<String> placements = Sql.strings(spar, "SELECT s.id || ':' || p.node_port FROM"
        + " pgs_distribution_metadata.shard s JOIN pgs_distribution_metadata.shard_placement p"
        + " ON p.shard_id = s.id WHERE s.relation_id = '" + DIST + ".a'::regclass"
        + " ORDER BY s.id DESC, p.id DESC");
    String[] last = placements.get(0).split(":");
    try (Connection worker = Placements.worker(Integer.parseInt(last[1]))) {
      Sql.run(worker, "ALTER TABLE " + DIST + ".a_" + last[0] + " ADD COLUMN clash int");
    }
    Map<String, List<String>> before = describePlacements("a");
    SQLException error = assertThrows(SQLException.class, () -> Sql.run(spar,
        "ALTER TABLE " + DIST + ".a ADD COLUMN clash int, ADD COLUMN other text"));
    assertEquals("42701", error.getSQLState(), error.getMessage());
    assertTrue(error.getMessage().contains("column \"clash\" of relation \"a\" already exists"),
        error.getMessage());
    assertEquals(before, describePlacements("a"));
    assertEquals(describe(plain, PLAIN + ".a"), describe(SparTestCluster.coordinator(),
        DIST + ".a"));
  }

  @Test
  void ddlRunByFunctionsAndBlocksReachesThePlacements() throws SQLException {
    both("CREATE TABLE %s.m (k bigint, v text, n int)");
    distribute("m");
    both("INSERT INTO %s.m VALUES " + rows(12, "(%d, 'v%d', %d)"));
    both("CREATE FUNCTION %s.maintain(what text) RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
        + " EXECUTE format('CREATE INDEX IF NOT EXISTS m_by_%1$s ON %s.m (%1$s)', what);"
        + " RETURN 1; END $$");
    // A maintenance function called by a query, as pg_partman's run_maintenance() is.
    step("SELECT %s.maintain('n')", "m");
    step("SELECT count(*) FROM (SELECT %s.maintain('v')) AS x", "m");
    step("DO $$ BEGIN CREATE INDEX m_by_k_v ON %s.m (k, v); END $$", "m");
    // Rolled back with its block, on the shell and on every placement.
    block(false, "SELECT %s.maintain('k')", "INSERT INTO %s.m VALUES (100, 'x', 1)");
    assertSame("m");
    // A function that is not VOLATILE cannot run DDL; PostgreSQL refuses it.
    both("CREATE FUNCTION %s.stable_maintain() RETURNS int STABLE LANGUAGE plpgsql AS $$ BEGIN"
        + " CREATE INDEX m_stable ON %s.m (n, k); RETURN 1; END $$");
    sameError("SELECT %s.stable_maintain()", "m");
    // Definitions the workers would need are carried by running the statement there: refused.
    Sql.run(spar, "CREATE FUNCTION " + DIST + ".make_type() RETURNS int LANGUAGE plpgsql AS $$"
        + " BEGIN CREATE TYPE " + DIST + ".made AS (a int); RETURN 1; END $$");
    SQLException refused = assertThrows(SQLException.class,
        () -> Sql.run(spar, "SELECT " + DIST + ".make_type()"));
    assertEquals("0A000", refused.getSQLState(), refused.getMessage());
    assertEquals(0, Sql.count(spar, "SELECT count(*) FROM pg_type WHERE typname = 'made'"));
  }

  @Test
  void dropsCleanUpShardsAndCatalog() throws SQLException {
    Sql.run(spar, "CREATE SCHEMA ddl_drop");
    Sql.run(spar, "CREATE TABLE ddl_drop.d1 (k int, v text)");
    Sql.run(spar, "CREATE TABLE ddl_drop.d2 (k int, v text)");
    for (String table : List.of("ddl_drop.d1", "ddl_drop.d2")) {
      Sql.run(spar, "SELECT master_create_distributed_table('" + table + "', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('" + table + "', 2, 2)");
    }
    Sql.run(spar, "INSERT INTO ddl_drop.d1 VALUES (1, 'a')");
    long catalogRows = Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata.shard");
    Sql.run(spar, "/* drop */ DROP TABLE \"ddl_drop\".d1");
    assertEquals(catalogRows - 2,
        Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata.shard"));
    assertEquals(List.of("ddl_drop.d2_"), shardTablesOnWorkers("ddl_drop"));
    Sql.run(spar, "DROP SCHEMA ddl_drop CASCADE");
    assertEquals(catalogRows - 4,
        Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata.shard"));
    assertEquals(List.of(), shardTablesOnWorkers("ddl_drop"));
    for (var worker : SparTestCluster.cluster().workers()) {
      try (Connection c = SparTestCluster.direct(worker)) {
        assertEquals(0, Sql.count(c, "SELECT count(*) FROM pg_namespace"
            + " WHERE nspname = 'ddl_drop'"), "the schema is gone from " + worker);
      }
    }
  }

  // Steps ---------------------------------------------------------------------------------------

  /** Distributes {@code table} of the distributed side by hash of k, 4 shards, 2 placements. */
  private static void distribute(String table) throws SQLException {
    Sql.run(spar, "SELECT master_create_distributed_table('" + DIST + "." + table
        + "', 'k', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('" + DIST + "." + table + "', 4, 2)");
  }

  /** Runs {@code sql} (with the schema for each %s) on both sides, then compares table {@code table}. */
  private static void step(String sql, String table) throws SQLException {
    both(sql);
    assertSame(table);
  }

  /**
   * Runs {@code sql} on both sides, expecting the same error (SQLState and message), then
   * compares table {@code table}, which the failure must have left as it was.
   */
  private static void sameError(String sql, String table) throws SQLException {
    SQLException sparError = assertThrows(SQLException.class,
        () -> Sql.run(spar, sql.replace("%s", DIST)), sql);
    SQLException plainError = assertThrows(SQLException.class,
        () -> Sql.run(plain, sql.replace("%s", PLAIN)), sql);
    assertEquals(plainError.getSQLState(), sparError.getSQLState(), sql);
    assertEquals(plainError.getMessage().replace(PLAIN + ".", ""),
        sparError.getMessage().replace(DIST + ".", ""), sql);
    assertSame(table);
  }

  private static void both(String sql) throws SQLException {
    SQLException sparError = null;
    SQLException plainError = null;
    try {
      Sql.run(spar, sql.replace("%s", DIST));
    } catch (SQLException e) {
      sparError = e;
    }
    try {
      Sql.run(plain, sql.replace("%s", PLAIN));
    } catch (SQLException e) {
      plainError = e;
    }
    if (sparError != null || plainError != null) {
      throw new AssertionError(sql + ": Spar " + message(sparError) + ", PostgreSQL "
          + message(plainError), sparError != null ? sparError : plainError);
    }
  }

  /** Returns {@code count} VALUES rows, each {@code format} with its number for every %d. */
  private static String rows(int count, String format) {
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      rows.add(format.replace("%d", Integer.toString(i)));
    }
    return String.join(", ", rows);
  }

  private static String message(SQLException e) {
    return e == null ? "succeeded" : e.getSQLState() + " " + e.getMessage();
  }

  /** Runs {@code statements} in a block on both sides, committed or rolled back. */
  private static void block(boolean commit, String... statements) throws SQLException {
    both("BEGIN");
    for (String each : statements) {
      both(each);
    }
    both(commit ? "COMMIT" : "ROLLBACK");
  }

  private static void assertSame(String table) throws SQLException {
    List<String> expected = describe(plain, PLAIN + "." + table);
    try (Connection coordinator = SparTestCluster.coordinator()) {
      assertEquals(expected, describe(coordinator, DIST + "." + table), "the coordinator's table");
    }
    List<String> expectedOnShards = new ArrayList<>();
    for (String line : expected) {
      // Shards keep a default only when it is a constant.
      expectedOnShards.add(line.startsWith("column ") && !line.matches(
          ".* default (null|-?[0-9.]+|'[^']*'(::[a-zA-Z. ]+)?|true|false)$")
          ? line.replaceAll(" default .*$", " default null") : line);
    }
    for (Map.Entry<String, List<String>> each : describePlacements(table).entrySet()) {
      assertEquals(expectedOnShards, each.getValue(), "placement " + each.getKey());
    }
    assertEquals(Sql.strings(plain, "SELECT t::text FROM " + PLAIN + "." + table + " t ORDER BY 1"),
        Sql.strings(spar, "SELECT t::text FROM " + DIST + "." + table + " t ORDER BY 1"),
        "rows of " + table);
  }

  /** Returns the description of every placement of table {@code table}, by shard and port. */
  private static Map<String, List<String>> describePlacements(String table) throws SQLException {
    Map<String, List<String>> placements = new LinkedHashMap<>();
    for (String each : Sql.strings(spar, "SELECT s.id || ':' || p.node_port FROM"
        + " pgs_distribution_metadata.shard s JOIN pgs_distribution_metadata.shard_placement p"
        + " ON p.shard_id = s.id WHERE s.relation_id = '" + DIST + "." + table
        + "'::regclass AND p.shard_state = 1 ORDER BY s.id, p.id")) {
      String[] parts = each.split(":");
      try (Connection worker = Placements.worker(Integer.parseInt(parts[1]))) {
        placements.put(each, describe(worker, DIST + "." + table + "_" + parts[0]));
      }
    }
    assertTrue(placements.size() >= 8, "placements of " + table + ": " + placements.keySet());
    return placements;
  }

  /**
   * Returns {@code \d}'s facts about {@code relation} on {@code connection}, with names made
   * comparable: schema and shard id suffixes removed.
   */
  static List<String> describe(Connection connection, String relation) throws SQLException {
    String oid = "'" + relation + "'::regclass";
    List<String> lines = new ArrayList<>();
    lines.addAll(Sql.strings(connection, "SELECT 'persistence ' || relpersistence::text FROM pg_class"
        + " WHERE oid = " + oid));
    lines.addAll(Sql.strings(connection, "SELECT 'column ' || a.attname || ' '"
        + " || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null'"
        + " ELSE '' END || ' default ' || coalesce(pg_get_expr(d.adbin, d.adrelid), 'null')"
        + " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid"
        + " AND d.adnum = a.attnum WHERE a.attrelid = " + oid
        + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"));
    lines.addAll(Sql.strings(connection, "SELECT 'constraint ' || regexp_replace(conname,"
        + " '_[0-9]+$', '') || ' ' || contype::text || ' ' || regexp_replace(pg_get_constraintdef(oid),"
        + " 'REFERENCES [^(]*\\(', 'REFERENCES (') FROM pg_constraint WHERE conrelid = " + oid
        + " ORDER BY 1"));
    lines.addAll(Sql.strings(connection, "SELECT 'index ' || regexp_replace(c.relname,"
        + " '_[0-9]+$', '') || ' ' || regexp_replace(pg_get_indexdef(i.indexrelid),"
        + " '^.* USING ', 'USING ') || ' ' || coalesce(array_to_string(c.reloptions, ','), '')"
        + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = " + oid
        + " ORDER BY 1"));
    return lines.stream().map(line -> line.replace(DIST + ".", "").replace(PLAIN + ".", ""))
        .toList();
  }

  private static List<String> shardTablesOnWorkers(String schema) throws SQLException {
    List<String> tables = new ArrayList<>();
    for (var worker : SparTestCluster.cluster().workers()) {
      try (Connection c = SparTestCluster.direct(worker)) {
        tables.addAll(Sql.strings(c, "SELECT DISTINCT n.nspname || '.' || regexp_replace("
            + "c.relname, '[0-9]+$', '') FROM pg_class c JOIN pg_namespace n"
            + " ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "'"
            + " AND c.relkind = 'r'"));
      }
    }
    return tables.stream().distinct().sorted().toList();
  }
}
