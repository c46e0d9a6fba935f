package io.spar.test.fault;

import io.spar.engine.transactions.FaultPoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A coordinator process for the fault-injection harness: a child JVM that is a real Spar engine
 * instance, driven line by line on standard input.
 *
 * <p>Started as {@code java -cp CLASSPATH [-Dspar.fault.point=NAME [-Dspar.fault.skip=N]]
 * io.spar.test.fault.CoordinatorProcess SPAR_URL}. It opens one Spar connection, prints
 * {@code READY}, then carries out one command per line:
 * <ul>
 *   <li>{@code TX <id> <table> <k>...}: one transaction inserting a row {@code (k, 'tx<id>')}
 *       per key, then committing;</li>
 *   <li>{@code DEL <id> <table> <condition>}: one (multi-shard) {@code DELETE FROM table WHERE
 *       condition} in autocommit mode; {@code DELTX} does the same inside an explicit
 *       transaction;</li>
 *   <li>{@code RECOVER <id>}: {@code SELECT recover_prepared_transactions()};</li>
 *   <li>{@code SQL <id> <statement>}: any statement in autocommit mode;</li>
 *   <li>{@code PREPARE <id> <statement>}: prepares a statement with one {@code bigint}
 *       parameter, kept for {@code EXECUTE}; {@code EXECUTE <id> <value>} runs it, in the
 *       connection's current autocommit mode;</li>
 *   <li>{@code BEGIN <id>}, {@code COMMIT <id>}, {@code ROLLBACK <id>}: autocommit off (then
 *       {@code SELECT 1}, so that the block is open), commit, roll back;</li>
 *   <li>{@code QUIT}: closes the connection and exits 0.</li>
 * </ul>
 * After each command it prints {@code ACK <id> [<number>]} once the command (and its commit)
 * returned successfully, or {@code ERR <id> <sqlstate> <message>}. A fault point that is reached
 * prints {@code SPAR-FAULT-POINT <name>} on the same standard output and blocks until the
 * harness kills the process, or, with {@code -Dspar.fault.wait=true}, until the harness sends
 * {@code GO}, and then goes on. Logging goes to standard error.
 */
public final class CoordinatorProcess {
  /** Standard input; the fault hook reads {@code GO} from it while a command runs. */
  private static final BufferedReader IN = new BufferedReader(new InputStreamReader(System.in,
      StandardCharsets.UTF_8));

  private final Connection connection;
  private final PrintStream out;
  private PreparedStatement prepared;

  private CoordinatorProcess(Connection connection, PrintStream out) {
    this.connection = connection;
    this.out = out;
  }

  /** Runs the process; the only argument is the {@code jdbc:spar:} URL. */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    injectFaultPoint(out);
    Connection connection;
    try {
      connection = DriverManager.getConnection(args[0], new Properties());
    } catch (SQLException e) {
      say(out, "FATAL " + e.getSQLState() + " " + oneLine(e.getMessage()));
      System.exit(2);
      return;
    }
    say(out, "READY " + ProcessHandle.current().pid());
    CoordinatorProcess process = new CoordinatorProcess(connection, out);
    String line;
    while ((line = IN.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      if (line.equals("QUIT")) {
        break;
      }
      process.run(line.trim());
    }
    connection.close();
    say(out, "BYE");
    System.exit(0);
  }

  /**
   * Makes the point {@code -Dspar.fault.point} names, once reached for the
   * {@code -Dspar.fault.skip}+1st time, print {@code SPAR-FAULT-POINT <name>} and block until the
   * harness kills this process.
   */
  private static void injectFaultPoint(PrintStream out) {
    String armed = System.getProperty("spar.fault.point");
    if (armed == null) {
      return;
    }
    AtomicInteger skip = new AtomicInteger(Integer.getInteger("spar.fault.skip", 0));
    FaultPoint.inject(point -> {
      if (!point.label().equals(armed) || skip.getAndDecrement() > 0) {
        return;
      }
      say(out, "SPAR-FAULT-POINT " + point.label());
      if (Boolean.getBoolean("spar.fault.wait")) {
        awaitGo();
        return;
      }
      while (true) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          // Only SIGKILL ends this process now.
        }
      }
    });
  }

  /** Reads standard input up to a {@code GO} line; the main loop is inside a command. */
  private static void awaitGo() {
    try {
      String line;
      while ((line = IN.readLine()) != null && !line.trim().equals("GO")) {
        // Only GO ends the wait.
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void run(String line) {
    String[] words = line.split(" ");
    String id = words.length > 1 ? words[1] : "?";
    try {
      switch (words[0]) {
        case "TX" -> {
          transaction(words[2], words);
          say(out, "ACK " + id);
        }
        case "DEL" -> say(out, "ACK " + id + " " + delete(words[2], rest(words, 3), false));
        case "DELTX" -> say(out, "ACK " + id + " " + delete(words[2], rest(words, 3), true));
        case "RECOVER" -> say(out, "ACK " + id + " " + recover());
        case "SQL" -> {
          connection.setAutoCommit(true);
          try (Statement statement = connection.createStatement()) {
            statement.execute(rest(words, 2));
          }
          say(out, "ACK " + id);
        }
        case "PREPARE" -> {
          if (prepared != null) {
            prepared.close();
          }
          prepared = connection.prepareStatement(rest(words, 2));
          say(out, "ACK " + id);
        }
        case "EXECUTE" -> {
          prepared.setLong(1, Long.parseLong(words[2]));
          say(out, "ACK " + id + " " + prepared.executeUpdate());
        }
        case "BEGIN" -> {
          connection.setAutoCommit(false);
          try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
          }
          say(out, "ACK " + id);
        }
        case "COMMIT" -> {
          connection.commit();
          connection.setAutoCommit(true);
          say(out, "ACK " + id);
        }
        case "ROLLBACK" -> {
          connection.rollback();
          connection.setAutoCommit(true);
          say(out, "ACK " + id);
        }
        default -> say(out, "ERR " + id + " 42601 unknown command: " + line);
      }
    } catch (SQLException e) {
      rollbackQuietly();
      say(out, "ERR " + id + " " + e.getSQLState() + " " + oneLine(e.getMessage()));
    } catch (RuntimeException e) {
      rollbackQuietly();
      say(out, "ERR " + id + " XX000 " + oneLine(String.valueOf(e)));
    }
  }

  private void transaction(String table, String[] words) throws SQLException {
    connection.setAutoCommit(false);
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO " + table + " (k, v) VALUES (?, ?)")) {
      for (int i = 3; i < words.length; i++) {
        insert.setLong(1, Long.parseLong(words[i]));
        insert.setString(2, "tx" + words[1]);
        insert.executeUpdate();
      }
    }
    connection.commit();
    connection.setAutoCommit(true);
  }

  private long delete(String table, String condition, boolean explicit) throws SQLException {
    connection.setAutoCommit(!explicit);
    try (Statement statement = connection.createStatement()) {
      long count = statement.executeUpdate("DELETE FROM " + table + " WHERE " + condition);
      if (explicit) {
        connection.commit();
        connection.setAutoCommit(true);
      }
      return count;
    }
  }

  private long recover() throws SQLException {
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT recover_prepared_transactions()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void rollbackQuietly() {
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    } catch (SQLException | RuntimeException e) {
      // The error already reported is the one that matters.
    }
  }

  private static String rest(String[] words, int from) {
    return String.join(" ", java.util.Arrays.copyOfRange(words, from, words.length));
  }

  private static String oneLine(String message) {
    return String.valueOf(message).replace('\n', ' ').replace('\r', ' ');
  }

  private static void say(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
