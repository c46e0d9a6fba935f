package io.spar.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.parser.SqlLockingClause.Strength;
import io.spar.parser.SqlLockingClause.WaitPolicy;
import java.sql.SQLException;
import java.util.List;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 8, item 9: PostgreSQL's locking clauses ({@code SELECT ... FOR UPDATE})
 * parse into a {@link SparSqlLockedQuery} whose clauses a router can find and splice as written.
 */
class LockingClauseParsingTest {
  @Test
  void forUpdateWrapsTheQuery() throws SQLException {
    String sql = "SELECT title FROM articles WHERE author_id = 7 FOR UPDATE";
    SqlNode statement = SqlParsing.parse(sql);
    SparSqlLockedQuery locked = assertInstanceOf(SparSqlLockedQuery.class, statement);
    assertInstanceOf(SqlSelect.class, locked.getQuery());
    SqlNodeList clauses = SparQueries.lockingClauses(statement).orElseThrow();
    assertEquals("FOR UPDATE", NodeText.of(sql, clauses));
    SqlLockingClause clause = (SqlLockingClause) clauses.get(0);
    assertEquals(Strength.UPDATE, clause.getStrength());
    assertNull(clause.getTables());
    assertEquals(WaitPolicy.WAIT, clause.getWaitPolicy());
    assertEquals(locked.getQuery(), SparQueries.withoutLocking(statement));
  }

  @Test
  void everyStrengthTablesAndWaitPolicy() throws SQLException {
    String sql = "select * from a x join b on x.id = b.id where x.k = $1\n"
        + "for no key update of x nowait for share of b skip locked\n"
        + "for key share for update of public.a, b";
    SqlNodeList clauses = SparQueries.lockingClauses(SqlParsing.parse(sql)).orElseThrow();
    assertEquals(sql.substring(sql.indexOf("for no key")), NodeText.of(sql, clauses));
    assertEquals(List.of(Strength.NO_KEY_UPDATE, Strength.SHARE, Strength.KEY_SHARE,
        Strength.UPDATE), clauses.stream().map(c -> ((SqlLockingClause) c).getStrength()).toList());
    assertEquals(List.of(WaitPolicy.NOWAIT, WaitPolicy.SKIP_LOCKED, WaitPolicy.WAIT,
        WaitPolicy.WAIT),
        clauses.stream().map(c -> ((SqlLockingClause) c).getWaitPolicy()).toList());
    SqlNodeList tables = ((SqlLockingClause) clauses.get(3)).getTables();
    assertEquals(List.of("public", "a"), ((SqlIdentifier) tables.get(0)).names);
    assertEquals("public.a, b", NodeText.of(sql, tables));
    assertEquals("for share of b skip locked", NodeText.of(sql, clauses.get(1)));
  }

  @Test
  void limitBeforeOrAfterTheClauses() throws SQLException {
    for (String sql : List.of(
        "SELECT * FROM t WHERE k = 1 ORDER BY v LIMIT 2 OFFSET 3 FOR UPDATE",
        "SELECT * FROM t WHERE k = 1 ORDER BY v FOR UPDATE LIMIT 2 OFFSET 3",
        "SELECT * FROM t WHERE k = 1 ORDER BY v FOR UPDATE OFFSET 3 ROWS"
            + " FETCH FIRST 2 ROWS ONLY")) {
      SparSqlLockedQuery locked = (SparSqlLockedQuery) SqlParsing.parse(sql);
      SqlOrderBy query = assertInstanceOf(SqlOrderBy.class, locked.getQuery(), sql);
      assertInstanceOf(SqlSelect.class, query.query, sql);
      assertEquals(1, query.orderList.size(), sql);
      assertEquals(2, ((SqlLiteral) query.fetch).intValue(true), sql);
      assertEquals(3, ((SqlLiteral) query.offset).intValue(true), sql);
      assertEquals("FOR UPDATE", NodeText.of(sql, locked.getLockingClauses()), sql);
    }
    SparSqlLockedQuery unordered =
        (SparSqlLockedQuery) SqlParsing.parse("SELECT * FROM t FOR SHARE LIMIT 1");
    SqlOrderBy limited = assertInstanceOf(SqlOrderBy.class, unordered.getQuery());
    assertEquals(0, limited.orderList.size());
  }

  @Test
  void clausesAreSyntaxErrorsWhereverPostgresqlRejectsThem() {
    for (String sql : List.of(
        "SELECT * FROM t LIMIT 1 FOR UPDATE LIMIT 2",
        "SELECT * FROM t FOR UPDATE OF",
        "SELECT * FROM t FOR UPDATE NOWAIT SKIP LOCKED",
        "SELECT * FROM t FOR",
        "SELECT * FROM t FOR KEY UPDATE",
        "SELECT * FROM (SELECT * FROM t FOR UPDATE) s",
        "INSERT INTO u SELECT * FROM t FOR UPDATE")) {
      SQLException e = assertThrows(SQLException.class, () -> SqlParsing.parse(sql), sql);
      assertEquals("42601", e.getSQLState(), sql);
    }
  }

  @Test
  void readOnlyLocksNothing() throws SQLException {
    SqlNode statement = SqlParsing.parse("SELECT * FROM t FOR READ ONLY");
    assertInstanceOf(SqlSelect.class, statement);
    assertTrue(SparQueries.lockingClauses(statement).isEmpty());
  }

  @Test
  void queriesWithoutClausesAreCalcitesNodes() throws SQLException {
    for (String sql : List.of("SELECT 1", "WITH c AS (SELECT 1) SELECT * FROM c",
        "(SELECT a FROM t) UNION SELECT b FROM u ORDER BY 1 LIMIT 3", "VALUES (1)", "TABLE t")) {
      SqlNode statement = SqlParsing.parse(sql);
      assertTrue(SparQueries.lockingClauses(statement).isEmpty(), sql);
      assertEquals(statement, SparQueries.withoutLocking(statement), sql);
    }
    SparSqlLockedQuery with = (SparSqlLockedQuery) SqlParsing.parse(
        "WITH c AS (SELECT 1) SELECT * FROM t, c FOR UPDATE OF t");
    assertEquals("WITH", with.getQuery().getKind().sql);
  }

  @Test
  void clauseWordsStayNames() throws SQLException {
    SqlSelect select = (SqlSelect) SqlParsing.parse(
        "SELECT share, nowait, locked, skip, key, no, read, of FROM t");
    assertEquals(8, select.getSelectList().size());
    assertEquals("SELECT * FROM t FOR UPDATE", unparseFlat("select * from t for update"));
    assertEquals("SELECT * FROM t FOR NO KEY UPDATE OF t SKIP LOCKED",
        unparseFlat("select * from t for no key update of t skip locked"));
  }

  private static String unparseFlat(String sql) throws SQLException {
    return SqlParsing.parse(sql).toString().replace('\n', ' ').replace("`", "");
  }
}
