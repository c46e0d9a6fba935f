package io.spar.engine.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Location and major version of the PostgreSQL server binaries (initdb, pg_ctl, postgres).
 *
 * @param binDir directory containing {@code initdb} and {@code pg_ctl}
 * @param majorVersion PostgreSQL major version, e.g. 15
 */
public record PgBinaries(Path binDir, int majorVersion) {

  /** Environment variable that overrides binary discovery. */
  public static final String ENV_VAR = "SPAR_PG_BIN";

  private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");

  /**
   * Finds the binaries via {@value #ENV_VAR}, then {@code pg_config --bindir}, then {@code /usr/lib/postgresql/*}/bin
   * (newest major version first).
   *
   * @return the binaries found
   * @throws IOException if no PostgreSQL installation is found; the message says how to install one
   */
  public static PgBinaries discover() throws IOException {
    String env = System.getenv(ENV_VAR);
    if (env != null && !env.isBlank()) {
      Path dir = Path.of(env);
      if (!hasInitdb(dir)) {
        throw new IOException(ENV_VAR + "=" + env + " does not contain an executable initdb");
      }
      return of(dir);
    }
    Optional<Path> fromPgConfig = fromPgConfig();
    if (fromPgConfig.isPresent()) {
      return of(fromPgConfig.get());
    }
    for (Path dir : debianBinDirs()) {
      if (hasInitdb(dir)) {
        return of(dir);
      }
    }
    throw new IOException("No PostgreSQL server binaries found (looked at $" + ENV_VAR
        + ", pg_config --bindir and " + DEBIAN_ROOT + "/*/bin). Install them with "
        + "'apt-get install postgresql-15' (or run scripts/setup.sh), or set " + ENV_VAR
        + " to the directory containing initdb and pg_ctl.");
  }

  /**
   * Returns the path of one binary in {@link #binDir()}.
   *
   * @param name e.g. "pg_ctl"
   * @return the absolute path of the binary
   */
  public String binary(String name) {
    return binDir.resolve(name).toString();
  }

  private static PgBinaries of(Path dir) throws IOException {
    return new PgBinaries(dir.toAbsolutePath(), majorVersionOf(dir));
  }

  private static boolean hasInitdb(Path dir) {
    return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"));
  }

  private static Optional<Path> fromPgConfig() {
    try {
      String out = runForOutput(List.of("pg_config", "--bindir")).trim();
      Path dir = Path.of(out);
      return out.isEmpty() || !hasInitdb(dir) ? Optional.empty() : Optional.of(dir);
    } catch (IOException e) {
      return Optional.empty(); // pg_config is not on PATH: try the next source
    }
  }

  private static List<Path> debianBinDirs() throws IOException {
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return List.of();
    }
    List<Path> result = new ArrayList<>();
    try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
      versions.filter(p -> p.getFileName().toString().matches("\\d+"))
          .sorted(Comparator.comparingInt((Path p) -> Integer.parseInt(p.getFileName().toString())).reversed())
          .forEach(p -> result.add(p.resolve("bin")));
    }
    return result;
  }

  private static int majorVersionOf(Path dir) throws IOException {
    // "initdb (PostgreSQL) 15.18 (Debian ...)"; --version is answered before initdb's refuse-to-run-as-root check.
    String out = runForOutput(List.of(dir.resolve("initdb").toString(), "--version"));
    Matcher m = VERSION.matcher(out);
    if (!m.find()) {
      throw new IOException("Cannot parse the PostgreSQL version from '" + out.trim() + "'");
    }
    return Integer.parseInt(m.group(1));
  }

  private static String runForOutput(List<String> command) throws IOException {
    // Output goes to a file, not a pipe, so the timeout below also covers a child that never closes its output.
    Path out = Files.createTempFile("spar-pg-probe", ".out");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      boolean exited = waitFor(process, command);
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (!exited || process.exitValue() != 0) {
        throw new IOException(command + " failed: " + text.trim());
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static boolean waitFor(Process process, List<String> command) throws IOException {
    try {
      if (process.waitFor(30, TimeUnit.SECONDS)) {
        return true;
      }
      process.destroyForcibly();
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("Interrupted while running " + command, e);
    }
  }
}
