package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.test.server.ServedSpar;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8: the session-semantics differential test. A scripted matrix of JDBC
 * calls and SQL transaction commands (autocommit on, off and toggled, commit, rollback, errors
 * inside and outside blocks, savepoints, isolation levels, read-only, prepared statements and
 * batches, on local and distributed tables, routed and multi-shard statements) runs on Spar and
 * on plain PostgreSQL through pgjdbc. After every step the observable state must be equal: the
 * step's outcome (rows, update count, warnings, or the error's SQLState and message) and the
 * rows a second connection sees in every table. Whether the next statement succeeds is the next
 * step's outcome.
 *
 * <p>The matrix runs embedded ({@code jdbc:spar:}) and through {@code spar serve} with Avatica's
 * remote driver. Remotely, steps that Avatica's client cannot express are left out, because
 * its protocol has no such request: JDBC savepoints (its client throws
 * SQLFeatureNotSupportedException), warnings (not transported), and closing a connection right
 * after {@code setAutoCommit(true)} (the client sends the change only with the next
 * statement). Both runs report how many steps they compared.
 */
class SessionSemanticsTest {
  private static final String REFERENCE_SCHEMA = "session_reference";
  private static final String[] TABLES = {"ss_rep", "ss_one", "ss_local"};
  private static final int MAX_SHOWN = 12;

  private static ServedSpar served;

  /** Where a matrix runs: Spar (embedded or served) or the reference PostgreSQL. */
  interface Target {
    Connection open() throws SQLException;

    boolean remote();
  }

  /** One step: a JDBC call or statement on the scenario's connections; returns its outcome. */
  interface Action {
    String run(Session session) throws Exception;
  }

  record Step(String label, Action action, boolean remoteToo) {
  }

  record Scenario(String name, List<Step> steps) {
  }

  /** The connections of one scenario run on one target. */
  static final class Session implements AutoCloseable {
    final Target target;
    Connection subject;
    final Connection observer;
    final Connection other;
    final Map<String, Savepoint> savepoints = new HashMap<>();
    /** Whether the matrix runs remotely, where only what Avatica's client can show counts. */
    final boolean remote;

    Session(Target target, boolean remote) throws SQLException {
      this.target = target;
      this.remote = remote;
      this.subject = target.open();
      this.observer = target.open();
      this.other = target.open();
    }

    @Override
    public void close() throws SQLException {
      subject.close();
      observer.close();
      other.close();
    }
  }

  @BeforeAll
  static void createTables() throws Exception {
    try (Connection reference = SparTestCluster.coordinator(); Statement s =
        reference.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + REFERENCE_SCHEMA + " CASCADE");
      s.execute("CREATE SCHEMA " + REFERENCE_SCHEMA);
      s.execute("SET search_path TO " + REFERENCE_SCHEMA);
      createTables(s, false);
    }
    try (Connection spar = SparTestCluster.spar(); Statement s = spar.createStatement()) {
      createTables(s, true);
    }
  }

  private static void createTables(Statement s, boolean distribute) throws SQLException {
    for (String each : TABLES) {
      s.execute("DROP TABLE IF EXISTS " + each);
      s.execute("CREATE TABLE " + each + " (k int PRIMARY KEY, v text)");
    }
    if (distribute) {
      s.execute("SELECT master_create_distributed_table('ss_rep', 'k', 'hash')");
      s.execute("SELECT master_create_worker_shards('ss_rep', 4, 2)");
      s.execute("SELECT master_create_distributed_table('ss_one', 'k', 'hash')");
      s.execute("SELECT master_create_worker_shards('ss_one', 4, 1)");
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (served != null) {
      served.close();
    }
  }

  @Test
  void embeddedSparBehavesAsPostgreSql() throws Exception {
    int steps = compare(new Target() {
      @Override
      public Connection open() throws SQLException {
        return SparTestCluster.spar();
      }

      @Override
      public boolean remote() {
        return false;
      }
    });
    System.out.println("SessionSemanticsTest embedded: " + steps + " steps compared");
    assertTrue(steps >= 200, "at least 200 steps: " + steps);
  }

  @Test
  void servedSparBehavesAsPostgreSql() throws Exception {
    served = ServedSpar.start("session-semantics");
    try (Connection c = served.connect(); Statement s = c.createStatement()) {
      createTables(s, true);
    }
    int steps = compare(new Target() {
      @Override
      public Connection open() throws SQLException {
        return served.connect();
      }

      @Override
      public boolean remote() {
        return true;
      }
    });
    System.out.println("SessionSemanticsTest through spar serve: " + steps + " steps compared");
    assertTrue(steps >= 150, "at least 150 steps: " + steps);
  }

  /** Runs every scenario on {@code spar} and on the reference; returns the steps compared. */
  private static int compare(Target spar) throws Exception {
    Target reference = new Target() {
      @Override
      public Connection open() throws SQLException {
        Connection connection = SparTestCluster.coordinator();
        try (Statement s = connection.createStatement()) {
          s.execute("SET search_path TO " + REFERENCE_SCHEMA);
        }
        return connection;
      }

      @Override
      public boolean remote() {
        return false;
      }
    };
    List<String> differences = new ArrayList<>();
    int compared = 0;
    for (Scenario scenario : SessionScenarios.all()) {
      List<String> expected = run(scenario, reference, spar.remote());
      List<String> actual = run(scenario, spar, spar.remote());
      for (int i = 0; i < expected.size(); i++) {
        compared++;
        String got = i < actual.size() ? actual.get(i) : "(no outcome)";
        if (!expected.get(i).equals(got)) {
          differences.add(scenario.name() + ", step " + (i + 1) + "\n    PostgreSQL: "
              + expected.get(i) + "\n    Spar:       " + got);
          break;
        }
      }
    }
    if (!differences.isEmpty()) {
      throw new AssertionError(differences.size() + " scenario(s) differ from PostgreSQL:\n  "
          + String.join("\n  ", differences.subList(0, Math.min(MAX_SHOWN,
              differences.size()))));
    }
    return compared;
  }

  /** Runs {@code scenario} on a fresh session of {@code target}; returns one line per step. */
  private static List<String> run(Scenario scenario, Target target, boolean remote)
      throws Exception {
    reset(target);
    List<String> outcomes = new ArrayList<>();
    try (Session session = new Session(target, remote)) {
      for (Step each : scenario.steps()) {
        if (remote && !each.remoteToo()) {
          continue;
        }
        String outcome;
        try {
          outcome = each.action().run(session);
        } catch (SQLException e) {
          outcome = describe(e);
        } catch (RuntimeException e) {
          // Avatica's remote client throws some server errors unchecked.
          outcome = describe(new SQLException(e.getMessage(), sqlState(e), e));
        }
        outcomes.add(each.label() + " -> " + outcome + " | seen: " + observe(session));
      }
    }
    return outcomes;
  }

  private static void reset(Target target) throws SQLException {
    try (Connection c = target.open(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE ss_rep, ss_one, ss_local");
      for (String each : TABLES) {
        s.execute("INSERT INTO " + each + " VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')");
      }
    }
  }

  /** Returns what a second connection sees in every table. */
  private static String observe(Session session) throws SQLException {
    List<String> tables = new ArrayList<>();
    for (String each : TABLES) {
      tables.add(each + rows(session.observer, "SELECT k, v FROM " + each + " ORDER BY k"));
    }
    return String.join(" ", tables);
  }

  static String rows(Connection connection, String sql) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rows(rs);
    }
  }

  static String rows(ResultSet rs) throws SQLException {
    List<String> rows = new ArrayList<>();
    int width = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      List<String> values = new ArrayList<>();
      for (int i = 1; i <= width; i++) {
        values.add(rs.getString(i));
      }
      rows.add(String.join(",", values));
    }
    return rows.toString();
  }

  /** Returns the outcome of {@code sql} run with {@link Statement#execute}. */
  static String execute(Session session, String sql) throws SQLException {
    try (Statement s = session.subject.createStatement()) {
      boolean rows = s.execute(sql);
      String result = rows ? "rows " + rows(s.getResultSet()) : "count " + s.getUpdateCount();
      return result + warnings(session, s.getWarnings());
    }
  }

  /** Returns the outcome of the prepared statement {@code sql} with {@code parameters}. */
  static String prepared(Session session, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement s = session.subject.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setObject(i + 1, parameters[i]);
      }
      boolean rows = s.execute();
      return rows ? "rows " + rows(s.getResultSet()) : "count " + s.getUpdateCount();
    }
  }

  /** Returns the outcome of a batch of {@code sql}, one parameter set per key. */
  static String batch(Session session, String sql, int... keys) throws SQLException {
    try (PreparedStatement s = session.subject.prepareStatement(sql)) {
      for (int each : keys) {
        s.setInt(1, each);
        s.setString(2, "batch" + each);
        s.addBatch();
      }
      int[] counts = s.executeBatch();
      return "batch " + java.util.Arrays.toString(counts);
    } catch (SQLException e) {
      // pgjdbc throws a BatchUpdateException with the entry's error next; Avatica's client the
      // error itself.
      SQLException cause = e instanceof BatchUpdateException && e.getNextException() != null
          ? e.getNextException() : e;
      return "batch failed " + describe(cause);
    }
  }

  private static String warnings(Session session, SQLWarning warning) {
    if (session.remote) {
      return "";
    }
    List<String> states = new ArrayList<>();
    for (SQLWarning each = warning; each != null; each = each.getNextWarning()) {
      states.add(each.getSQLState() + " " + each.getMessage());
    }
    return states.isEmpty() ? "" : " warnings " + states;
  }

  private static String sqlState(RuntimeException e) {
    try {
      return (String) e.getClass().getMethod("getSqlState").invoke(e);
    } catch (ReflectiveOperationException notAvatica) {
      throw e;
    }
  }

  /** Returns an error as its SQLState and PostgreSQL's primary message. */
  static String describe(SQLException e) {
    String message;
    if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
      message = p.getServerErrorMessage().getMessage();
    } else {
      message = e.getMessage() == null ? "" : e.getMessage();
      int server = message.lastIndexOf("ERROR: ");
      if (server >= 0) {
        message = message.substring(server + "ERROR: ".length());
      } else if (message.contains("Remote driver error: ")) {
        message = message.substring(message.lastIndexOf("Remote driver error: ")
            + "Remote driver error: ".length());
      }
      int newline = message.indexOf('\n');
      message = newline < 0 ? message : message.substring(0, newline);
    }
    return "error " + e.getSQLState() + " " + message;
  }
}
