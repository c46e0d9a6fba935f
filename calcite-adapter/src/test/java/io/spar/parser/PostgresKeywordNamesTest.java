package io.spar.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Test case for issue 8, item 9: every word PostgreSQL 15 lets a column be named (its
 * unreserved and column-name keywords, listed in {@code postgresql-15-column-name-keywords.txt})
 * names a column in every position a column name can take, and reads as that column.
 *
 * <p>What the grammar gives up for this is asserted too, each a clean syntax error: a window
 * frame right after {@code OVER (} (ROWS and RANGE are names there, as in "OVER (w ROWS ...)"),
 * Calcite's {@code NEXT VALUE FOR}, and a FROM alias or WITH name spelled like a keyword that
 * "(" makes one ({@code exists}, {@code grouping}, {@code rollup}, {@code values}) followed by a
 * column list.
 */
class PostgresKeywordNamesTest {
  /** Statements with {@code @} where a column (or table or alias) name goes. */
  private static final List<String> TEMPLATES = List.of(
      "SELECT @ FROM kw",
      "SELECT @, x FROM kw WHERE @ = 1",
      "SELECT sum(@) FROM kw",
      "SELECT count(DISTINCT @), max(@) FROM kw GROUP BY @ ORDER BY @",
      "SELECT kw.@ FROM kw WHERE kw.@ > 0 ORDER BY kw.@",
      "SELECT t.@ FROM kw t",
      "SELECT x FROM kw WHERE (@) > 1",
      "SELECT coalesce(@, 0) FROM kw",
      "SELECT x FROM kw GROUP BY x, @",
      "SELECT x FROM kw GROUP BY @",
      "SELECT x FROM kw ORDER BY x, @ DESC",
      "SELECT x FROM kw ORDER BY @",
      "SELECT @ AS y FROM kw",
      "SELECT x AS @ FROM kw",
      "SELECT x FROM kw @",
      "SELECT x FROM @",
      "SELECT x FROM kw WHERE @ IN (1, 2) AND @ IS NOT NULL",
      "SELECT @ + 1, -@, @::text FROM kw",
      "SELECT x FROM kw WHERE @ BETWEEN 1 AND 5",
      "SELECT sum(x) OVER (PARTITION BY @ ORDER BY @) FROM kw",
      "SELECT x FROM kw WHERE x = 1 FOR UPDATE OF @",
      "INSERT INTO kw (x, @) VALUES (1, 2)",
      "INSERT INTO kw (@) VALUES (1) ON CONFLICT (@) DO UPDATE SET @ = excluded.@",
      "INSERT INTO kw AS @ (x) VALUES (1) RETURNING @.x, @",
      "UPDATE kw SET @ = 1 WHERE x = 1",
      "UPDATE kw SET x = 1, @ = @ + 1 WHERE @ = 1 RETURNING @",
      "UPDATE kw AS @ SET x = @.x + 1",
      "DELETE FROM kw WHERE @ = 1 RETURNING @");

  static List<String> words() throws IOException {
    List<String> words = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(
        PostgresKeywordNamesTest.class.getResourceAsStream(
            "postgresql-15-column-name-keywords.txt"), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.startsWith("#") && !line.isBlank()) {
          words.add(line.split(" ")[0]);
        }
      }
    }
    return words;
  }

  @Test
  void listIsPostgresql15s() throws IOException {
    // 309 unreserved and 51 column-name keywords.
    assertEquals(360, words().size());
  }

  @ParameterizedTest
  @MethodSource("words")
  void namesAColumnEverywhere(String word) {
    List<String> failures = new ArrayList<>();
    for (String template : TEMPLATES) {
      for (String spelling : List.of(word, word.toUpperCase(java.util.Locale.ROOT))) {
        String sql = template.replace("@", spelling);
        try {
          Set<String> names = identifierNames(SqlParsing.parse(sql));
          if (!names.contains(word)) {
            failures.add(sql + " (parsed without a name " + word + ": " + names + ")");
          }
        } catch (SQLException e) {
          failures.add(sql + " (" + e.getMessage() + ")");
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void wordsThatStartProductionsAreKeywordsOnlyInTheirContext() throws SQLException {
    assertEquals(SqlKind.EXISTS, where("SELECT x FROM t WHERE EXISTS (SELECT 1)").getKind());
    assertEquals(SqlKind.EXISTS,
        where("SELECT x FROM t WHERE exists/* c */\n-- d\n(SELECT 1)").getKind());
    assertEquals(SqlKind.EQUALS, where("SELECT x FROM t WHERE exists = 1").getKind());
    SqlSelect values = (SqlSelect) SqlParsing.parse("SELECT * FROM (VALUES(1), (2)) v (a)");
    assertEquals(SqlKind.VALUES,
        ((SqlBasicCall) ((SqlBasicCall) values.getFrom()).operand(0)).getKind());
    SqlSelect grouped = (SqlSelect) SqlParsing.parse(
        "SELECT a FROM t GROUP BY CUBE (a), ROLLUP(b), GROUPING SETS ((a), ()), cube, rollup");
    assertEquals(List.of(SqlKind.CUBE, SqlKind.ROLLUP, SqlKind.GROUPING_SETS,
        SqlKind.IDENTIFIER, SqlKind.IDENTIFIER),
        grouped.getGroup().stream().map(SqlNode::getKind).toList());
    SqlParsing.parse("SELECT grouping(a), partition FROM t GROUP BY ROLLUP (a), partition");
    assertTrue(unparse("SELECT sum(x) OVER (partition\n  by a) FROM t").contains("PARTITION BY"));
    assertTrue(unparse("SELECT CAST('1' AS interval day)").contains("INTERVAL DAY"));
    assertEquals("IS UNKNOWN",
        ((SqlBasicCall) where("SELECT x FROM t WHERE b IS\tUNKNOWN")).getOperator().getName());
    assertEquals("IS NOT UNKNOWN", ((SqlBasicCall) where(
        "SELECT x FROM t WHERE b IS NOT /* c */ unknown")).getOperator().getName());
    assertEquals(SqlKind.IS_NULL, where("SELECT x FROM t WHERE unknown IS NULL").getKind());
    assertTrue(unparse("SELECT '1'::interval, interval * 2 FROM t").contains("\"interval\" * 2"));
    SparSqlInsert insert = assertInstanceOf(SparSqlInsert.class,
        SqlParsing.parse("INSERT INTO t DEFAULT VALUES"));
    assertTrue(insert.isDefaultValues());
  }

  @Test
  void keywordCutFromItsContextKeepsPositions() throws SQLException {
    String sql = "SELECT a FROM t\nWHERE EXISTS\n  (SELECT 1 FROM s)"
        + " AND b IN (SELECT c FROM u GROUP BY ROLLUP (c))";
    SqlBasicCall and = (SqlBasicCall) where(sql);
    SqlBasicCall exists = and.operand(0);
    assertEquals(2, exists.getParserPosition().getLineNum());
    assertEquals(7, exists.getParserPosition().getColumnNum());
    SqlSelect sub = (SqlSelect) exists.operand(0);
    assertEquals(3, sub.getFrom().getParserPosition().getLineNum());
    assertEquals(18, sub.getFrom().getParserPosition().getColumnNum());
  }

  @Test
  void keywordsSplitFromOneTokenKeepTheirPositions() throws SQLException {
    String sql = "SELECT a FROM t WHERE b IS\r\n  NOT -- c\n\tUNKNOWN AND a = 1";
    SqlBasicCall and = (SqlBasicCall) where(sql);
    SqlBasicCall test = and.operand(0);
    assertEquals("IS NOT UNKNOWN", test.getOperator().getName());
    SqlBasicCall equals = and.operand(1);
    assertEquals(3, equals.operand(0).getParserPosition().getLineNum());
    assertEquals(14, equals.operand(0).getParserPosition().getColumnNum());
  }

  @Test
  void formsGivenUpAreSyntaxErrors() throws SQLException {
    for (String sql : List.of(
        "SELECT sum(x) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t",
        "SELECT sum(x) OVER (RANGE UNBOUNDED PRECEDING) FROM t",
        "SELECT NEXT VALUE FOR s",
        "SELECT * FROM t AS values (a)",
        "WITH exists (a) AS (SELECT 1) SELECT * FROM t",
        "UPDATE t set SET x = 1")) {
      SQLException e = assertThrows(SQLException.class, () -> SqlParsing.parse(sql), sql);
      assertEquals("42601", e.getSQLState(), sql);
    }
    // The same frames after PARTITION BY or ORDER BY, where PostgreSQL needs them, still parse.
    SqlParsing.parse("SELECT sum(x) OVER (PARTITION BY a ROWS BETWEEN UNBOUNDED PRECEDING"
        + " AND CURRENT ROW), sum(x) OVER (ORDER BY a RANGE BETWEEN 1 PRECEDING AND CURRENT ROW)"
        + " FROM t");
  }

  private static SqlNode where(String sql) throws SQLException {
    return ((SqlSelect) SqlParsing.parse(sql)).getWhere();
  }

  private static String unparse(String sql) throws SQLException {
    return SqlParsing.parse(sql)
        .toSqlString(org.apache.calcite.sql.dialect.PostgresqlSqlDialect.DEFAULT).getSql();
  }

  private static Set<String> identifierNames(SqlNode node) {
    Set<String> names = new HashSet<>();
    node.accept(new SqlBasicVisitor<Void>() {
      @Override public Void visit(SqlIdentifier id) {
        names.addAll(id.names);
        return null;
      }
    });
    return names;
  }
}
