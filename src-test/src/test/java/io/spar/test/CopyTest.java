package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spar.jdbc.SparConnection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

/**
 * Issue 11's COPY: the same COPY runs through Spar's COPY API into a distributed table and
 * through pgjdbc's into a plain table on the coordinator; rows, counts, output and errors
 * (SQLState, message and the failing line) must be equal, and a failed COPY writes nothing.
 */
class CopyTest {
  private static Connection spar;
  private static Connection plain;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    plain = SparTestCluster.coordinator();
    Sql.run(spar, "DROP TABLE IF EXISTS cp_dist");
    Sql.run(plain, "DROP TABLE IF EXISTS cp_plain");
    String columns = " (k bigint NOT NULL, v text, n numeric, d date, flag boolean)";
    Sql.run(spar, "CREATE TABLE cp_dist" + columns);
    Sql.run(spar, "SELECT master_create_distributed_table('cp_dist', 'k', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('cp_dist', 4, 2)");
    Sql.run(plain, "CREATE TABLE cp_plain" + columns);
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
    plain.close();
  }

  @Test
  void textCsvAndBinaryLoadTheSameRows() throws Exception {
    truncate();
    String text = "1\tplain\t1.5\t2026-12-02\tt\n"
        + "2\ttab\\there\\nnewline \\\\ back\t\\N\t\\N\tf\n"
        + "3\t\\x41\\101\t-0\t2000-01-01\t\\N\n";
    same("COPY %s FROM STDIN", text);
    String csv = "k,v,n,d,flag\n"
        + "10,\"quoted, with comma\",2,2026-01-01,true\n"
        + "11,\"two\nlines\",,2026-01-02,\n"
        + "12,\"\"\"q\"\"\",3.25,,false\n"
        + "13,,4,2026-01-03,true\n";
    same("COPY %s FROM STDIN WITH (FORMAT csv, HEADER true)", csv);
    same("COPY %s (v, k) FROM STDIN (FORMAT csv, DELIMITER ';')", "x;20\ny;21\n");
    same("COPY %s FROM STDIN CSV", "30,legacy,1,2026-02-02,t\n\\.\n");
    StringBuilder many = new StringBuilder();
    for (int i = 100; i < 3000; i++) {
      many.append(i).append("\trow ").append(i).append('\t').append(i % 7).append("\t\\N\tt\n");
    }
    same("COPY %s FROM STDIN", many.toString());
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    plain.unwrap(PGConnection.class).getCopyAPI().copyOut(
        "COPY (SELECT k + 5000, v, n, d, flag FROM cp_plain WHERE k < 40) TO STDOUT"
            + " (FORMAT binary)", binary);
    long copied = copyIn(spar, "COPY cp_dist FROM STDIN (FORMAT binary)", binary.toByteArray());
    assertEquals(copyIn(plain, "COPY cp_plain FROM STDIN (FORMAT binary)",
        binary.toByteArray()), copied);
    assertSameRows();
  }

  @Test
  void aBadRowFailsTheWholeCopyWithItsLine() throws Exception {
    truncate();
    same("COPY %s FROM STDIN", "1\ta\t1\t\\N\tt\n");
    StringBuilder rows = new StringBuilder();
    for (int i = 2; i < 200; i++) {
      rows.append(i).append("\tok\t").append(i == 150 ? "not a number" : "1").append("\t\\N\tt\n");
    }
    sameError("COPY %s FROM STDIN", rows.toString());
    sameError("COPY %s FROM STDIN", "5\tok\t1\n");
    sameError("COPY %s FROM STDIN", "6\tok\t1\t\\N\tt\nseven\tok\t1\t\\N\tt\n");
    sameError("COPY %s FROM STDIN (FORMAT csv)", "8,ok,1,,t\n,no key,1,,t\n");
    assertSameRows();
  }

  @Test
  void copyJoinsTheTransaction() throws Exception {
    truncate();
    spar.setAutoCommit(false);
    try {
      copyIn(spar, "COPY cp_dist FROM STDIN", "1\ta\t1\t\\N\tt\n".getBytes(StandardCharsets.UTF_8));
      assertEquals(List.of(1L), Sql.longs(spar, "SELECT count(*) FROM cp_dist"));
      spar.rollback();
      assertEquals(List.of(0L), Sql.longs(spar, "SELECT count(*) FROM cp_dist"));
      copyIn(spar, "COPY cp_dist FROM STDIN", "2\tb\t1\t\\N\tt\n".getBytes(StandardCharsets.UTF_8));
      Sql.run(spar, "UPDATE cp_dist SET v = 'c' WHERE k = 2");
      spar.commit();
    } finally {
      spar.setAutoCommit(true);
    }
    assertEquals(List.of("c"), Sql.strings(spar, "SELECT v FROM cp_dist WHERE k = 2"));
    Placements.assertIdentical(spar, "cp_dist");
  }

  @Test
  void copyOutWritesEveryShardsRows() throws Exception {
    truncate();
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      rows.append(i).append("\tv,").append(i).append("\t").append(i).append(".5\t2026-12-02\tt\n");
    }
    same("COPY %s FROM STDIN", rows.toString());
    for (String options : List.of("", " (FORMAT csv, HEADER true)", " WITH CSV HEADER")) {
      StringWriter out = new StringWriter();
      long count = ((SparConnection) spar).getCopyAPI().copyOut("COPY cp_dist TO STDOUT"
          + options, out);
      StringWriter expected = new StringWriter();
      plain.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY cp_plain TO STDOUT"
          + options, expected);
      assertEquals(100, count);
      assertEquals(sortedAfterHeader(expected.toString(), !options.isEmpty()),
          sortedAfterHeader(out.toString(), !options.isEmpty()), options);
    }
    for (String query : List.of("COPY (SELECT k, v, n * 2 AS twice FROM %s WHERE k < 20"
        + " ORDER BY k) TO STDOUT (FORMAT csv, HEADER true)",
        "COPY (SELECT d, count(*) FROM %s GROUP BY d ORDER BY d) TO STDOUT")) {
      StringWriter out = new StringWriter();
      long count = ((SparConnection) spar).getCopyAPI().copyOut(String.format(query,
          "cp_dist"), out);
      StringWriter expected = new StringWriter();
      assertEquals(plain.unwrap(PGConnection.class).getCopyAPI().copyOut(String.format(query,
          "cp_plain"), expected), count, query);
      assertEquals(expected.toString(), out.toString(), query);
    }
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    ((SparConnection) spar).getCopyAPI().copyOut("COPY cp_dist (k, v) TO STDOUT (FORMAT binary)",
        binary);
    Sql.run(plain, "TRUNCATE cp_plain");
    assertEquals(100, copyIn(plain, "COPY cp_plain (k, v) FROM STDIN (FORMAT binary)",
        binary.toByteArray()));
  }

  // ---------------------------------------------------------------------------------------------

  private static void truncate() throws SQLException {
    Sql.run(spar, "TRUNCATE cp_dist");
    Sql.run(plain, "TRUNCATE cp_plain");
  }

  private static void same(String sql, String data) throws Exception {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    assertEquals(copyIn(plain, String.format(sql, "cp_plain"), bytes),
        ((SparConnection) spar).getCopyAPI().copyIn(String.format(sql, "cp_dist"),
            new StringReader(data)), sql);
    assertSameRows();
  }

  private static void sameError(String sql, String data) throws Exception {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    PSQLException expected = assertThrows(PSQLException.class,
        () -> copyIn(plain, String.format(sql, "cp_plain"), bytes));
    PSQLException actual = assertThrows(PSQLException.class,
        () -> copyIn(spar, String.format(sql, "cp_dist"), bytes));
    assertEquals(expected.getSQLState(), actual.getSQLState(), data);
    assertEquals(expected.getServerErrorMessage().getMessage(),
        actual.getServerErrorMessage().getMessage().replace("cp_dist", "cp_plain"), data);
    org.junit.jupiter.api.Assertions.assertNotNull(expected.getServerErrorMessage().getWhere());
    assertEquals(lineOf(expected.getServerErrorMessage().getWhere()),
        lineOf(actual.getServerErrorMessage().getWhere()), data);
  }

  private static String lineOf(String where) {
    return where == null ? null : where.replaceAll("^COPY [^,]+, (line \\d+).*$", "$1");
  }

  private static long copyIn(Connection connection, String sql, byte[] data) throws Exception {
    if (connection instanceof SparConnection) {
      return ((SparConnection) connection).getCopyAPI().copyIn(sql,
          new ByteArrayInputStream(data));
    }
    return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql,
        new ByteArrayInputStream(data));
  }

  private static void assertSameRows() throws SQLException {
    assertEquals(Sql.strings(plain, "SELECT t::text FROM cp_plain t ORDER BY k, v"),
        Sql.strings(spar, "SELECT t::text FROM cp_dist t ORDER BY k, v"));
  }

  private static List<String> sortedAfterHeader(String output, boolean header) {
    List<String> lines = Arrays.asList(output.split("\n"));
    List<String> rows = lines.subList(header && output.startsWith("k") ? 1 : 0, lines.size());
    return java.util.stream.Stream.concat(
        header && output.startsWith("k") ? java.util.stream.Stream.of(lines.get(0))
            : java.util.stream.Stream.empty(), rows.stream().sorted()).toList();
  }
}
