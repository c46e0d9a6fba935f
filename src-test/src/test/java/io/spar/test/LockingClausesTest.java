package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8, item 9: {@code SELECT ... FOR UPDATE} (and NO KEY UPDATE, SHARE, KEY
 * SHARE, OF, NOWAIT, SKIP LOCKED) was a syntax error. A query routed to one shard now reaches
 * it with its locking clauses as written, and so does every shard of a multi-shard query that
 * the shards run whole; a multi-shard query whose result the coordinator computes from rows the
 * shards did not lock (joins, LIMIT) is refused with 0A000.
 */
class LockingClausesTest {
  static Connection spar;

  @BeforeAll
  static void setUp() throws SQLException {
    spar = SparTestCluster.spar();
    Sql.run(spar, "DROP TABLE IF EXISTS lock_articles, lock_local");
    Sql.run(spar, "CREATE TABLE lock_articles (id bigint, author_id bigint, title text)");
    Sql.run(spar,
        "SELECT master_create_distributed_table('lock_articles', 'author_id', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('lock_articles', 4, 2)");
    Sql.run(spar, "CREATE TABLE lock_local (id bigint)");
    Sql.run(spar, "INSERT INTO lock_local VALUES (1), (2)");
    try (PreparedStatement insert =
        spar.prepareStatement("INSERT INTO lock_articles VALUES (?, ?, ?)")) {
      for (int i = 1; i <= 12; i++) {
        insert.setLong(1, i);
        insert.setLong(2, i % 3);
        insert.setString(3, "t" + i);
        insert.executeUpdate();
      }
    }
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void routedQueriesKeepTheirClauses() throws SQLException {
    assertEquals(List.of("t3", "t6", "t9", "t12"), Sql.strings(spar,
        "SELECT title FROM lock_articles WHERE author_id = 0 ORDER BY id FOR UPDATE"));
    assertEquals(List.of("t1", "t4"), Sql.strings(spar, "SELECT title FROM lock_articles a"
        + " WHERE author_id = 1 ORDER BY id FOR NO KEY UPDATE OF a NOWAIT LIMIT 2"));
    assertEquals(List.of("t2"), Sql.strings(spar, "SELECT title FROM lock_articles"
        + " WHERE author_id = 2 ORDER BY id LIMIT 1 FOR SHARE OF lock_articles SKIP LOCKED"));
    assertEquals(List.of("t7", "t10"), Sql.strings(spar, "select title from public.lock_articles"
        + " where author_id = 1 and id > 4 order by id for key share for update of lock_articles"));
    try (PreparedStatement select = spar.prepareStatement(
        "SELECT count(*) FROM lock_articles WHERE author_id = ? FOR UPDATE")) {
      select.setLong(1, 2);
      // PostgreSQL refuses FOR UPDATE with aggregates: the shard's own error comes back.
      SQLException e = assertThrows(SQLException.class, select::executeQuery);
      assertEquals("0A000", e.getSQLState());
      assertTrue(e.getMessage().contains("FOR UPDATE is not allowed with aggregate functions"),
          e.getMessage());
    }
  }

  @Test
  void explainShowsTheClausesSentToTheShard() throws SQLException {
    List<String> plan = Sql.strings(spar, "EXPLAIN SELECT title FROM lock_articles a"
        + " WHERE author_id = 1 FOR UPDATE OF a SKIP LOCKED");
    assertTrue(plan.get(0).startsWith("Router Query"), plan.toString());
    assertTrue(plan.get(2).endsWith(" a WHERE author_id = 1 FOR UPDATE OF a SKIP LOCKED"),
        plan.toString());
  }

  @Test
  void multiShardQueriesLockTheRowsOfEveryShard() throws SQLException {
    try (Connection other = SparTestCluster.spar()) {
      spar.setAutoCommit(false);
      try {
        assertEquals(Sql.count(other, "SELECT count(*) FROM lock_articles"),
            Sql.strings(spar, "SELECT title FROM lock_articles WHERE id > 0 FOR UPDATE").size());
        SQLException blocked = assertThrows(SQLException.class, () -> Sql.strings(other,
            "SELECT title FROM lock_articles WHERE author_id = 2 FOR UPDATE NOWAIT"));
        assertEquals("55P03", blocked.getSQLState());
      } finally {
        spar.rollback();
        spar.setAutoCommit(true);
      }
    }
    assertTrue(Sql.strings(spar, "EXPLAIN SELECT * FROM lock_articles FOR UPDATE NOWAIT").get(0)
        .contains("Pushdown"));
  }

  @Test
  void multiShardQueriesTheShardsCannotRunWholeDoNotLock() {
    for (String sql : List.of(
        "SELECT * FROM lock_articles ORDER BY id LIMIT 2 FOR UPDATE",
        "SELECT * FROM lock_articles a JOIN lock_local l ON a.id = l.id"
            + " WHERE a.author_id < 3 FOR UPDATE OF a")) {
      SQLException e = assertThrows(SQLException.class, () -> Sql.strings(spar, sql), sql);
      assertEquals("0A000", e.getSQLState(), sql);
      assertTrue(e.getMessage().contains(" not supported for multi-shard queries"), sql);
      PSQLException pg = assertInstanceOf(PSQLException.class, e, sql);
      assertTrue(pg.getServerErrorMessage().getHint().contains("distribution column"), sql);
    }
  }

  @Test
  void localTablesLockOnTheCoordinator() throws SQLException {
    assertEquals(List.of("1", "2"),
        Sql.strings(spar, "SELECT id FROM lock_local ORDER BY id FOR UPDATE SKIP LOCKED"));
  }
}
