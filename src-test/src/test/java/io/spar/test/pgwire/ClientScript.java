package io.spar.test.pgwire;

import io.spar.engine.cluster.LocalCluster;
import io.spar.test.SparTestCluster;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs a client program of another language (a script of the test resources under
 * {@code pgwire/}) to its end, with its standard output and error kept apart.
 */
final class ClientScript {
  /** How long a script may run before it counts as hanging. */
  private static final long TIMEOUT_SECONDS = 300;

  /** What a finished script did. */
  record Run(List<String> command, int exit, List<String> lines, String errors) {
    /** Returns the run for an assertion message. */
    String describe() {
      return String.join(" ", command) + " exited with " + exit + "\n--- stdout\n"
          + String.join("\n", lines) + "\n--- stderr\n" + errors;
    }
  }

  private ClientScript() {
  }

  /** Returns the path of resource {@code pgwire/NAME}. */
  static Path resource(String name) {
    try {
      return Path.of(Objects.requireNonNull(ClientScript.class.getResource("/pgwire/" + name),
          name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns a libpq URL straight to the coordinator of the shared cluster: plain PostgreSQL. */
  static String plainUrl() {
    return "postgresql://" + LocalCluster.USER + "@127.0.0.1:"
        + SparTestCluster.cluster().coordinator().port() + "/" + LocalCluster.DATABASE;
  }

  /** Runs {@code command} and returns once it has ended; fails if it runs too long. */
  static Run run(String... command) throws IOException, InterruptedException {
    Path directory = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "client-");
    Path out = directory.resolve("stdout");
    Path err = directory.resolve("stderr");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
            Path.of("/dev/null").toFile())).start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(String.join(" ", command) + " did not end within "
          + TIMEOUT_SECONDS + " s; its output:\n" + Files.readString(out) + "\n"
          + Files.readString(err));
    }
    return new Run(List.of(command), process.exitValue(),
        new ArrayList<>(Files.readAllLines(out, StandardCharsets.UTF_8)),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
