package io.spar.test.pgwire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.pgwire.PgWireServer;
import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: pgjdbc through Spar's PostgreSQL port, differentially against plain PostgreSQL:
 * the same statements on a distributed table (through the port) and on a plain table (straight
 * to the coordinator) give the same rows, text forms, update counts, errors and SQLStates, with
 * the simple protocol, unnamed and named server-side prepared statements, and binary transfer.
 */
class PgWireTest {
  private static final String USER = WirePort.USER;
  private static final String PASSWORD = WirePort.PASSWORD;
  private static PgWireServer server;
  private static Connection plain;

  @BeforeAll
  static void start() throws Exception {
    server = WirePort.server();
    plain = SparTestCluster.coordinator();
    Sql.run(plain, "DROP SCHEMA IF EXISTS pw_plain CASCADE");
    Sql.run(plain, "CREATE SCHEMA pw_plain");
  }

  @AfterAll
  static void stop() throws SQLException {
    plain.close();
  }

  private static Connection connect(String properties) throws SQLException {
    return WirePort.connect(properties);
  }

  @ParameterizedTest
  @ValueSource(strings = {"prepareThreshold=0&binaryTransfer=false",
      "prepareThreshold=1&binaryTransfer=true", "preferQueryMode=simple"})
  void statementsAsPostgresRunsThem(String properties) throws SQLException {
    String table = "pw_" + Math.abs(properties.hashCode() % 1000);
    try (Connection spar = connect(properties)) {
      String definition = " (k bigint PRIMARY KEY, v text, n numeric(10,2), at timestamptz,"
          + " flag boolean, tags text[], d date, f float8)";
      Sql.run(spar, "DROP TABLE IF EXISTS " + table);
      Sql.run(spar, "CREATE TABLE " + table + definition);
      Sql.run(spar, "SELECT master_create_distributed_table('" + table + "', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('" + table + "', 4, 2)");
      Sql.run(plain, "CREATE TABLE pw_plain." + table + definition);
      for (Connection each : List.of(spar, plain)) {
        String name = each == plain ? "pw_plain." + table : table;
        try (PreparedStatement insert = each.prepareStatement("INSERT INTO " + name
            + " VALUES (?, ?, ?, ?, ?, ?::text[], ?::date, ?)")) {
          for (int i = 1; i <= 30; i++) {
            insert.setLong(1, i);
            insert.setString(2, i % 7 == 0 ? null : "value " + i + " ü'\"\\");
            insert.setBigDecimal(3, new BigDecimal(i + ".5"));
            insert.setTimestamp(4, new Timestamp(1_700_000_000_000L + i * 3_600_000L));
            insert.setBoolean(5, i % 2 == 0);
            insert.setString(6, "{a,\"b c\"," + i + "}");
            insert.setString(7, "2024-02-" + (i % 28 + 1));
            insert.setDouble(8, i / 3.0);
            assertEquals(1, insert.executeUpdate());
          }
        }
      }
      same(spar, table, "SELECT * FROM %s ORDER BY k");
      same(spar, table, "SELECT k, v, n * 2, at, tags[2], d + 1, f FROM %s WHERE k = 7");
      same(spar, table, "SELECT count(*), sum(n), min(at), max(d) FROM %s");
      same(spar, table, "UPDATE %s SET n = n + 1 WHERE k > 25 RETURNING k, n");
      same(spar, table, "DELETE FROM %s WHERE k IN (1, 2, 3)");
      same(spar, table, "SELECT v FROM %s WHERE k = 1");
      for (String failing : List.of("INSERT INTO %s (k) VALUES (5)", "SELECT 1 / 0 FROM %s",
          "SELEC 1", "SELECT no_such_column FROM %s")) {
        sameError(spar, table, failing);
      }
      try (PreparedStatement select = spar.prepareStatement("SELECT v, n FROM " + table
          + " WHERE k = ?")) {
        for (int i = 4; i < 10; i++) {
          select.setLong(1, i);
          try (ResultSet rs = select.executeQuery()) {
            assertTrue(rs.next());
            assertEquals(new BigDecimal(i + ".50"), rs.getBigDecimal(2));
          }
        }
      }
    }
  }

  @Test
  void transactionsAndFailedBlocks() throws SQLException {
    try (Connection spar = connect("")) {
      Sql.run(spar, "DROP TABLE IF EXISTS pw_tx");
      Sql.run(spar, "CREATE TABLE pw_tx (k int PRIMARY KEY, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('pw_tx', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('pw_tx', 4, 2)");
      spar.setAutoCommit(false);
      Sql.run(spar, "INSERT INTO pw_tx VALUES (1, 'a'), (2, 'b')");
      spar.rollback();
      assertEquals(0, Sql.count(spar, "SELECT count(*) FROM pw_tx"));
      Sql.run(spar, "INSERT INTO pw_tx VALUES (1, 'a')");
      SQLException duplicate = assertThrows(SQLException.class,
          () -> Sql.run(spar, "INSERT INTO pw_tx VALUES (1, 'again')"));
      assertEquals("23505", duplicate.getSQLState());
      SQLException aborted = assertThrows(SQLException.class,
          () -> Sql.run(spar, "SELECT 1"));
      assertEquals("25P02", aborted.getSQLState());
      spar.rollback();
      Sql.run(spar, "INSERT INTO pw_tx VALUES (3, 'c')");
      var savepoint = spar.setSavepoint();
      Sql.run(spar, "INSERT INTO pw_tx VALUES (4, 'd')");
      spar.rollback(savepoint);
      spar.commit();
      spar.setAutoCommit(true);
      assertEquals(List.of("3"), Sql.strings(spar, "SELECT k FROM pw_tx ORDER BY k"));
    }
  }

  @Test
  void psqlRunsAScriptWithCopyAndDescribe() throws Exception {
    Path directory = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "psql-");
    Files.writeString(directory.resolve("in.csv"), "4,four,40\n5,\"fi,ve\",50\n");
    Path script = directory.resolve("script.sql");
    Files.writeString(script, String.join("\n",
        "DROP TABLE IF EXISTS pw_psql;",
        "CREATE TABLE pw_psql (id bigint PRIMARY KEY, name text NOT NULL, score int);",
        "SELECT master_create_distributed_table('pw_psql', 'id', 'hash');",
        "SELECT master_create_worker_shards('pw_psql', 4, 2);",
        "INSERT INTO pw_psql VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30);",
        "\\copy pw_psql FROM '" + directory.resolve("in.csv") + "' WITH (FORMAT csv)",
        "SELECT id, name, score FROM pw_psql ORDER BY id;",
        "\\copy (SELECT id, name FROM pw_psql ORDER BY id) TO '"
            + directory.resolve("out.csv") + "' WITH (FORMAT csv)",
        "\\d pw_psql",
        "BEGIN;",
        "UPDATE pw_psql SET score = score + 1 WHERE id = 1;",
        "ROLLBACK;",
        "SELECT sum(score) AS total FROM pw_psql;",
        "SELECT 1 AS a; SELECT 2 AS b;",
        ""));
    ProcessBuilder psql = new ProcessBuilder("psql", "-X", "-v", "ON_ERROR_STOP=1",
        "-h", "127.0.0.1", "-p", Integer.toString(server.port()), "-U", USER,
        "-d", server.database(), "-f", script.toString());
    psql.environment().put("PGPASSWORD", PASSWORD);
    psql.redirectErrorStream(true);
    Process process = psql.start();
    String output = new String(process.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), output);
    for (String expected : List.of("INSERT 0 3", "COPY 2", "  1 | one   |    10",
        "  5 | fi,ve |    50", "(5 rows)", "COPY 5", "Table \"public.pw_psql\"",
        " id     | bigint  |           | not null | ", "\"pw_psql_pkey\" PRIMARY KEY, btree (id)",
        "BEGIN", "UPDATE 1", "ROLLBACK", "   150", " a ", " b ")) {
      assertTrue(output.contains(expected), "expected \"" + expected + "\" in:\n" + output);
    }
    assertEquals("1,one\n2,two\n3,three\n4,four\n5,\"fi,ve\"\n",
        Files.readString(directory.resolve("out.csv")));
  }

  @Test
  void cancelRequestsStopTheStatementOnEveryNode() throws Exception {
    try (Connection spar = connect("")) {
      Sql.run(spar, "DROP TABLE IF EXISTS pw_cancel");
      Sql.run(spar, "CREATE TABLE pw_cancel (k int, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('pw_cancel', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('pw_cancel', 4, 1)");
      Sql.run(spar, "INSERT INTO pw_cancel SELECT g, 'v' FROM generate_series(1, 40) g");
      try (Statement sleeping = spar.createStatement()) {
        java.util.concurrent.CompletableFuture<SQLException> outcome =
            java.util.concurrent.CompletableFuture.supplyAsync(() -> {
              try {
                sleeping.execute("SELECT count(pg_sleep(30)) FROM pw_cancel");
                return null;
              } catch (SQLException e) {
                return e;
              }
            });
        awaitSleepingOnWorkers();
        sleeping.cancel(); // pgjdbc's CancelRequest, on a connection of its own
        SQLException cancelled = outcome.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("57014", cancelled.getSQLState(), cancelled.getMessage());
      }
      assertEquals(40, Sql.count(spar, "SELECT count(*) FROM pw_cancel"));
    }
    awaitNoSleepingOnWorkers();
  }

  private static long sleepingOnWorkers() throws SQLException {
    long sleeping = 0;
    for (var worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        sleeping += Sql.count(direct, "SELECT count(*) FROM pg_stat_activity"
            + " WHERE query LIKE '%pg_sleep(30)%' AND state = 'active'"
            + " AND pid <> pg_backend_pid()");
      }
    }
    return sleeping;
  }

  private static void awaitSleepingOnWorkers() throws SQLException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (sleepingOnWorkers() < SparTestCluster.WORKERS) {
      assertTrue(System.nanoTime() < deadline, "the statement never ran on every worker");
    }
  }

  private static void awaitNoSleepingOnWorkers() throws SQLException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (sleepingOnWorkers() > 0) {
      assertTrue(System.nanoTime() < deadline, "the statement still runs on a worker");
    }
  }

  @Test
  void implicitTransactionsPortalsAndBatches() throws SQLException {
    try (Connection spar = connect("preferQueryMode=simple")) {
      Sql.run(spar, "DROP TABLE IF EXISTS pw_implicit");
      Sql.run(spar, "CREATE TABLE pw_implicit (k int PRIMARY KEY, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('pw_implicit', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('pw_implicit', 4, 2)");
      // Several statements in one Query message commit or fail together, as in PostgreSQL.
      SQLException failed = assertThrows(SQLException.class, () -> Sql.run(spar,
          "INSERT INTO pw_implicit VALUES (1, 'a'); INSERT INTO pw_implicit VALUES (1, 'b')"));
      assertEquals("23505", failed.getSQLState());
      assertEquals(0, Sql.count(spar, "SELECT count(*) FROM pw_implicit"));
      Sql.run(spar, "INSERT INTO pw_implicit VALUES (1, 'a'); INSERT INTO pw_implicit"
          + " VALUES (2, 'b');");
      assertEquals(2, Sql.count(spar, "SELECT count(*) FROM pw_implicit"));
      try (Statement empty = spar.createStatement()) {
        assertEquals(false, empty.execute(";"));
      }
    }
    try (Connection spar = connect("prepareThreshold=1")) {
      // A batch between two Syncs is one transaction: a failing row undoes the others.
      try (PreparedStatement insert = spar.prepareStatement(
          "INSERT INTO pw_implicit VALUES (?, ?)")) {
        for (int k : new int[] {10, 11, 2, 12}) {
          insert.setInt(1, k);
          insert.setString(2, "batch");
          insert.addBatch();
        }
        SQLException batch = assertThrows(SQLException.class, insert::executeBatch);
        assertEquals("23505", batch.getSQLState(), batch.getMessage());
      }
      assertEquals(2, Sql.count(spar, "SELECT count(*) FROM pw_implicit"));
      Sql.run(spar, "INSERT INTO pw_implicit SELECT g, 'g' FROM generate_series(100, 399) g");
      // A fetch size makes pgjdbc read a portal 50 rows at a time (Execute with a row limit).
      spar.setAutoCommit(false);
      try (Statement select = spar.createStatement()) {
        select.setFetchSize(50);
        try (ResultSet rows = select.executeQuery("SELECT k FROM pw_implicit WHERE k >= 100"
            + " ORDER BY k")) {
          int expected = 100;
          while (rows.next()) {
            assertEquals(expected++, rows.getInt(1));
          }
          assertEquals(400, expected);
        }
      }
      spar.commit();
    }
  }

  @Test
  void aModificationWhoseRowsCannotBeSentInBinaryLeavesNothing() throws Exception {
    try (Connection spar = connect("")) {
      Sql.run(spar, "DROP TABLE IF EXISTS pw_money");
      Sql.run(spar, "CREATE TABLE pw_money (k int, m money)");
      Sql.run(spar, "SELECT master_create_distributed_table('pw_money', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('pw_money', 4, 1)");
    }
    try (RawWire wire = new RawWire(server.port(), 10_000)) {
      wire.login(USER, PASSWORD, server.database(), new java.util.Random(7));
      // Parse, Bind asking for binary results (money has no binary form here), Execute, Sync.
      java.io.ByteArrayOutputStream bind = new java.io.ByteArrayOutputStream();
      java.io.DataOutputStream out = new java.io.DataOutputStream(bind);
      out.write(RawWire.cstring(""));
      out.write(RawWire.cstring(""));
      out.writeShort(0);
      out.writeShort(0);
      out.writeShort(1);
      out.writeShort(1);
      wire.send(RawWire.concat(
          RawWire.typed('P', RawWire.concat(RawWire.cstring(""), RawWire.cstring(
              "INSERT INTO pw_money VALUES (1, 5) RETURNING m"), new byte[] {0, 0})),
          RawWire.typed('B', bind.toByteArray()),
          RawWire.typed('E', RawWire.concat(RawWire.cstring(""), new byte[] {0, 0, 0, 0})),
          RawWire.sync()));
      RawWire.Message error = wire.readUntil('E');
      assertTrue(new String(error.body(), java.nio.charset.StandardCharsets.UTF_8)
          .contains("C0A000"), new String(error.body(), java.nio.charset.StandardCharsets.UTF_8));
      wire.readUntil('Z');
    }
    try (Connection spar = connect("")) {
      assertEquals(0, Sql.count(spar, "SELECT count(*) FROM pw_money"));
    }
  }

  @Test
  void binaryCopyInAndOutAsPostgresWritesIt() throws Exception {
    String definition = " (k bigint, v text, n numeric(12,3), at timestamptz, b bytea,"
        + " tags int[], total bigint GENERATED ALWAYS AS (k * 2) STORED)";
    Sql.run(plain, "CREATE TABLE pw_plain.pw_binary" + definition);
    Sql.run(plain, "INSERT INTO pw_plain.pw_binary (k, v, n, at, b, tags) SELECT g, 'row ' || g,"
        + " g / 7.0, timestamptz '2024-02-29 10:00+00' + g * interval '1 hour',"
        + " decode(lpad(to_hex(g), 8, '0'), 'hex'), ARRAY[g, NULL, -g] FROM generate_series(1, 500) g"
        + " UNION ALL SELECT 0, NULL, NULL, NULL, NULL, NULL");
    CopyManager plainCopy = plain.unwrap(PGConnection.class).getCopyAPI();
    ByteArrayOutputStream rows = new ByteArrayOutputStream();
    plainCopy.copyOut("COPY pw_plain.pw_binary TO STDOUT (FORMAT binary)", rows);
    try (Connection spar = connect("")) {
      Sql.run(spar, "DROP TABLE IF EXISTS pw_binary");
      Sql.run(spar, "CREATE TABLE pw_binary" + definition);
      // Prepared with a Describe first (pgjdbc's named statement): the SQL API's functions are
      // described with the column they answer, not as NoData.
      try (PreparedStatement distribute = spar.prepareStatement(
          "SELECT master_create_distributed_table(?, 'k', 'hash')")) {
        distribute.setString(1, "pw_binary");
        assertEquals("master_create_distributed_table",
            distribute.getMetaData().getColumnLabel(1));
        distribute.execute();
      }
      Sql.run(spar, "SELECT master_create_worker_shards('pw_binary', 4, 2)");
      CopyManager copy = spar.unwrap(PGConnection.class).getCopyAPI();
      assertEquals(501, copy.copyIn("COPY pw_binary FROM STDIN (FORMAT binary)",
          new ByteArrayInputStream(rows.toByteArray())));
      // CopyInResponse and CopyOutResponse count the columns COPY takes, as PostgreSQL's do.
      for (String sql : List.of("COPY %s FROM STDIN (FORMAT binary)", "COPY %s (k, v) FROM STDIN",
          "COPY %s TO STDOUT (FORMAT csv)", "COPY (SELECT k, v, n FROM %s) TO STDOUT")) {
        assertEquals(fields(plainCopy, String.format(sql, "pw_plain.pw_binary")),
            fields(copy, String.format(sql, "pw_binary")), sql);
      }
      for (String sql : List.of("COPY (SELECT * FROM %s ORDER BY k) TO STDOUT (FORMAT binary)",
          "COPY (SELECT k, total, tags FROM %s ORDER BY k) TO STDOUT (FORMAT binary)")) {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        plainCopy.copyOut(String.format(sql, "pw_plain.pw_binary"), expected);
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        copy.copyOut(String.format(sql, "pw_binary"), actual);
        assertArrayEquals(expected.toByteArray(), actual.toByteArray(), sql);
      }
      // A row that does not parse fails the whole COPY, as PostgreSQL's does.
      byte[] broken = Arrays.copyOf(rows.toByteArray(), rows.size() / 2);
      SQLException error = assertThrows(SQLException.class, () -> copy.copyIn(
          "COPY pw_binary FROM STDIN (FORMAT binary)", new ByteArrayInputStream(broken)));
      SQLException plainError = assertThrows(SQLException.class, () -> plainCopy.copyIn(
          "COPY pw_plain.pw_binary FROM STDIN (FORMAT binary)", new ByteArrayInputStream(broken)));
      assertEquals(plainError.getSQLState(), error.getSQLState(), error.getMessage());
      assertEquals(501, Sql.count(spar, "SELECT count(*) FROM pw_binary"));
    }
  }

  /** Returns the column count and formats a COPY's response announced, then ends the COPY. */
  private static String fields(CopyManager copy, String sql) throws SQLException {
    CopyOperation operation = sql.contains("FROM STDIN") ? copy.copyIn(sql) : copy.copyOut(sql);
    StringBuilder fields = new StringBuilder().append(operation.getFieldCount()).append(':')
        .append(operation.getFormat());
    for (int i = 0; i < operation.getFieldCount(); i++) {
      fields.append(',').append(operation.getFieldFormat(i));
    }
    if (operation instanceof CopyIn in) {
      in.cancelCopy();
    } else {
      while (((CopyOut) operation).readFromCopy() != null) {
        // drained
      }
    }
    return fields.toString();
  }

  @Test
  void wrongPasswordsAreRefused() {
    Properties wrong = new Properties();
    wrong.setProperty("user", USER);
    wrong.setProperty("password", "not it");
    SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + server.database(), wrong));
    assertEquals("28P01", refused.getSQLState(), refused.getMessage());
    wrong.setProperty("user", "nobody");
    refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + server.database(), wrong));
    assertEquals("28P01", refused.getSQLState(), refused.getMessage());
  }

  /**
   * A notice keeps PostgreSQL's DETAIL and HINT, a worker's error with shard names turned back
   * keeps its LOCATION (file, line, routine), and SQL's PREPARE keeps its own {@code $n}
   * parameters (they used to be read as the protocol's: 42P02), in both protocols.
   */
  @ParameterizedTest
  @ValueSource(strings = {"prepareThreshold=1", "preferQueryMode=simple"})
  void noticesErrorsAndSqlPrepareAsPostgresGivesThem(String properties) throws SQLException {
    try (Connection spar = connect(properties)) {
      String raise = "DO $$ BEGIN RAISE NOTICE 'hello' USING DETAIL = 'the detail',"
          + " HINT = 'the hint'; END $$";
      List<String> notices = new ArrayList<>();
      for (Connection each : List.of(plain, spar)) {
        try (Statement statement = each.createStatement()) {
          statement.execute(raise);
          ServerErrorMessage notice = ((PSQLWarning) statement.getWarnings())
              .getServerErrorMessage();
          notices.add(notice.getSeverity() + "|" + notice.getSQLState() + "|"
              + notice.getMessage() + "|" + notice.getDetail() + "|" + notice.getHint());
        }
      }
      assertEquals("NOTICE|00000|hello|the detail|the hint", notices.get(0));
      assertEquals(notices.get(0), notices.get(1));
      for (Connection each : List.of(plain, spar)) {
        Sql.run(each, "DEALLOCATE ALL");
        Sql.run(each, "PREPARE pw_add(int, int) AS SELECT $1 + $2 AS total");
        assertEquals(List.of("42"), Sql.strings(each, "EXECUTE pw_add(40, 2)"));
        Sql.run(each, "DEALLOCATE pw_add");
      }
      Sql.run(spar, "DROP TABLE IF EXISTS pw_prepared");
      Sql.run(spar, "CREATE TABLE pw_prepared (k int PRIMARY KEY, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('pw_prepared', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('pw_prepared', 4, 1)");
      SQLException refused = assertThrows(SQLException.class, () -> Sql.run(spar,
          "PREPARE pw_read(int) AS SELECT v FROM pw_prepared WHERE k = $1"));
      assertEquals("0A000", refused.getSQLState(), refused.getMessage());
      Sql.run(plain, "DROP TABLE IF EXISTS pw_plain.pw_prepared");
      Sql.run(plain, "CREATE TABLE pw_plain.pw_prepared (k int PRIMARY KEY, v text)");
      List<String> duplicates = new ArrayList<>();
      for (Connection each : List.of(plain, spar)) {
        String table = each == plain ? "pw_plain.pw_prepared" : "pw_prepared";
        Sql.run(each, "INSERT INTO " + table + " VALUES (1, 'one')");
        PSQLException duplicate = assertThrows(PSQLException.class,
            () -> Sql.run(each, "INSERT INTO " + table + " VALUES (1, 'again')"));
        ServerErrorMessage error = duplicate.getServerErrorMessage();
        duplicates.add(String.join("|", error.getSQLState(), error.getMessage(),
            error.getDetail(), error.getTable(), error.getConstraint(), error.getFile(),
            Integer.toString(error.getLine()), error.getRoutine()));
      }
      assertTrue(duplicates.get(0).endsWith("_bt_check_unique"), duplicates.get(0));
      assertEquals(duplicates.get(0), duplicates.get(1));
    }
  }

  private static void same(Connection spar, String table, String sql) throws SQLException {
    assertEquals(Sql.outcome(plain, String.format(sql, "pw_plain." + table)),
        Sql.outcome(spar, String.format(sql, table)), sql);
  }

  private static void sameError(Connection spar, String table, String sql) {
    SQLException expected = assertThrows(SQLException.class,
        () -> Sql.outcome(plain, String.format(sql, "pw_plain." + table)));
    SQLException actual = assertThrows(SQLException.class,
        () -> Sql.outcome(spar, String.format(sql, table)));
    assertEquals(expected.getSQLState(), actual.getSQLState(), sql);
    assertEquals(expected.getMessage().replace("pw_plain.", ""),
        actual.getMessage().replace("pw_plain.", ""), sql);
  }
}
