package io.spar.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlIntervalLiteral;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.junit.jupiter.api.Test;

/** Tests of Spar's grammar through {@link SqlParsing}: node shapes, positions, parameters. */
class SparSqlParserTest {
  @Test
  void insertOnConflictDoNothingWithReturning() throws SQLException {
    String sql = "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')"
        + " ON CONFLICT (a) DO NOTHING RETURNING *, a + 1 AS nxt, b label";
    SparSqlInsert insert = assertInstanceOf(SparSqlInsert.class, SqlParsing.parse(sql));
    assertEquals(SqlKind.VALUES, insert.getSource().getKind());
    assertEquals(2, ((SqlBasicCall) insert.getSource()).operandCount());
    SqlOnConflict conflict = insert.getOnConflict();
    assertEquals(SqlOnConflict.Action.NOTHING, conflict.getAction());
    assertEquals("a", NodeText.of(sql, conflict.getConflictColumns().get(0)));
    assertNull(conflict.getConstraint());
    assertEquals(3, insert.getReturning().size());
    assertEquals("t", NodeText.of(sql, insert.getTargetTable()));
  }

  @Test
  void insertOnConstraintDoUpdate() throws SQLException {
    String sql = "insert into \"Events\" (id, n) values ($1, $2)\n"
        + "on conflict on constraint \"Events_pkey\"\n"
        + "do update set n = \"Events\".n + excluded.n where \"Events\".n < 10 returning n";
    SparSqlInsert insert = (SparSqlInsert) SqlParsing.parse(sql);
    SqlOnConflict conflict = insert.getOnConflict();
    assertEquals(SqlOnConflict.Action.UPDATE, conflict.getAction());
    assertEquals("\"Events_pkey\"", NodeText.of(sql, conflict.getConstraint()));
    assertEquals("Events_pkey", conflict.getConstraint().getSimple());
    assertEquals("\"Events\"", NodeText.of(sql, insert.getTargetTable()));
    SqlIdentifier excluded = (SqlIdentifier) ((SqlBasicCall) conflict.getSourceExpressionList()
        .get(0)).operand(1);
    assertEquals(List.of("excluded", "n"), excluded.names);
    assertEquals("n", NodeText.of(sql, conflict.getTargetColumnList().get(0)));
    assertEquals(SqlKind.LESS_THAN, conflict.getCondition().getKind());
    assertEquals(List.of(0, 1), paramIndexes(insert));
  }

  @Test
  void onConflictIndexPredicateAndNoTarget() throws SQLException {
    SparSqlInsert a = (SparSqlInsert) SqlParsing.parse(
        "INSERT INTO t VALUES (1) ON CONFLICT (a, b) WHERE a > 0 DO NOTHING");
    assertEquals(2, a.getOnConflict().getConflictColumns().size());
    assertEquals(SqlKind.GREATER_THAN, a.getOnConflict().getIndexPredicate().getKind());
    SparSqlInsert b = (SparSqlInsert) SqlParsing.parse("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING");
    assertNull(b.getOnConflict().getConflictColumns());
    SparSqlInsert c = (SparSqlInsert) SqlParsing.parse("INSERT INTO t SELECT * FROM s");
    assertNull(c.getOnConflict());
    assertNull(c.getReturning());
  }

  @Test
  void updateAndDeleteReturning() throws SQLException {
    SparSqlUpdate update = (SparSqlUpdate) SqlParsing.parse(
        "UPDATE t AS x SET date = '2015-01-08', value = 2 WHERE x.id = 1 RETURNING x.*");
    assertEquals("x", update.getAlias().getSimple());
    assertEquals("date", ((SqlIdentifier) update.getTargetColumnList().get(0)).getSimple());
    assertEquals(1, update.getReturning().size());
    SparSqlDelete delete = (SparSqlDelete) SqlParsing.parse("DELETE FROM t RETURNING id, b AS c");
    assertNull(delete.getAlias());
    assertNull(delete.getCondition());
    assertEquals(2, delete.getReturning().size());
    SparSqlDelete plain = (SparSqlDelete) SqlParsing.parse("DELETE FROM t WHERE id = 1");
    assertNull(plain.getReturning());
  }

  @Test
  void seedStatement() throws SQLException {
    String sql = "update test_hll_shard set users = users||hll_hash_text('foobar')"
        + " where date = date('2015-01-08');";
    SparSqlUpdate update = (SparSqlUpdate) SqlParsing.parse(sql);
    String parsed = SqlParsing.parsedText(sql);
    assertEquals("test_hll_shard", NodeText.of(parsed, update.getTargetTable()));
    SqlBasicCall where = (SqlBasicCall) update.getCondition();
    assertEquals("date", ((SqlIdentifier) where.operand(0)).getSimple());
    assertEquals("date('2015-01-08')", NodeText.of(parsed, where.operand(1)));
  }

  @Test
  void postgresNamesAndCasts() throws SQLException {
    SqlSelect select = (SqlSelect) SqlParsing.parse(
        "SELECT date, user, year, value, count, position, time, timestamp, t.user"
            + " FROM t WHERE date = '2015-01-08' AND x::int8 > int8(y)"
            + " AND ts = timestamp('2015-01-08 10:00') AND d = DATE '2015-01-08'");
    assertEquals(SqlKind.IDENTIFIER, select.getSelectList().get(0).getKind());
    // Calcite parses niladic functions as identifiers; its validator resolves an unquoted
    // "user" to the USER function before any column, as PostgreSQL does.
    assertEquals("user", ((SqlIdentifier) select.getSelectList().get(1)).getSimple());
    assertEquals(List.of("t", "user"), ((SqlIdentifier) select.getSelectList().get(8)).names);
    SparSqlInsert insert = (SparSqlInsert) SqlParsing.parse(
        "INSERT INTO t (user, date, time, year) VALUES ('a', '2015-01-08'::date, now(), 2015)");
    assertEquals("user", ((SqlIdentifier) insert.getTargetColumnList().get(0)).getSimple());
    SqlParsing.parse("UPDATE t SET user = 'b', time = '10:00' WHERE date = date('2015-01-08')");
  }

  @Test
  void queriesThatParsedBeforeStillParse() throws SQLException {
    for (String sql : List.of(
        "SELECT a.x, b.y FROM a JOIN b ON a.id = b.id LEFT JOIN c USING (id) WHERE a.x IN (1, 2)",
        "SELECT * FROM t WHERE id IN (SELECT id FROM s WHERE s.v > 1) ORDER BY 1 LIMIT 5 OFFSET 2",
        "WITH c AS (SELECT id FROM t) SELECT count(*) FROM c",
        "SELECT id, rank() OVER (PARTITION BY g ORDER BY v DESC) FROM t",
        "SELECT count(DISTINCT x), sum(y) FROM t GROUP BY z HAVING count(*) > 1",
        "SELECT * FROM pgs_distribution_metadata.shard WHERE relation_id = 'x'::regclass",
        "SELECT CAST(a AS varchar(10)) || 'x', CASE WHEN a ~ '^x' THEN 1 ELSE 0 END FROM t",
        "INSERT INTO t VALUES (1, 'a')")) {
      SqlParsing.parse(sql);
    }
  }

  @Test
  void positionsAcrossLinesAndTabs() throws SQLException {
    String sql = "SELECT *\n\tFROM\t\"MyTable\" m\r\n  JOIN other.\"T\" o ON m.id = o.id";
    SqlSelect select = (SqlSelect) SqlParsing.parse(sql);
    org.apache.calcite.sql.SqlJoin join = (org.apache.calcite.sql.SqlJoin) select.getFrom();
    assertEquals("\"MyTable\"", NodeText.of(sql, ((SqlBasicCall) join.getLeft()).operand(0)));
    assertEquals("other.\"T\"", NodeText.of(sql, ((SqlBasicCall) join.getRight()).operand(0)));
  }

  @Test
  void parameters() throws SQLException {
    String sql = "SELECT * FROM t WHERE a = $2 AND b = $1 AND c = $10";
    SqlNode node = SqlParsing.parse(sql);
    assertEquals(List.of(1, 0, 9), paramIndexes(node));
    List<String> texts = new ArrayList<>();
    node.accept(new SqlBasicVisitor<Void>() {
      @Override public Void visit(SqlDynamicParam param) {
        texts.add(NodeText.of(sql, param));
        return null;
      }
    });
    assertEquals(List.of("$2", "$1", "$10"), texts);
    assertEquals(List.of(0, 1), paramIndexes(SqlParsing.parse("SELECT ? FROM t WHERE a = ?")));
    SQLException mixed = assertThrows(SQLException.class,
        () -> SqlParsing.parse("SELECT * FROM t WHERE a = $1 AND b = ?"));
    assertEquals("42601", mixed.getSQLState());
    assertTrue(message(mixed).startsWith("syntax error at or near \"?\""), mixed.getMessage());
    assertThrows(SQLException.class, () -> SqlParsing.parse("SELECT ? FROM t WHERE a = $1"));
    assertThrows(SQLException.class, () -> SqlParsing.parse("SELECT $0"));
  }

  @Test
  void syntaxErrors() {
    SQLException e = assertThrows(SQLException.class, () -> SqlParsing.parse("SELEC 1"));
    assertEquals("42601", e.getSQLState());
    assertTrue(message(e).startsWith("syntax error"), e.getMessage());
    SQLException end = assertThrows(SQLException.class,
        () -> SqlParsing.parse("INSERT INTO t VALUES (1) ON CONFLICT DO"));
    assertEquals("42601", end.getSQLState());
    assertTrue(message(end).startsWith("syntax error"), end.getMessage());
  }

  @Test
  void unparsesToPostgresql() throws SQLException {
    assertEquals("INSERT INTO \"t\" (\"a\", \"b\")\nVALUES (?, 2) ON CONFLICT (\"a\")"
        + " DO UPDATE SET \"b\" = \"excluded\".\"b\" WHERE \"t\".\"b\" < 3 RETURNING *",
        unparse("insert into t (a, b) values ($1, 2) on conflict (a)"
            + " do update set b = excluded.b where t.b < 3 returning *"));
    assertEquals("INSERT INTO \"t\"\nVALUES (1) ON CONFLICT ON CONSTRAINT \"t_pkey\" DO NOTHING",
        unparse("insert into t values (1) on conflict on constraint t_pkey do nothing"));
    assertEquals("UPDATE \"t\" SET \"a\" = 1\nWHERE \"b\" = 2 RETURNING \"a\" AS \"x\"",
        unparse("update t set a = 1 where b = 2 returning a as x"));
    assertEquals("DELETE FROM \"t\" AS \"d\" RETURNING \"id\", *",
        unparse("delete from t d returning id, *"));
  }

  @Test
  void postgresIntervalType() throws SQLException {
    String sql = "SELECT '1 day'::interval, $2::interval, CAST(x AS interval), x::int8"
        + " FROM t WHERE a = $1";
    SqlSelect select = (SqlSelect) SqlParsing.parse(sql);
    for (int i = 0; i < 3; i++) {
      SqlBasicCall cast = (SqlBasicCall) select.getSelectList().get(i);
      SqlDataTypeSpec type = assertInstanceOf(SqlDataTypeSpec.class, cast.operand(1));
      assertEquals("interval", type.getTypeName().getSimple());
      assertEquals("interval", NodeText.of(sql, type));
    }
    SqlBasicCall param = (SqlBasicCall) select.getSelectList().get(1);
    assertEquals("$2", NodeText.of(sql, param.operand(0)));
    assertEquals(List.of(1, 0), paramIndexes(select));
    String jdbc = "SELECT ?::interval FROM t";
    SqlBasicCall hook = (SqlBasicCall) ((SqlSelect) SqlParsing.parse(jdbc)).getSelectList().get(0);
    assertEquals("?", NodeText.of(jdbc, hook.operand(0)));
    // Calcite's interval types, with fields, are unchanged.
    SqlBasicCall day = (SqlBasicCall) ((SqlSelect) SqlParsing.parse(
        "SELECT CAST(x AS INTERVAL DAY) FROM t")).getSelectList().get(0);
    assertInstanceOf(SqlIntervalQualifier.class, day.operand(1));
  }

  @Test
  void postgresIntervalLiteral() throws SQLException {
    String sql = "SELECT interval '1 day', INTERVAL\n  '2 hours' + now(), INTERVAL '1' DAY,"
        + " INTERVAL '1-2' YEAR TO MONTH FROM t";
    SqlSelect select = (SqlSelect) SqlParsing.parse(sql);
    SqlBasicCall pg = (SqlBasicCall) select.getSelectList().get(0);
    assertEquals(SqlKind.CAST, pg.getKind());
    assertEquals("interval '1 day'", NodeText.of(sql, pg));
    assertEquals("'1 day'", NodeText.of(sql, pg.operand(0)));
    assertEquals("1 day", ((SqlLiteral) pg.operand(0)).getValueAs(String.class));
    SqlBasicCall plus = (SqlBasicCall) select.getSelectList().get(1);
    assertEquals("INTERVAL\n  '2 hours'", NodeText.of(sql, plus.operand(0)));
    assertEquals("'2 hours'", NodeText.of(sql, ((SqlBasicCall) plus.operand(0)).operand(0)));
    SqlIntervalLiteral day = assertInstanceOf(SqlIntervalLiteral.class,
        select.getSelectList().get(2));
    assertEquals("INTERVAL '1' DAY", NodeText.of(sql, day));
    assertInstanceOf(SqlIntervalLiteral.class, select.getSelectList().get(3));
  }

  @Test
  void insertAlias() throws SQLException {
    String sql = "INSERT INTO pg_counters AS c (id, count) VALUES ($1, $2)"
        + " ON CONFLICT (id) DO UPDATE SET count = c.count + EXCLUDED.count RETURNING c.count";
    SparSqlInsert insert = (SparSqlInsert) SqlParsing.parse(sql);
    assertEquals("pg_counters", NodeText.of(sql, insert.getTargetTable()));
    assertEquals("c", NodeText.of(sql, insert.getAlias()));
    assertEquals(sql.indexOf(" c ") + 2, insert.getAlias().getParserPosition().getColumnNum());
    assertEquals(2, insert.getTargetColumnList().size());
    assertEquals(SqlKind.VALUES, insert.getSource().getKind());
    assertEquals(List.of(0, 1), paramIndexes(insert));
    SqlBasicCall sum = (SqlBasicCall) insert.getOnConflict().getSourceExpressionList().get(0);
    assertEquals(List.of("c", "count"), ((SqlIdentifier) sum.operand(0)).names);
    assertEquals(List.of("excluded", "count"), ((SqlIdentifier) sum.operand(1)).names);
    assertNull(((SparSqlInsert) SqlParsing.parse("INSERT INTO t VALUES (1)")).getAlias());
    assertEquals("INSERT INTO \"t\" AS \"x\" (\"a\")\nVALUES (1)",
        unparse("insert into t as x (a) values (1)"));
  }

  @Test
  void defaults() throws SQLException {
    String sql = "UPDATE t SET c = DEFAULT, d = ? WHERE id = ?";
    SparSqlUpdate update = (SparSqlUpdate) SqlParsing.parse(sql);
    assertEquals(SqlKind.DEFAULT, update.getSourceExpressionList().get(0).getKind());
    assertEquals("DEFAULT", NodeText.of(sql, update.getSourceExpressionList().get(0)));
    assertEquals(List.of(0, 1), paramIndexes(update));
    SparSqlInsert values = (SparSqlInsert) SqlParsing.parse("INSERT INTO t VALUES (1, DEFAULT)");
    SqlBasicCall row = (SqlBasicCall) ((SqlBasicCall) values.getSource()).operand(0);
    assertEquals(SqlKind.DEFAULT, row.operand(1).getKind());
    String all = "INSERT INTO t DEFAULT VALUES RETURNING id";
    SparSqlInsert insert = (SparSqlInsert) SqlParsing.parse(all);
    assertTrue(insert.isDefaultValues());
    assertEquals("DEFAULT VALUES", NodeText.of(all, insert.getSource()));
    assertEquals("t", NodeText.of(all, insert.getTargetTable()));
    assertEquals(1, insert.getReturning().size());
    assertEquals("INSERT INTO \"t\" (\"a\")\nDEFAULT VALUES",
        unparse("insert into t (a) default values"));
    assertTrue(!values.isDefaultValues());
  }

  @Test
  void updateRowAssignment() throws SQLException {
    String sql = "UPDATE t SET (a, b) = ($1, DEFAULT), c = 3 WHERE id = $2";
    SparSqlUpdate update = (SparSqlUpdate) SqlParsing.parse(sql);
    assertEquals(List.of("a", "b", "c"), update.getTargetColumnList().stream()
        .map(each -> ((SqlIdentifier) each).getSimple()).toList());
    assertEquals("$1", NodeText.of(sql, update.getSourceExpressionList().get(0)));
    assertEquals(SqlKind.DEFAULT, update.getSourceExpressionList().get(1).getKind());
    assertEquals(List.of(0, 1), paramIndexes(update));
    SQLException e = assertThrows(SQLException.class,
        () -> SqlParsing.parse("UPDATE t SET (a, b) = (1)"));
    assertEquals("42601", e.getSQLState());
  }

  @Test
  void returningAfterInsertSelect() throws SQLException {
    String sql = "INSERT INTO t (a) SELECT a FROM s WHERE a > $1 RETURNING id";
    SparSqlInsert insert = (SparSqlInsert) SqlParsing.parse(sql);
    SqlSelect select = (SqlSelect) insert.getSource();
    assertEquals("s", NodeText.of(sql, select.getFrom()));
    assertEquals(1, insert.getReturning().size());
    SparSqlInsert bare = (SparSqlInsert) SqlParsing.parse("INSERT INTO t SELECT * FROM s RETURNING *");
    assertInstanceOf(SqlIdentifier.class, ((SqlSelect) bare.getSource()).getFrom());
  }

  @Test
  void updateFromAndDeleteUsing() throws SQLException {
    String sql = "UPDATE t AS x SET a = o.a FROM other o, third WHERE x.id = o.id RETURNING x.a";
    SparSqlUpdate update = (SparSqlUpdate) SqlParsing.parse(sql);
    assertEquals("t", NodeText.of(sql, update.getTargetTable()));
    assertEquals("x", update.getAlias().getSimple());
    assertEquals(SqlKind.JOIN, update.getFrom().getKind());
    assertEquals(SqlKind.EQUALS, update.getCondition().getKind());
    assertEquals(1, update.getReturning().size());
    String delete = "DELETE FROM t d USING other o WHERE d.id = o.id RETURNING d.id";
    SparSqlDelete del = (SparSqlDelete) SqlParsing.parse(delete);
    assertEquals("t", NodeText.of(delete, del.getTargetTable()));
    assertEquals("d", del.getAlias().getSimple());
    assertEquals("other o", NodeText.of(delete, del.getUsing()));
    assertEquals(1, del.getReturning().size());
    assertEquals("UPDATE \"t\" AS \"x\" SET \"a\" = \"o\".\"a\"\nFROM \"o\"\nWHERE \"x\".\"id\" = 1",
        unparse("update t as x set a = o.a from o where x.id = 1"));
    assertEquals("DELETE FROM \"t\"\nUSING \"o\"\nWHERE \"t\".\"id\" = \"o\".\"id\"",
        unparse("delete from t using o where t.id = o.id"));
  }

  @Test
  void onConflictForms() throws SQLException {
    String sql = "INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT pg_counters_key DO NOTHING";
    SqlOnConflict constraint = ((SparSqlInsert) SqlParsing.parse(sql)).getOnConflict();
    assertEquals("pg_counters_key", NodeText.of(sql, constraint.getConstraint()));
    assertEquals(SqlOnConflict.Action.NOTHING, constraint.getAction());
    SqlOnConflict columns = ((SparSqlInsert) SqlParsing.parse(
        "INSERT INTO t VALUES (1) ON CONFLICT (id) DO NOTHING")).getOnConflict();
    assertEquals(1, columns.getConflictColumns().size());
    SqlOnConflict full = ((SparSqlInsert) SqlParsing.parse("INSERT INTO t VALUES (1)"
        + " ON CONFLICT (id) WHERE x > 0 DO UPDATE SET n = EXCLUDED.n, (a, b) = (1, DEFAULT)"
        + " WHERE t.n < EXCLUDED.n")).getOnConflict();
    assertEquals(SqlKind.GREATER_THAN, full.getIndexPredicate().getKind());
    assertEquals(3, full.getTargetColumnList().size());
    assertEquals(SqlKind.LESS_THAN, full.getCondition().getKind());
    SqlOnConflict any = ((SparSqlInsert) SqlParsing.parse(
        "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING")).getOnConflict();
    assertNull(any.getConflictColumns());
    assertNull(any.getConstraint());
  }

  @Test
  void limitParameters() throws SQLException {
    String sql = "SELECT * FROM t ORDER BY a LIMIT ? OFFSET ?";
    SqlOrderBy orderBy = (SqlOrderBy) SqlParsing.parse(sql);
    assertEquals(0, ((SqlDynamicParam) orderBy.fetch).getIndex());
    assertEquals(1, ((SqlDynamicParam) orderBy.offset).getIndex());
    assertEquals(sql.indexOf('?') + 1, orderBy.fetch.getParserPosition().getColumnNum());
    // Calcite's LIMIT and OFFSET take only "?"; Spar's parser reads "$n" there as well.
    String dollars = "SELECT * FROM t WHERE a = $1 ORDER BY a LIMIT $3 OFFSET $12";
    SqlOrderBy numbered = (SqlOrderBy) SqlParsing.parse(dollars);
    assertEquals(2, ((SqlDynamicParam) numbered.fetch).getIndex());
    assertEquals(11, ((SqlDynamicParam) numbered.offset).getIndex());
    assertEquals(dollars.indexOf("$12") + 1, numbered.offset.getParserPosition().getColumnNum());
    assertEquals(dollars.indexOf("$12") + 3,
        numbered.offset.getParserPosition().getEndColumnNum());
    assertThrows(SQLException.class,
        () -> SqlParsing.parse("SELECT * FROM t WHERE a = ? LIMIT $1"));
  }

  /** Returns the server-style message without the "ERROR: " severity prefix. */
  private static String message(SQLException e) {
    return e.getMessage().replaceFirst("^ERROR: ", "");
  }

  private static String unparse(String sql) throws SQLException {
    return SqlParsing.parse(sql).toSqlString(PostgresqlSqlDialect.DEFAULT).getSql();
  }

  private static List<Integer> paramIndexes(SqlNode node) {
    List<Integer> indexes = new ArrayList<>();
    node.accept(new SqlBasicVisitor<Void>() {
      @Override public Void visit(SqlDynamicParam param) {
        indexes.add(param.getIndex());
        return null;
      }
    });
    return indexes;
  }
}
