package io.spar.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.TableName;
import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.engine.transactions.TransactionMode;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.routing.ShardPruner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.util.PSQLException;

/**
 * End-to-end tests of {@link CalciteQueryRunner} on a local cluster: each query runs through
 * Calcite over a hash-distributed {@code articles} table and directly on PostgreSQL over a plain
 * copy, {@code articles_ref}, and the rows must match.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class CalciteQueryRunnerTest {
  private LocalCluster cluster;
  private SparEngine engine;
  private SessionConnections session;
  private CalciteQueryRunner runner;
  private Connection coordinator;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = LocalCluster.start(Path.of("target", "calcite-it-cluster"), 2);
    coordinator = DriverManager.getConnection(cluster.coordinator().jdbcUrl(),
        LocalCluster.USER, "");
    engine = SparEngine.start(cluster.coordinator().jdbcUrl(), LocalCluster.USER, null);
    TestData.create(engine, coordinator, cluster.workers());
    session = engine.openSession();
    // Each query runs in autocommit mode: an implicit transaction of its own.
    runner = new CalciteQueryRunner(engine, session, () -> DistributedTransaction.begin(session,
        engine.statementLog(), engine.metadata(), engine.transactionIds(),
        TransactionMode.DEFAULT, false));
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (runner != null) {
      runner.close();
      session.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Asserts that {@code sql} returns the same rows through Calcite as on a plain table. */
  private void assertSameAsPostgres(String sql, Object... parameters) throws SQLException {
    RowSet actual = runner.query(sql, Arrays.asList(parameters));
    String refSql = sql.replace("articles", "articles_ref");
    RowSet expected;
    try (var statement = coordinator.prepareStatement(refSql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      try (var rs = statement.executeQuery()) {
        expected = RowSet.read(rs);
      }
    }
    assertEquals(render(expected), render(actual), sql);
  }

  private static List<String> render(RowSet rows) {
    List<String> result = new ArrayList<>();
    result.add(rows.columns().stream().map(c -> c.label()).toList().toString());
    for (Object[] each : rows.rows()) {
      result.add(Arrays.stream(each).map(String::valueOf).toList().toString());
    }
    return result;
  }

  @Test
  void countsWithPushedDownFilter() throws SQLException {
    long mark = engine.statementLog().mark();
    assertSameAsPostgres("SELECT count(*) FROM articles WHERE word_count > 5");
    List<StatementLog.Entry> sent = engine.statementLog().since(mark);
    assertEquals(4, sent.size(), sent::toString);
    assertTrue(sent.stream().allMatch(e -> e.sql().contains("WHERE \"word_count\" > 5")
        && e.sql().contains("\"public\".\"articles_" + e.shardId() + "\"")), sent::toString);
  }

  @Test
  void aggregatesGroupsAndOrders() throws SQLException {
    assertSameAsPostgres("SELECT author_id, sum(word_count), avg(word_count), count(*)"
        + " FROM articles GROUP BY author_id HAVING count(*) > 1 ORDER BY author_id");
    assertSameAsPostgres("SELECT max(created), min(score), sum(score) FROM articles");
    assertSameAsPostgres("SELECT DISTINCT author_id FROM articles ORDER BY 1");
    assertSameAsPostgres("SELECT id, word_count FROM articles ORDER BY word_count, id");
  }

  @Test
  void prunesOnPartitionColumn() throws SQLException {
    assertSameAsPostgres("SELECT id, title FROM articles WHERE author_id = 3 ORDER BY id");
    assertSameAsPostgres("SELECT id FROM articles WHERE author_id IN (1, 2) ORDER BY id"
        + " LIMIT 3 OFFSET 1");
    assertSameAsPostgres("SELECT count(*) FROM articles WHERE author_id = 1 AND author_id = 2");
    assertSameAsPostgres("SELECT id FROM articles WHERE author_id = ? ORDER BY id", 2L);
  }

  @Test
  void joinsWindowsAndSubqueries() throws SQLException {
    assertSameAsPostgres("SELECT a.id, u.name FROM articles a JOIN authors u"
        + " ON a.author_id = u.id ORDER BY a.id");
    assertSameAsPostgres("SELECT a.id, b.id FROM articles a JOIN articles b"
        + " ON a.author_id = b.author_id AND a.id < b.id ORDER BY 1, 2");
    assertSameAsPostgres("SELECT id, rank() OVER (PARTITION BY author_id ORDER BY word_count"
        + " DESC) AS r FROM articles ORDER BY id");
    assertSameAsPostgres("SELECT id FROM articles WHERE id IN"
        + " (SELECT id FROM articles WHERE word_count < 100) ORDER BY id");
  }

  @Test
  void readsExpressionsAndOpaqueTypes() throws SQLException {
    assertSameAsPostgres("SELECT title FROM articles WHERE title LIKE 'a%' ORDER BY title");
    assertSameAsPostgres("SELECT word_count * 2 + 1 AS w FROM articles ORDER BY 1");
    assertSameAsPostgres("SELECT id, tags, meta FROM articles ORDER BY id");
    assertSameAsPostgres("SELECT id FROM articles WHERE title IS NULL");
  }

  @Test
  void readsTableWithoutShardsAsEmpty() throws SQLException {
    RowSet rows = runner.query("SELECT count(*) FROM empty_articles", List.of());
    assertEquals(0L, ((Number) rows.rows().get(0)[0]).longValue());
  }

  @Test
  void reportsErrorsLikePostgres() {
    SQLException table = assertThrows(SQLException.class,
        () -> runner.query("SELECT * FROM nope", List.of()));
    assertEquals("42P01", table.getSQLState());
    assertEquals("relation \"nope\" does not exist", table.getMessage());
    SQLException column = assertThrows(SQLException.class,
        () -> runner.query("SELECT nope FROM articles", List.of()));
    assertEquals("42703", column.getSQLState());
    assertEquals("column \"nope\" does not exist", column.getMessage());
    SQLException syntax = assertThrows(SQLException.class,
        () -> runner.query("SELECT FROM WHERE", List.of()));
    assertEquals("42601", syntax.getSQLState());
    assertTrue(syntax.getMessage().startsWith("syntax error"), syntax.getMessage());
  }

  /**
   * Test case for issue 8, item 9: Calcite would read the shards without locking, so a query
   * with locking clauses is refused, as is its EXPLAIN.
   */
  @Test
  void refusesLockingClauses() {
    for (String sql : List.of("SELECT * FROM articles FOR UPDATE",
        "SELECT author_id FROM articles WHERE word_count > 5 ORDER BY 1 FOR SHARE NOWAIT LIMIT 2",
        "SELECT * FROM articles a JOIN articles_ref r ON a.id = r.id FOR KEY SHARE OF a")) {
      for (SQLException e : List.of(
          assertThrows(SQLException.class, () -> runner.query(sql, List.of()), sql),
          assertThrows(SQLException.class, () -> runner.explain(sql, List.of()), sql))) {
        assertEquals("0A000", e.getSQLState(), sql);
        assertTrue(e.getMessage().contains("is not supported for multi-shard queries"), sql);
        PSQLException pg = assertInstanceOf(PSQLException.class, e, sql);
        assertTrue(pg.getServerErrorMessage().getHint().contains("distribution column"), sql);
      }
    }
    SQLException share = assertThrows(SQLException.class,
        () -> runner.query("SELECT 1 FROM articles FOR KEY SHARE FOR UPDATE", List.of()));
    assertTrue(share.getMessage().startsWith("ERROR: SELECT FOR KEY SHARE is not supported"),
        share.getMessage());
  }

  @Test
  void runsAndExplainsQueriesWithoutLocks() throws SQLException {
    RowSet rows = runner.query("SELECT count(*) FROM articles FOR READ ONLY", List.of());
    assertEquals(8L, ((Number) rows.rows().get(0)[0]).longValue());
    assertEquals("count", rows.columns().get(0).label());
    RowSet plan = runner.explain("SELECT count(*) FROM articles", List.of());
    assertTrue(String.valueOf(plan.rows().get(0)[0]).contains("SparToEnumerableConverter"));
  }

  /** Creation of the test tables, their metadata, shards and rows. */
  private static final class TestData {
    private static final String COLUMNS = "(id bigint NOT NULL, author_id bigint NOT NULL,"
        + " title varchar(20), word_count int, created date, score numeric(10,2),"
        + " tags text[], meta jsonb)";
    private static final String[] ROWS = {
        "(1, 1, 'arsenal', 10, '2015-01-08', 1.50, '{a,b}', '{\"k\": 1}')",
        "(2, 1, 'bridge', 3, '2015-02-01', 2.25, NULL, NULL)",
        "(3, 2, NULL, 7, '2014-12-31', NULL, '{}', '[]')",
        "(4, 2, 'apple', NULL, NULL, 9.99, NULL, NULL)",
        "(5, 3, 'cedar', 20, '2016-06-06', 0.10, '{x}', '{}')",
        "(6, 4, 'alpha', 5, '2015-01-09', 3.00, NULL, NULL)",
        "(7, 4, 'delta', 6, '2015-01-10', 4.00, NULL, NULL)",
        "(8, 5, 'echo', 200, '2015-01-11', 5.55, NULL, NULL)"};

    static void create(SparEngine engine, Connection coordinator, List<PgNode> workers)
        throws SQLException {
      try (Statement s = coordinator.createStatement()) {
        s.execute("DROP TABLE IF EXISTS articles, articles_ref, authors, empty_articles");
        s.execute("CREATE TABLE articles " + COLUMNS);
        s.execute("CREATE TABLE empty_articles " + COLUMNS);
        s.execute("CREATE TABLE articles_ref " + COLUMNS);
        s.execute("INSERT INTO articles_ref VALUES " + String.join(", ", ROWS));
        s.execute("CREATE TABLE authors (id bigint, name text)");
        s.execute("INSERT INTO authors VALUES (1, 'ann'), (2, 'bob'), (3, 'cy'), (4, 'di')");
      }
      long articles = oid(coordinator, "articles");
      CatalogStore.insertPartition(coordinator, articles, DistributionMethod.HASH, "author_id");
      CatalogStore.insertPartition(coordinator, oid(coordinator, "empty_articles"),
          DistributionMethod.HASH, "author_id");
      int shards = 4;
      long width = (1L << 32) / shards;
      for (int i = 0; i < shards; i++) {
        long min = Integer.MIN_VALUE + i * width;
        long max = i == shards - 1 ? Integer.MAX_VALUE : min + width - 1;
        long shardId = CatalogStore.insertShard(coordinator, articles, Long.toString(min),
            Long.toString(max));
        PgNode worker = workers.get(i % workers.size());
        CatalogStore.insertPlacement(coordinator, shardId, PlacementState.FINALIZED,
            new NodeAddress(worker.host(), worker.port()));
        try (Connection w = DriverManager.getConnection(worker.jdbcUrl(), LocalCluster.USER, "");
            Statement s = w.createStatement()) {
          s.execute("DROP TABLE IF EXISTS articles_" + shardId);
          s.execute("CREATE TABLE articles_" + shardId + " " + COLUMNS);
        }
      }
      engine.metadata().invalidate();
      insertRows(engine, workers);
    }

    private static void insertRows(SparEngine engine, List<PgNode> workers)
        throws SQLException {
      var table = engine.metadata().snapshot().table(new TableName("public", "articles"))
          .orElseThrow();
      for (String row : ROWS) {
        long author = Long.parseLong(row.split(",")[1].trim());
        var shard = ShardPruner.shardForValue(table, author).orElseThrow();
        NodeAddress node = shard.finalizedPlacements().get(0).node();
        try (Connection w = engine.pools().borrow(node); Statement s = w.createStatement()) {
          s.execute("INSERT INTO " + shard.shardName().quoted() + " VALUES " + row);
        }
      }
    }

    private static long oid(Connection coordinator, String table) throws SQLException {
      try (Statement s = coordinator.createStatement();
          var rs = s.executeQuery("SELECT '" + table + "'::regclass::oid")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
