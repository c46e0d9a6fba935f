package io.spar.engine.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runner for PostgreSQL command-line tools that drops root privileges, because initdb and postgres refuse to run as
 * root and sessions and CI run as root.
 *
 * <p>As root it prefers {@code unshare -U}: the tool then runs as an unmapped (non-root) user in a fresh user
 * namespace while the kernel still checks file access as the real root, so root-owned private directories such as a
 * JUnit {@code @TempDir} (mode 0700) just work and nothing needs to be chown'ed. If user namespaces are unavailable it
 * falls back to {@code runuser -u postgres --}, which needs the data directories chown'ed to {@code postgres} and
 * every parent directory traversable by that user.
 */
final class PgRunner {

  /** How commands are launched. */
  enum Mode { DIRECT, UNSHARE, RUNUSER }

  private static final Logger LOG = LoggerFactory.getLogger(PgRunner.class);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  private static final String OS_USER = "postgres";
  private static volatile PgRunner detected;

  private final Mode mode;

  private PgRunner(Mode mode) {
    this.mode = mode;
  }

  /** Returns the runner suited to this JVM's user, probing once per JVM. */
  static PgRunner detect() throws IOException {
    PgRunner result = detected;
    if (result == null) {
      synchronized (PgRunner.class) {
        if (detected == null) {
          detected = new PgRunner(probeMode());
          LOG.debug("Running PostgreSQL tools in mode {}", detected.mode);
        }
        result = detected;
      }
    }
    return result;
  }

  /** Returns the launch mode. */
  Mode mode() {
    return mode;
  }

  /** Hands a directory tree to the user the server runs as (only needed in {@link Mode#RUNUSER}). */
  void prepare(Path dir) throws IOException {
    if (mode == Mode.RUNUSER) {
      runRaw(List.of("chown", "-R", OS_USER + ":", dir.toString()), null, PROBE_TIMEOUT.multipliedBy(6));
    }
  }

  /**
   * Runs a tool, appending its output to {@code log}, and fails unless it exits with 0.
   *
   * @throws IOException on a non-zero exit code or timeout; the message includes the tail of {@code log}
   */
  void run(List<String> command, Path log, Duration timeout) throws IOException {
    int code = exitCode(command, log, timeout);
    if (code != 0) {
      throw new IOException(command + " exited with " + code + "; last output:\n" + tail(log, 20));
    }
  }

  /**
   * Runs a tool, appending its output to {@code log}, and returns its exit code.
   *
   * @throws IOException if it cannot be started or does not finish within {@code timeout}
   */
  int exitCode(List<String> command, Path log, Duration timeout) throws IOException {
    List<String> full = new ArrayList<>();
    switch (mode) {
      case UNSHARE -> full.addAll(List.of("unshare", "-U", "--"));
      case RUNUSER -> full.addAll(List.of("runuser", "-u", OS_USER, "--"));
      case DIRECT -> { }
    }
    full.addAll(command);
    return runRaw(full, log, timeout);
  }

  /** Returns up to the last {@code lines} lines of a (log) file, or a note if it does not exist. */
  static String tail(Path file, int lines) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, raf.length() - 16_384); // bounded read: logs of long-lived nodes can grow large
      byte[] buf = new byte[(int) (raf.length() - start)];
      raf.seek(start);
      raf.readFully(buf);
      List<String> all = List.of(new String(buf, StandardCharsets.UTF_8).split("\n"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + file + ": " + e.getMessage() + ")";
    }
  }

  private static Mode probeMode() throws IOException {
    if (uid() != 0) {
      return Mode.DIRECT;
    }
    if (probe(List.of("unshare", "-U", "--", "true"))) {
      return Mode.UNSHARE;
    }
    if (probe(List.of("runuser", "-u", OS_USER, "--", "true"))) {
      return Mode.RUNUSER;
    }
    throw new IOException("Running as root, but PostgreSQL refuses to run as root and neither 'unshare -U' nor "
        + "'runuser -u " + OS_USER + "' works here. Run as a non-root user or install the postgresql package "
        + "(which creates the '" + OS_USER + "' OS user).");
  }

  private static boolean probe(List<String> command) {
    try {
      return runRaw(command, null, PROBE_TIMEOUT) == 0;
    } catch (IOException e) {
      return false; // tool missing or blocked (e.g. by seccomp): try the next mechanism
    }
  }

  /** Returns the effective uid of this JVM, used to keep per-user caches apart. */
  static int uid() throws IOException {
    // /proc/self is owned by the effective uid of the process that reads it.
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }

  private static int runRaw(List<String> command, Path log, Duration timeout) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Files, never pipes: pg_ctl's postmaster outlives pg_ctl and would keep a pipe open forever.
    builder.redirectOutput(log == null ? Redirect.DISCARD : Redirect.appendTo(log.toFile()));
    Process process = builder.start();
    process.getOutputStream().close();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException(command + " did not finish within " + timeout
            + (log == null ? "" : "; last output:\n" + tail(log, 20)));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("Interrupted while running " + command, e);
    }
  }
}
