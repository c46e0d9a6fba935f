package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's {@code INSERT … SELECT}, differentially: the same statements run through Spar on
 * distributed tables (and a local one) and on plain PostgreSQL tables; results (update counts,
 * RETURNING rows and their columns) and the tables' rows must be equal.
 */
class InsertSelectTest {
  private static Connection spar;
  private static Connection plain;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    plain = SparTestCluster.coordinator();
    Sql.run(spar, "DROP TABLE IF EXISTS is_a, is_b, is_c, is_local");
    Sql.run(plain, "DROP SCHEMA IF EXISTS is_plain CASCADE");
    Sql.run(plain, "CREATE SCHEMA is_plain");
    for (Connection each : List.of(spar, plain)) {
      String schema = each == plain ? "is_plain." : "";
      Sql.run(each, "CREATE TABLE " + schema + "is_a (k bigint PRIMARY KEY, v text, n int)");
      Sql.run(each, "CREATE TABLE " + schema + "is_b (k bigint PRIMARY KEY, v text, n int)");
      Sql.run(each, "CREATE TABLE " + schema + "is_local (k bigint, total bigint)");
      Sql.run(each, "CREATE TABLE " + schema + "is_c (k bigint PRIMARY KEY, label text)");
    }
    for (String table : List.of("is_a", "is_b", "is_c")) {
      Sql.run(spar, "SELECT master_create_distributed_table('" + table + "', 'k', 'hash')");
    }
    Sql.run(spar, "SELECT master_create_worker_shards('is_a', 4, 2)");
    Sql.run(spar, "SELECT master_create_worker_shards('is_b', 3, 1)");
    Sql.run(spar, "SELECT master_create_worker_shards('is_c', 4, 2)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
    plain.close();
  }

  @Test
  void insertSelectAsPostgresDoes() throws SQLException {
    same("INSERT INTO %sis_a SELECT g, 'v' || g, g % 5 FROM generate_series(1, 2500) g");
    same("INSERT INTO %sis_b (k, v) SELECT k, upper(v) FROM %sis_a WHERE n = 2");
    same("INSERT INTO %sis_b SELECT k + 10000, v, n FROM %sis_a WHERE k < 5 RETURNING k, n");
    same("INSERT INTO %sis_b AS b (k, v, n) SELECT k, v, n FROM %sis_a WHERE k <= 20"
        + " ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v || '!', n = b.n RETURNING b.k, b.v");
    same("INSERT INTO %sis_b SELECT k, v FROM %sis_a WHERE k <= 30 ON CONFLICT DO NOTHING");
    same("INSERT INTO %sis_local SELECT n, count(*) FROM %sis_a GROUP BY n");
    same("INSERT INTO %sis_b SELECT * FROM %sis_a WHERE false RETURNING *");
    same("INSERT INTO %sis_b SELECT * FROM %sis_a WHERE false");
    same("UPDATE %sis_a SET v = 'none' WHERE k = 1 AND k = 2 RETURNING k, v");
    same("INSERT INTO %sis_b SELECT k + 20000, v, n FROM %sis_a WHERE k IN (7, 8)"
        + " ORDER BY k LIMIT 1");
  }

  @Test
  void coLocatedInsertSelectRunsShardByShard() throws SQLException {
    same("INSERT INTO %sis_a SELECT g, 'p' || g, g % 3 FROM generate_series(20001, 20400) g");
    List<String> pushed = List.of(
        "INSERT INTO %sis_c (k, label) SELECT k, v FROM %sis_a WHERE k > 20000 AND n = 1",
        "INSERT INTO %sis_c AS c SELECT a.k, a.v || '+' FROM %sis_a a WHERE a.k > 20000"
            + " ON CONFLICT (k) DO UPDATE SET label = EXCLUDED.label || c.label"
            + " RETURNING c.k, c.label",
        "INSERT INTO %sis_c SELECT k, 'one' FROM %sis_a WHERE k = 20007"
            + " ON CONFLICT ON CONSTRAINT is_c_pkey DO UPDATE SET label = EXCLUDED.label",
        "INSERT INTO %sis_c SELECT is_a.k, max(is_a.v) FROM %sis_a JOIN %sis_c c"
            + " ON c.k = is_a.k WHERE is_a.k > 20390 GROUP BY is_a.k ON CONFLICT DO NOTHING",
        "INSERT INTO %sis_a SELECT k, v, n FROM %sis_a WHERE false RETURNING *",
        "INSERT INTO %sis_a SELECT * FROM %sis_a WHERE k > 20000 ON CONFLICT DO NOTHING");
    for (String each : pushed) {
      List<String> plan = Sql.strings(spar, "EXPLAIN " + each.replace("%s", ""));
      assertTrue(plan.get(0).endsWith("0 shards after pruning") || plan.stream().anyMatch(line -> line.matches(
          "    Sent to each placement: INSERT INTO \"public\"\\.\"is_[ac]_[0-9]+\" .*"
              + " FROM \"public\"\\.\"is_[ac]_[0-9]+\".*")),
          each + ": " + plan);
      same(each);
    }
    assertTrue(Sql.strings(spar, "EXPLAIN INSERT INTO is_c SELECT k, v FROM is_a WHERE k = 20007")
        .get(0).endsWith("router, 1 shard after pruning"));
    // The target's key from an expression, a volatile call, an omitted default the coordinator
    // fills, or a table that is not co-located: the rows pass through Spar, as before.
    for (String each : List.of(
        "INSERT INTO %sis_c SELECT k + 100000, v FROM %sis_a WHERE k > 20390",
        "INSERT INTO %sis_c SELECT k, CASE WHEN clock_timestamp() > '2000-01-01' THEN v END"
            + " FROM %sis_a WHERE k > 20390 ON CONFLICT DO NOTHING",
        "INSERT INTO %sis_b SELECT k + 300000, v, n FROM %sis_a WHERE k > 20390",
        "INSERT INTO %sis_c SELECT max(k) + 1, 'max' FROM %sis_a")) {
      assertTrue(Sql.strings(spar, "EXPLAIN " + each.replace("%s", "")).get(0)
          .startsWith("Spar INSERT … SELECT"), each);
      same(each);
    }
    // On replicated placements the shards read are locked too, as the target is.
    StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe();
    long mark = log.mark();
    Sql.run(spar, "INSERT INTO is_c SELECT k, v FROM is_a WHERE k = 20010"
        + " ON CONFLICT DO NOTHING");
    List<String> locks = log.since(mark).stream().map(StatementLog.Entry::sql)
        .filter(sql -> sql.startsWith("SELECT pg_advisory")).distinct().toList();
    assertEquals(1, locks.size(), locks.toString());
    assertTrue(locks.get(0).matches("SELECT pg_advisory_xact_lock\\(\\d+, \\d+\\),"
        + " pg_advisory_xact_lock\\(\\d+, \\d+\\)"), locks.toString());
    Sql.run(plain, "INSERT INTO is_plain.is_c SELECT k, v FROM is_plain.is_a WHERE k = 20010"
        + " ON CONFLICT DO NOTHING");
    Placements.assertIdentical(spar, "is_c");
  }

  @Test
  void updateFromAndDeleteUsingCoLocatedTables() throws SQLException {
    same("INSERT INTO %sis_c SELECT g, 'label ' || g FROM generate_series(1, 3000, 3) g");
    same("UPDATE %sis_a SET v = c.label FROM %sis_c c WHERE is_a.k = c.k AND c.k < 1000");
    same("UPDATE %sis_a a SET n = a.n + 100 FROM %sis_c AS c WHERE c.k = a.k"
        + " AND c.label LIKE '%7' RETURNING a.k, a.n, c.label");
    same("DELETE FROM %sis_a a USING %sis_c c WHERE a.k = c.k AND c.k > 2900 RETURNING a.k");
    same("UPDATE %sis_a a SET v = 'one' FROM %sis_c c WHERE a.k = c.k AND a.k = 4");
    // Keys no other test puts in is_local: with two matching rows, which one UPDATE … FROM
    // takes is up to the join's plan, in PostgreSQL as in Spar.
    same("INSERT INTO %sis_local VALUES (6, 100), (7, 200), (8, NULL)");
    same("UPDATE %sis_a a SET n = l.total FROM %sis_local l WHERE a.k = l.k AND l.total > 0"
        + " RETURNING a.k, a.n");
    same("UPDATE %sis_a SET v = 'local ' || is_local.k FROM %sis_local"
        + " WHERE is_a.k = is_local.k + 10");
    same("DELETE FROM %sis_a USING %sis_local l WHERE is_a.k = l.k + 20 AND l.total IS NULL");
    same("UPDATE %sis_a a SET v = 'none' FROM %sis_local l WHERE a.k = l.k AND false");
    SQLException notCoLocated = org.junit.jupiter.api.Assertions.assertThrows(
        SQLException.class, () -> Sql.run(spar, "UPDATE is_a SET v = b.v FROM is_b b"
            + " WHERE is_a.k = b.k"));
    assertEquals("0A000", notCoLocated.getSQLState());
    SQLException notOnTheKey = org.junit.jupiter.api.Assertions.assertThrows(
        SQLException.class, () -> Sql.run(spar, "UPDATE is_a SET v = c.label FROM is_c c"
            + " WHERE is_a.n = c.k"));
    assertEquals("0A000", notOnTheKey.getSQLState());
  }

  @Test
  void subqueriesInModificationsRunOnce() throws SQLException {
    same("INSERT INTO %sis_c SELECT g, 'l' || g FROM generate_series(5000, 5100) g"
        + " ON CONFLICT DO NOTHING");
    same("INSERT INTO %sis_b SELECT g, 'b' || g, g % 3 FROM generate_series(5000, 5200) g"
        + " ON CONFLICT DO NOTHING");
    same("DELETE FROM %sis_b WHERE k IN (SELECT k FROM %sis_c WHERE k < 5050) RETURNING k");
    same("UPDATE %sis_b SET v = 'max' WHERE n = (SELECT max(n) FROM %sis_b) AND k > 5150");
    same("UPDATE %sis_b SET n = (SELECT count(*) FROM %sis_c WHERE k >= 5000) WHERE k > 5190");
    same("DELETE FROM %sis_b WHERE EXISTS (SELECT 1 FROM %sis_c WHERE k = -1)");
    same("UPDATE %sis_b SET v = 'none' WHERE k IN (SELECT k FROM %sis_c WHERE false)");
    same("UPDATE %sis_b SET v = 'any' WHERE k = ANY (SELECT k + 60 FROM %sis_c"
        + " WHERE k BETWEEN 5050 AND 5060)");
    // Subqueries that refer to the target row run on the shards, beside co-located shards.
    same("INSERT INTO %sis_a SELECT k, 'x', 0 FROM %sis_c WHERE k BETWEEN 5000 AND 5100"
        + " ON CONFLICT DO NOTHING");
    same("UPDATE %sis_a a SET v = (SELECT c.label FROM %sis_c c WHERE c.k = a.k AND c.k > 0)"
        + " WHERE a.k BETWEEN 5000 AND 5050 RETURNING a.k, a.v");
    same("UPDATE %sis_a SET n = (SELECT count(*) FROM %sis_c c WHERE c.k = is_a.k"
        + " AND c.label LIKE '%1') WHERE k BETWEEN 5000 AND 5100");
    same("DELETE FROM %sis_a a WHERE a.k >= 5090 AND NOT EXISTS (SELECT 1 FROM %sis_c c"
        + " WHERE a.k = c.k AND c.label LIKE '%5')");
    same("UPDATE %sis_a a SET v = 'both' WHERE a.k IN (SELECT c.k FROM %sis_c c"
        + " WHERE c.k = a.k AND c.k < 5010) AND n = (SELECT max(n) FROM %sis_b)");
    assertTrue(Sql.strings(spar, "EXPLAIN UPDATE is_a a SET v = (SELECT c.label FROM is_c c"
        + " WHERE c.k = a.k) WHERE a.k = 5001").stream().anyMatch(line -> line.matches(
            ".*Sent to each placement: UPDATE \"public\"\\.\"is_a_[0-9]+\" .*"
            + " FROM \"public\"\\.\"is_c_[0-9]+\".*")));
    SQLException notImmutable = org.junit.jupiter.api.Assertions.assertThrows(
        SQLException.class, () -> Sql.run(spar, "UPDATE is_a a SET v = (SELECT c.label"
            + " || now() FROM is_c c WHERE c.k = a.k) WHERE a.k = 5001"));
    assertEquals("0A000", notImmutable.getSQLState(), notImmutable.getMessage());
    SQLException correlated = org.junit.jupiter.api.Assertions.assertThrows(
        SQLException.class, () -> Sql.run(spar, "UPDATE is_b SET v = (SELECT label FROM is_c"
            + " WHERE is_c.k = is_b.k) WHERE k > 5000"));
    assertEquals("0A000", correlated.getSQLState(), correlated.getMessage());
  }

  @Test
  void createTableAsReadsTheShards() throws SQLException {
    Sql.run(spar, "DROP TABLE IF EXISTS is_ctas, is_ctas_empty");
    Sql.run(plain, "DROP TABLE IF EXISTS is_plain.is_ctas, is_plain.is_ctas_empty");
    same("INSERT INTO %sis_a SELECT g, 'c' || g, g % 4 FROM generate_series(9000, 9100) g"
        + " ON CONFLICT DO NOTHING");
    same("CREATE TABLE %sis_ctas (n, total) AS SELECT n, count(*) FROM %sis_a GROUP BY n");
    same("CREATE TABLE IF NOT EXISTS %sis_ctas AS SELECT 1");
    same("CREATE TABLE %sis_ctas_empty AS SELECT k, v FROM %sis_a WITH NO DATA");
    // SELECT … INTO stores a query's rows too, from the shards, not the empty shells.
    Sql.run(spar, "DROP TABLE IF EXISTS is_into");
    Sql.run(plain, "DROP TABLE IF EXISTS is_plain.is_into");
    same("SELECT k, v INTO %sis_into FROM %sis_a WHERE k < 50 OR k > 9050");
    for (String table : List.of("is_ctas", "is_ctas_empty", "is_into")) {
      assertEquals(Sql.strings(plain, "SELECT t::text FROM is_plain." + table + " t ORDER BY 1"),
          Sql.strings(spar, "SELECT t::text FROM " + table + " t ORDER BY 1"), table);
      assertEquals(Sql.strings(plain, "SELECT attname || ' ' || format_type(atttypid, atttypmod)"
          + " FROM pg_attribute WHERE attrelid = 'is_plain." + table + "'::regclass"
          + " AND attnum > 0 ORDER BY attnum"), Sql.strings(spar, "SELECT attname || ' ' ||"
          + " format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + table
          + "'::regclass AND attnum > 0 ORDER BY attnum"), table);
    }
  }

  @Test
  void sequenceDefaultsOfTheDistributionColumn() throws SQLException {
    Sql.run(spar, "DROP TABLE IF EXISTS is_serial, is_identity");
    Sql.run(spar, "CREATE TABLE is_serial (id bigserial, v text)");
    Sql.run(spar, "CREATE TABLE is_identity (id int GENERATED ALWAYS AS IDENTITY, v text)");
    for (String table : List.of("is_serial", "is_identity")) {
      Sql.run(spar, "SELECT master_create_distributed_table('" + table + "', 'id', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('" + table + "', 4, 2)");
      assertEquals(List.of("1", "2"), Sql.strings(spar, "INSERT INTO " + table
          + " (v) VALUES ('a'), ('b') RETURNING id"));
      Sql.run(spar, "INSERT INTO " + table + " (v) SELECT 'c'");
      try (java.sql.PreparedStatement insert = spar.prepareStatement("INSERT INTO " + table
          + " (v) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
        insert.setString(1, "d");
        insert.executeUpdate();
        try (ResultSet keys = insert.getGeneratedKeys()) {
          keys.next();
          assertEquals(4, keys.getInt("id"));
        }
      }
      assertEquals(List.of("1:a", "2:b", "3:c", "4:d"), Sql.strings(spar, "SELECT id || ':' || v"
          + " FROM " + table + " WHERE id IN (1, 2, 3, 4) ORDER BY id"));
    }
  }

  /** Rows that pass through Spar keep array columns, cast as PostgreSQL assigns them. */
  @Test
  void arrayColumnsPassThrough() throws SQLException {
    for (Connection each : List.of(spar, plain)) {
      String schema = each == plain ? "is_plain." : "";
      Sql.run(each, "DROP TABLE IF EXISTS " + schema + "is_arrays, " + schema + "is_array_src");
      Sql.run(each, "CREATE TABLE " + schema + "is_arrays (k bigint, tags text[],"
          + " counts int[], names varchar(5)[])");
      Sql.run(each, "CREATE TABLE " + schema + "is_array_src (k bigint, tags text[],"
          + " counts int[], names varchar(5)[])");
      Sql.run(each, "INSERT INTO " + schema + "is_array_src VALUES (1, '{a,b}', '{1,2}',"
          + " '{x}'), (2, NULL, '{}', '{yy,NULL}')");
    }
    Sql.run(spar, "SELECT master_create_distributed_table('is_arrays', 'k', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('is_arrays', 4, 1)");
    for (String sql : List.of(
        "INSERT INTO %sis_arrays SELECT 3, ARRAY['c'], ARRAY[3, 4], ARRAY['zz']",
        "INSERT INTO %sis_arrays SELECT * FROM %sis_array_src",
        "INSERT INTO %sis_arrays (k, counts) SELECT k + 10, counts || 9 FROM %sis_array_src"
            + " RETURNING k, counts",
        "SELECT k, tags, counts, names FROM %sis_arrays ORDER BY k")) {
      assertEquals(Sql.outcome(plain, sql.replace("%s", "is_plain.")),
          Sql.outcome(spar, sql.replace("%s", "")), sql);
    }
    Sql.run(spar, "DROP TABLE is_arrays, is_array_src");
    Sql.run(plain, "DROP TABLE is_plain.is_arrays, is_plain.is_array_src");
  }

  private static void same(String sql) throws SQLException {
    assertEquals(Sql.outcome(plain, sql.replace("%s", "is_plain.")),
        Sql.outcome(spar, sql.replace("%s", "")), sql);
    for (String table : List.of("is_a", "is_b", "is_c", "is_local")) {
      assertEquals(Sql.strings(plain, "SELECT t::text FROM is_plain." + table + " t ORDER BY 1"),
          Sql.strings(spar, "SELECT t::text FROM " + table + " t ORDER BY 1"), table);
    }
  }
}
