package io.spar.test.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code spar sql} and {@code spar status} against a {@code spar serve} process, each in a
 * process of its own, as a user would type them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparSqlShellTest {
  private ServedSpar server;

  @BeforeAll
  void startServer() throws Exception {
    server = ServedSpar.start("spar-sql-test");
  }

  @AfterAll
  void stopServer() throws Exception {
    server.close();
  }

  @Test
  void scriptRunsThroughTheShellAndStatusShowsItsTable() throws Exception {
    Path script = server.directory().resolve("script.sql");
    Files.copy(Path.of(Objects.requireNonNull(
        getClass().getResource("/server/shell-script.sql")).toURI()), script);
    SparProcess sql = SparProcess.start(server.directory(), "sql",
        server.url(ServedSpar.USER, ServedSpar.PASSWORD), "-f", script.toString());
    assertEquals(0, sql.waitForExit(), sql.errors());
    String output = sql.output();
    assertTrue(output.matches("(?s).*\\| Earth +\\| 1 +\\|.*"), output);
    assertTrue(output.matches("(?s).*\\| Jupiter +\\| 95 +\\|.*"), output);
    assertTrue(output.contains("Router Query: 1 shard after pruning"), output);
    assertTrue(output.contains("Multi-shard Query"), output);

    SparProcess status = SparProcess.start(server.directory(), "status",
        server.url(ServedSpar.USER, ServedSpar.PASSWORD));
    assertEquals(0, status.waitForExit(), status.errors());
    assertTrue(status.output().contains("shell_planets | hash | id | 4 | 8 | 8 | 0"),
        status.output());
    assertTrue(status.output().contains("FINALIZED | 4 | 8"), status.output());
    assertTrue(status.output().contains("Shard moves running\nshard | table_name | from | to"
        + " | transfer_mode | phase | bytes_copied | bytes_total | time_left"), status.output());
    assertTrue(status.output().contains("Latest rebalance\nplan | move | shard"),
        status.output());
  }

  /**
   * Test case for issue 8, item 9: once a distributed table named {@code t} (an alias in the
   * status query) existed, {@code spar status} failed with
   * {@code syntax error at or near ". partition"}.
   */
  @Test
  void statusListsTablesNamedLikeItsAliases() throws Exception {
    runScript("status-names.sql");
    SparProcess status = SparProcess.start(server.directory(), "status",
        server.url(ServedSpar.USER, ServedSpar.PASSWORD));
    assertEquals(0, status.waitForExit(), status.errors());
    // Dropped before asserting, so that the other test's counts hold whichever runs first.
    runScript("status-names-drop.sql");
    List<String> lines = List.of(status.output().split("\n"));
    assertTrue(lines.contains("t | hash | id | 2 | 2 | 2 | 0"), status.output());
    assertTrue(lines.contains("p | hash | id | 2 | 4 | 4 | 0"), status.output());
    assertTrue(lines.contains("\"Shard\" | hash | Key | 3 | 3 | 3 | 0"), status.output());
  }

  /** Runs the script {@code name} of the test resources with {@code spar sql -f}. */
  private void runScript(String name) throws Exception {
    Path script = server.directory().resolve(name);
    Files.copy(Path.of(Objects.requireNonNull(
        getClass().getResource("/server/" + name)).toURI()), script);
    SparProcess sql = SparProcess.start(server.directory(), "sql",
        server.url(ServedSpar.USER, ServedSpar.PASSWORD), "-f", script.toString());
    assertEquals(0, sql.waitForExit(), sql.errors());
  }
}
