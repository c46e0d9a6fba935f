package io.spar.test.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code spar} command ({@code io.spar.cli.SparMain}) running in a child JVM on the test
 * classpath, as a user would run it: standard output is collected line by line, standard
 * error goes to a file.
 */
final class SparProcess implements AutoCloseable {
  /** Upper bound for start-up and commands, only so a broken build cannot hang the run. */
  private static final long GIVE_UP_SECONDS = 180;

  private final Process process;
  private final Path errorLog;
  private final List<String> lines = new ArrayList<>();

  private SparProcess(Process process, Path errorLog) {
    this.process = process;
    this.errorLog = errorLog;
    Thread reader = new Thread(this::readOutput, "spar-process-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code spar ARGS...} in {@code workDir}; standard error goes to a file there. */
  static SparProcess start(Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.spar.cli.SparMain"));
    command.addAll(List.of(args));
    Path errorLog = Files.createTempFile(workDir, "spar-" + args[0] + "-", ".log");
    Process process = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectError(errorLog.toFile()).start();
    return new SparProcess(process, errorLog);
  }

  /** Runs {@code spar ARGS...} to completion with {@code input} on standard input. */
  static SparProcess run(Path workDir, String input, String... args)
      throws IOException, InterruptedException {
    SparProcess spar = start(workDir, args);
    try (OutputStream stdin = spar.process.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    spar.waitForExit();
    return spar;
  }

  private void readOutput() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(
        process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // The process went away; what it printed so far stays available.
    } finally {
      synchronized (lines) {
        lines.add(null); // end of output
        lines.notifyAll();
      }
    }
  }

  /**
   * Waits until the process either prints a line starting with {@code readyPrefix} (false) or
   * ends; returns whether it ended with {@code error} in its standard error.
   */
  boolean exitsWith(String error, String readyPrefix) throws InterruptedException, IOException {
    if (nextLine(readyPrefix) != null) {
      return false;
    }
    return process.waitFor(GIVE_UP_SECONDS, TimeUnit.SECONDS) && errors().contains(error);
  }

  /** Waits for an output line starting with {@code prefix} and returns it. */
  String awaitLine(String prefix) throws InterruptedException, IOException {
    String line = nextLine(prefix);
    if (line == null) {
      fail("spar exited (" + process.waitFor() + ") before printing '" + prefix + "':\n"
          + output() + "\n" + errors());
    }
    return line;
  }

  /**
   * Waits for an output line starting with {@code prefix} and returns it, or null if the output
   * ends first; fails if neither happens within {@link #GIVE_UP_SECONDS}.
   */
  private String nextLine(String prefix) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GIVE_UP_SECONDS);
    synchronized (lines) {
      for (int seen = 0; ; ) {
        while (seen < lines.size()) {
          String line = lines.get(seen++);
          if (line == null || line.startsWith(prefix)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("spar did not print '" + prefix + "':\n" + output() + "\n" + errors());
        }
        lines.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
  }

  /** Waits for the process to exit and for its output to be read; returns the exit code. */
  int waitForExit() throws InterruptedException, IOException {
    if (!process.waitFor(GIVE_UP_SECONDS, TimeUnit.SECONDS)) {
      fail("spar did not exit:\n" + output() + "\n" + errors());
    }
    synchronized (lines) {
      while (lines.isEmpty() || lines.get(lines.size() - 1) != null) {
        lines.wait();
      }
    }
    return process.exitValue();
  }

  /** Sends SIGTERM and returns the exit code. */
  int terminate() throws InterruptedException, IOException {
    // Through the handle: Process.destroy() would also close our end of its output, and what
    // the process prints while it shuts down would be lost.
    process.toHandle().destroy();
    return waitForExit();
  }

  /** Returns standard output so far. */
  String output() {
    synchronized (lines) {
      return String.join("\n", lines.stream().filter(line -> line != null).toList());
    }
  }

  /** Returns standard error so far. */
  String errors() throws IOException {
    return Files.readString(errorLog);
  }

  /**
   * Stops the process if a test left it running: SIGTERM first, so that a server stops its
   * PostgreSQL nodes, and a kill only if that does not work.
   */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(GIVE_UP_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
