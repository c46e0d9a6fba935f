package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 2, acceptance 4: routed statements reach exactly one shard, shown by the
 * engine's statement log; multi-shard, pruned and contradictory queries reach what they must.
 */
class RoutingTest {
  static Connection spar;
  static StatementLog log;

  @BeforeAll
  static void load() throws SQLException {
    spar = SparTestCluster.spar();
    log = spar.unwrap(SparSession.class).engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    try (Statement statement = spar.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS routing_articles");
      statement.execute("CREATE TABLE routing_articles (id bigint, author_id bigint, title text,"
          + " word_count int)");
      statement.execute(
          "SELECT master_create_distributed_table('routing_articles', 'author_id', 'hash')");
      statement.execute("SELECT master_create_worker_shards('routing_articles', 8, 2)");
    }
    try (PreparedStatement insert = spar.prepareStatement(
        "INSERT INTO routing_articles VALUES (?, ?, ?, ?)")) {
      for (int i = 1; i <= 50; i++) {
        insert.setLong(1, i);
        insert.setLong(2, i % 10);
        insert.setString(3, "title " + i);
        insert.setInt(4, i * 100);
        assertEquals(1, insert.executeUpdate());
      }
    }
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void pointQueryReachesOneShard() throws SQLException {
    long shard = shardOf(3);
    long mark = log.mark();
    assertEquals(5, count("SELECT count(*) FROM routing_articles WHERE author_id = 3"));
    assertEquals(Set.of(shard), shardsSince(mark));
    assertEquals(1, log.since(mark).size());
  }

  @Test
  void preparedPointQueryRoutesOnEachExecution() throws SQLException {
    try (PreparedStatement query = spar.prepareStatement(
        "SELECT count(*) FROM routing_articles WHERE author_id = ?")) {
      for (long author = 0; author < 10; author++) {
        long mark = log.mark();
        query.setLong(1, author);
        try (ResultSet rs = query.executeQuery()) {
          rs.next();
          assertEquals(5, rs.getLong(1));
        }
        assertEquals(Set.of(shardOf(author)), shardsSince(mark));
      }
    }
  }

  @Test
  void routedWritesReachEveryPlacementOfOneShard() throws SQLException {
    long mark = log.mark();
    try (Statement statement = spar.createStatement()) {
      assertEquals(5, statement.executeUpdate(
          "UPDATE routing_articles SET word_count = word_count + 1 WHERE author_id = 4"));
    }
    assertEquals(Set.of(shardOf(4)), shardsSince(mark));
    assertEquals(2, log.since(mark).stream().filter(RoutingTest::isShardStatement).count(),
        "one statement per placement");
  }

  @Test
  void multiShardQueryReachesEveryShard() throws SQLException {
    long mark = log.mark();
    assertEquals(50, count("SELECT count(*) FROM routing_articles"));
    assertEquals(8, shardsSince(mark).size());
  }

  @Test
  void inListReachesOnlyItsShards() throws SQLException {
    long mark = log.mark();
    assertEquals(10, count("SELECT count(*) FROM routing_articles WHERE author_id IN (1, 2)"));
    assertEquals(Set.of(shardOf(1), shardOf(2)), shardsSince(mark));
  }

  @Test
  void contradictionReachesNoShard() throws SQLException {
    long mark = log.mark();
    assertEquals(0, count(
        "SELECT count(*) FROM routing_articles WHERE author_id = 1 AND author_id = 2"));
    assertEquals(Set.of(), shardsSince(mark));
  }

  /** Returns whether {@code entry} is a statement on a shard, not the lock taken before it. */
  static boolean isShardStatement(StatementLog.Entry entry) {
    return entry.shardId() != null && !entry.sql().startsWith("SELECT pg_advisory_xact_lock");
  }

  private static long shardOf(long author) throws SQLException {
    return count("SELECT get_shard_id_for_distribution_column('routing_articles', " + author + ")");
  }

  private static Set<Long> shardsSince(long mark) {
    return log.since(mark).stream().map(StatementLog.Entry::shardId)
        .filter(java.util.Objects::nonNull).collect(Collectors.toSet());
  }

  private static long count(String sql) throws SQLException {
    return Sql.count(spar, sql);
  }

}
