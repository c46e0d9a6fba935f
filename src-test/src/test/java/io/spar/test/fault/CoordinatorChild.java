package io.spar.test.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The harness's handle on one {@link CoordinatorProcess}: it writes commands to the child's
 * standard input, collects its standard output line by line, and kills it with SIGKILL.
 */
final class CoordinatorChild implements AutoCloseable {
  /** Exit status that Java reports for a process ended by SIGKILL (128 + 9) on Linux. */
  static final int SIGKILL_STATUS = 137;
  /** Line that the reader thread queues when the child's standard output ends. */
  static final String EOF = "<EOF>";
  /** How long the harness waits for any single line before it gives up on the child. */
  private static final long LINE_TIMEOUT_SECONDS = 180;

  private final Process process;
  private final String description;
  private final Path errorLog;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> transcript = new ArrayList<>();

  private CoordinatorChild(Process process, String description, Path errorLog) {
    this.process = process;
    this.description = description;
    this.errorLog = errorLog;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::pump, "fault-child-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a child JVM running {@link CoordinatorProcess} on {@code sparUrl}, armed at
   * {@code faultPoint} (the property value, or null for none) after {@code skip} passes.
   */
  static CoordinatorChild start(String sparUrl, String faultPoint, int skip, List<String> jvmOptions,
      Path errorLog) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(jvmOptions);
    if (faultPoint != null) {
      command.add("-Dspar.fault.point=" + faultPoint);
      command.add("-Dspar.fault.skip=" + skip);
    }
    command.add(CoordinatorProcess.class.getName());
    command.add(sparUrl);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectError(ProcessBuilder.Redirect.appendTo(errorLog.toFile()));
    String description = "coordinator child"
        + (faultPoint == null ? "" : " armed at " + faultPoint + " (skip " + skip + ")");
    return new CoordinatorChild(builder.start(), description, errorLog);
  }

  /** Returns the child's process id. */
  long pid() {
    return process.pid();
  }

  /** Sends one command line. */
  void send(String command) throws IOException {
    synchronized (transcript) {
      transcript.add("> " + command);
    }
    stdin.write(command + "\n");
    stdin.flush();
  }

  /**
   * Returns the next line the child printed, waiting for it; fails with the transcript if the
   * child stays silent for {@link #LINE_TIMEOUT_SECONDS} (a hung child, not a slow one).
   */
  String nextLine() throws InterruptedException {
    String line = lines.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError(description + " printed nothing for " + LINE_TIMEOUT_SECONDS
          + " s\n" + diagnostics());
    }
    synchronized (transcript) {
      transcript.add("< " + line);
    }
    return line;
  }

  /** Waits for {@code READY}; fails with the child's standard error if it could not start. */
  void awaitReady() throws InterruptedException {
    String line = nextLine();
    if (!line.startsWith("READY")) {
      throw new AssertionError(description + " did not start: " + line + "\n" + diagnostics());
    }
  }

  /** Stops the child with SIGSTOP: every thread of its JVM halts where it is. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a child stopped by {@link #pause} go on (SIGCONT). */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .redirectErrorStream(true).start();
    String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -" + name + " " + process.pid() + ": " + output);
    }
  }

  /** Kills the child with SIGKILL and checks that SIGKILL is what ended it. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    int status = process.waitFor();
    if (status != SIGKILL_STATUS) {
      throw new AssertionError(description + " exited with status " + status
          + " instead of " + SIGKILL_STATUS + " (SIGKILL)\n" + diagnostics());
    }
  }

  /** Waits (at most 30 s) for a child whose output ended to exit, for the diagnostics. */
  void awaitExit() throws InterruptedException {
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Asks the child to quit and waits for it. */
  void quit() throws IOException, InterruptedException {
    send("QUIT");
    stdin.close();
    if (!process.waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new AssertionError(description + " did not quit\n" + diagnostics());
    }
  }

  /** Returns whether the children's standard error log holds {@code text}. */
  boolean stderrContains(String text) {
    try {
      return Files.readString(errorLog, StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Returns the commands and lines exchanged so far and the tail of the child's stderr. */
  String diagnostics() {
    StringBuilder text = new StringBuilder("transcript of " + description + " (pid "
        + process.pid() + (process.isAlive() ? ", running" : ", exit status "
        + process.exitValue()) + "):\n");
    synchronized (transcript) {
      int from = Math.max(0, transcript.size() - 40);
      for (String each : transcript.subList(from, transcript.size())) {
        text.append("  ").append(each).append('\n');
      }
    }
    text.append("stderr tail (").append(errorLog).append("):\n");
    try {
      List<String> err = Files.readAllLines(errorLog, StandardCharsets.UTF_8);
      for (String each : err.subList(Math.max(0, err.size() - 30), err.size())) {
        text.append("  ").append(each).append('\n');
      }
    } catch (IOException e) {
      text.append("  (unreadable: ").append(e.getMessage()).append(")\n");
    }
    return text.toString();
  }

  @Override
  public String toString() {
    return description + " pid " + process.pid();
  }

  /** Kills the child if it still runs; used in finally blocks. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void pump() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(
        process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      // The child died; EOF below says so.
    }
    lines.add(EOF);
  }
}
