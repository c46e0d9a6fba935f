package io.spar.test.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Test case for issue 8, item 8: through {@code spar serve}, an error keeps its SQLState and
 * PostgreSQL's message, detail and hint on every RPC path. Each statement runs on an embedded
 * {@code jdbc:spar:} connection to the server's own cluster and through the Avatica remote
 * driver; both must fail with the same SQLState, and the remote message must end with the
 * embedded one.
 *
 * <p>Avatica's client decides what surrounds the server's message: {@code getMessage()} of its
 * SQLException starts with {@code Error <code> (<state>) : }, and the message of an executed
 * statement text is prefixed with {@code Error while executing SQL "…": }; both then read
 * {@value #REMOTE} followed by exactly what the server sent. {@code commit()},
 * {@code rollback()}, {@code setAutoCommit} and {@code Statement.executeBatch()} of Avatica's
 * client throw its unchecked {@link AvaticaClientRuntimeException} instead of an SQLException.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteErrorsTest {
  /** What Avatica's client puts before the message the server sent. */
  private static final String REMOTE = "Remote driver error: ";

  private ServedSpar server;
  private Connection embedded;
  private Connection remote;

  @BeforeAll
  void start() throws Exception {
    server = ServedSpar.start("spar-errors-test");
    try (Connection c = server.connect()) {
      run(c, "CREATE TABLE re_uniq (k bigint PRIMARY KEY, v text)");
      run(c, "SELECT master_create_distributed_table('re_uniq', 'k', 'hash')");
      run(c, "SELECT master_create_worker_shards('re_uniq', 4, 2)");
      run(c, "INSERT INTO re_uniq VALUES (1, 'one')");
      run(c, "CREATE TABLE re_dist (k bigint, v int)");
      run(c, "SELECT master_create_distributed_table('re_dist', 'k', 'hash')");
      run(c, "SELECT master_create_worker_shards('re_dist', 4, 2)");
      StringBuilder rows = new StringBuilder("INSERT INTO re_dist VALUES (1, 1)");
      for (int k = 2; k <= 20; k++) {
        rows.append(", (").append(k).append(", ").append(k).append(')');
      }
      run(c, rows.toString());
      run(c, "CREATE TABLE re_empty (k bigint, v text)");
      run(c, "SELECT master_create_distributed_table('re_empty', 'k', 'hash')");
      run(c, "CREATE TABLE re_deferred (k bigint,"
          + " CONSTRAINT re_deferred_k UNIQUE (k) DEFERRABLE INITIALLY DEFERRED)");
    }
  }

  /** Opens fresh connections, so that no test sees the session state another one left. */
  @BeforeEach
  void connect() throws Exception {
    embedded = server.embedded();
    remote = server.connect();
  }

  @AfterEach
  void disconnect() throws SQLException {
    embedded.close();
    remote.close();
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void uniqueViolationOnDistributedTable() {
    String sql = "INSERT INTO re_uniq VALUES (1, 'again')";
    Failure statement = assertSameError("23505", c -> execute(c, sql));
    assertTrue(statement.message().contains(REMOTE
        + "ERROR: duplicate key value violates unique constraint \"re_uniq_pkey\""),
        statement::message);
    assertTrue(statement.message().endsWith("\n  Detail: Key (k)=(1) already exists."),
        statement::message);
    assertSameError("23505", c -> prepareAndExecute(c, sql));
  }

  @Test
  void undefinedTable() {
    Failure failure = assertSameError("42P01", c -> execute(c, "SELECT * FROM re_missing"));
    assertTrue(failure.message().contains("relation \"re_missing\" does not exist"),
        failure::message);
    assertSameError("42P01", c -> prepareAndExecute(c, "SELECT * FROM re_missing WHERE k = ?"));
  }

  @Test
  void syntaxErrors() {
    assertSameError("42601", c -> execute(c, "SELEC 1"));
    assertSameError("42601", c -> execute(c, "SELECT * FROM re_dist WHERE k = = 1"));
    assertSameError("42601", c -> prepareAndExecute(c, "SELECT * FROM re_dist WHERE k = = ?"));
  }

  @Test
  void divisionByZeroOnMultiShardQuery() {
    Failure failure = assertSameError("22012",
        c -> execute(c, "SELECT k / (v - v) FROM re_dist"));
    assertTrue(failure.message().contains("division by zero"), failure::message);
  }

  @Test
  void sparRefusalKeepsItsState() {
    Failure failure = assertSameError("0A000",
        c -> execute(c, "UPDATE re_dist SET k = 5 WHERE k = 1"));
    assertTrue(failure.message().endsWith(
        REMOTE + "ERROR: modifying the partition value of rows is not allowed"),
        failure::message);
  }

  @Test
  void detailAndHintReachTheClient() {
    Failure failure = assertSameError("55000",
        c -> execute(c, "INSERT INTO re_empty VALUES (1, 'x')"));
    assertTrue(failure.message().endsWith(REMOTE + "ERROR: could not find any shards\n"
        + "  Detail: No shards exist for distributed table \"re_empty\".\n"
        + "  Hint: Run master_create_worker_shards to create shards and try again."),
        failure::message);
  }

  @Test
  void errorInsideTransactionThenAbortedTransaction() throws SQLException {
    for (Connection c : new Connection[] {embedded, remote}) {
      c.setAutoCommit(false);
    }
    try {
      assertSameError("23505", c -> execute(c, "INSERT INTO re_uniq VALUES (1, 'in block')"));
      Failure next = assertSameError("25P02", c -> execute(c, "SELECT count(*) FROM re_dist"));
      assertTrue(next.message().contains("current transaction is aborted"), next::message);
      assertSameError("25P02", c -> prepareAndExecute(c, "SELECT v FROM re_dist WHERE k = ?"));
      // Avatica's client sends changed connection properties in an RPC of their own, before
      // it creates the next statement.
      assertSameError("25P02", c -> {
        c.setSchema("re_elsewhere");
        c.createStatement().close();
      });
    } finally {
      for (Connection c : new Connection[] {embedded, remote}) {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
    assertEquals(20, countOnNewConnection("SELECT count(*) FROM re_dist"));
  }

  @Test
  void errorAtCommit() throws SQLException {
    for (Connection c : new Connection[] {embedded, remote}) {
      c.setAutoCommit(false);
    }
    try {
      Failure failure = assertSameError("23505", c -> {
        execute(c, "INSERT INTO re_deferred VALUES (7)");
        execute(c, "INSERT INTO re_deferred VALUES (7)");
        c.commit();
      });
      assertTrue(failure.message().contains(REMOTE
          + "ERROR: duplicate key value violates unique constraint \"re_deferred_k\""),
          failure::message);
    } finally {
      for (Connection c : new Connection[] {embedded, remote}) {
        c.setAutoCommit(true);
      }
    }
    assertEquals(0, countOnNewConnection("SELECT count(*) FROM re_deferred"));
  }

  @Test
  void commitAndRollbackOutsideATransaction() {
    assertSameError("25P01", Connection::commit);
    assertSameError("25P01", Connection::rollback);
  }

  @Test
  void batchErrors() throws SQLException {
    assertSameError("23505", c -> {
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO re_uniq VALUES (?, ?)")) {
        insert.setLong(1, 1);
        insert.setString(2, "batch");
        insert.addBatch();
        insert.setLong(1, 3);
        insert.setString(2, "batch");
        insert.addBatch();
        insert.executeBatch();
      }
    });
    assertSameError("23505", c -> {
      try (Statement statement = c.createStatement()) {
        statement.addBatch("INSERT INTO re_uniq VALUES (1, 'batch')");
        statement.addBatch("INSERT INTO re_uniq VALUES (3, 'batch')");
        statement.executeBatch();
      }
    });
    assertEquals(0, countOnNewConnection("SELECT count(*) FROM re_uniq WHERE k = 3"));
  }

  /** An error as the application sees it. */
  private record Failure(String sqlState, String message) {
  }

  /** A step that must fail on the connection it is given. */
  @FunctionalInterface
  private interface Step {
    void run(Connection connection) throws Exception;
  }

  /**
   * Runs {@code step} embedded and remotely; asserts both fail with {@code sqlState} and the
   * remote message ends with what the server sent, the embedded message; returns the remote
   * failure.
   */
  private Failure assertSameError(String sqlState, Step step) {
    Failure local = failure(embedded, step);
    Failure served = failure(remote, step);
    assertEquals(sqlState, local.sqlState(), local::toString);
    assertEquals(sqlState, served.sqlState(), served::toString);
    assertTrue(served.message().endsWith(REMOTE + local.message()),
        () -> "remote: " + served.message() + "\nembedded: " + local.message());
    return served;
  }

  private static Failure failure(Connection connection, Step step) {
    Throwable error = assertThrows(Throwable.class, () -> step.run(connection));
    if (error instanceof SQLException sql) {
      return new Failure(sql.getSQLState(), sql.getMessage());
    }
    if (error instanceof AvaticaClientRuntimeException avatica) {
      return new Failure(avatica.getSqlState(), avatica.getMessage());
    }
    throw new AssertionError("unexpected failure", error);
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void prepareAndExecute(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      if (sql.contains("?")) {
        statement.setLong(1, 1);
      }
      statement.execute();
    }
  }

  private static void run(Connection connection, String sql) throws SQLException {
    execute(connection, sql);
  }

  private long countOnNewConnection(String sql) throws SQLException {
    try (Connection connection = server.connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
