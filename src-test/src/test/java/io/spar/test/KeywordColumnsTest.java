package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 8, item 9: {@code SELECT sum(value) FROM kw} was a syntax error. Every
 * word PostgreSQL 15 lets a column be named (the list the parser's unit test reads) names a
 * column of a distributed table, through the router and across shards, in select lists,
 * WHERE, GROUP BY, ORDER BY, aggregates, qualified names, INSERT column lists, UPDATE SET and
 * RETURNING; each answer is checked, so a word read as something else fails.
 */
class KeywordColumnsTest {
  static Connection spar;
  static List<String> words;

  @BeforeAll
  static void setUp() throws SQLException, IOException {
    spar = SparTestCluster.spar();
    words = words();
    Sql.run(spar, "DROP TABLE IF EXISTS kw_cols");
    Sql.run(spar, "CREATE TABLE kw_cols (id bigint, " + words.stream()
        .map(w -> "\"" + w + "\" int").collect(Collectors.joining(", ")) + ")");
    Sql.run(spar, "SELECT master_create_distributed_table('kw_cols', 'id', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('kw_cols', 4, 1)");
    for (int id = 1; id <= 4; id++) {
      int value = id;
      assertEquals(1, Sql.update(spar, "INSERT INTO kw_cols (id, " + String.join(", ", words)
          + ") VALUES (" + id + words.stream().map(w -> ", " + value).collect(
              Collectors.joining()) + ")"));
    }
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void everyWordNamesAColumnOnEveryPath() {
    List<String> failures = new ArrayList<>();
    for (String w : words) {
      check(failures, List.of("3"), "SELECT kw_cols." + w + ", " + w
          + " FROM kw_cols WHERE id = 3 AND " + w + " = 3 ORDER BY " + w);
      check(failures, List.of("2", "3", "4"), "SELECT " + w + " FROM kw_cols k WHERE k." + w
          + " >= 2 GROUP BY " + w + " ORDER BY " + w);
      check(failures, List.of("9"), "SELECT sum(" + w + ") FROM kw_cols WHERE " + w + " > 1");
      check(failures, List.of("4"), "UPDATE kw_cols SET " + w + " = " + w
          + " + 0 WHERE id = 4 RETURNING " + w);
    }
    assertEquals(List.of(), failures);
  }

  /**
   * Columns named like functions that Calcite, unlike PostgreSQL, calls without parentheses
   * were read as those functions on the Calcite path: {@code SELECT pi FROM t} answered
   * 3.14159... A real niladic function of PostgreSQL's still is one.
   */
  @Test
  void namesCalciteCallsWithoutParenthesesAreColumns() throws SQLException {
    Sql.run(spar, "DROP TABLE IF EXISTS kw_niladic");
    Sql.run(spar, "CREATE TABLE kw_niladic (id int, pi int, current_path int, system_user int)");
    Sql.run(spar, "SELECT master_create_distributed_table('kw_niladic', 'id', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('kw_niladic', 4, 1)");
    Sql.run(spar, "INSERT INTO kw_niladic VALUES (1, 7, 8, 9), (2, 7, 8, 9)");
    List<String> failures = new ArrayList<>();
    Map<String, String> values = Map.of("pi", "7", "current_path", "8", "system_user", "9");
    values.forEach((column, value) -> {
      check(failures, List.of(value), "SELECT DISTINCT " + column + " FROM kw_niladic");
      check(failures, List.of(value), "SELECT max(" + column + ") FROM kw_niladic");
    });
    assertEquals(List.of(), failures);
    assertEquals(List.of("1"), Sql.strings(spar,
        "SELECT count(DISTINCT current_user) FROM kw_niladic"));
  }

  private static void check(List<String> failures, List<String> expected, String sql) {
    try {
      List<String> actual = Sql.strings(spar, sql);
      if (!actual.equals(expected)) {
        failures.add(sql + " returned " + actual);
      }
    } catch (SQLException e) {
      failures.add(sql + ": " + e.getSQLState() + " " + e.getMessage());
    }
  }

  /** Returns the words of the parser's unit test list (the module's tests run in src-test). */
  private static List<String> words() throws IOException {
    List<String> result = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("..", "calcite-adapter", "src", "test",
        "resources", "io", "spar", "parser", "postgresql-15-column-name-keywords.txt"))) {
      if (!line.startsWith("#") && !line.isBlank()) {
        result.add(line.split(" ")[0]);
      }
    }
    return result;
  }
}
