package io.spar.test.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
  }
}
