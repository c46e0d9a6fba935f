package io.spar.engine.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Operations on the PostgreSQL servers of one cluster directory: create from the template, configure, start, stop.
 */
final class NodeControl {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final String SETTINGS_FILE = "spar.conf";

  private final PgBinaries binaries;
  private final PgRunner runner;
  private final ClusterLayout layout;

  NodeControl(PgBinaries binaries, PgRunner runner, ClusterLayout layout) {
    this.binaries = binaries;
    this.runner = runner;
    this.layout = layout;
  }

  /** Returns whether the node's data directory has been created. */
  boolean exists(PgNode node) {
    return Files.isRegularFile(node.dataDir().resolve("PG_VERSION"));
  }

  /** Creates the node's data directory as a copy of the template. */
  void create(PgNode node, PgTemplate template) throws IOException {
    Path temp = node.dataDir().resolveSibling("data.tmp");
    if (Files.exists(temp)) {
      PgTemplate.deleteRecursively(temp); // leftover of an interrupted copy
    }
    template.copyTo(temp);
    // Settings go to an included file so they are rewritten on every start and code changes take effect.
    Files.writeString(temp.resolve("postgresql.conf"), "\ninclude_if_exists = '" + SETTINGS_FILE + "'\n",
        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    Files.move(temp, node.dataDir(), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Returns whether a postmaster is running on the node's data directory. */
  boolean isRunning(PgNode node) throws IOException {
    // pg_ctl status: 0 = running, 3 = not running, 4 = no accessible data directory.
    return runner.exitCode(List.of(binaries.binary("pg_ctl"), "status", "-D", node.dataDir().toString()),
        layout.toolLog(node), STATUS_TIMEOUT) == 0;
  }

  /**
   * Starts a stopped node on its persisted port and waits until it accepts JDBC connections.
   *
   * @throws IOException if the port is taken or the server does not come up; includes the tail of its log
   */
  void start(PgNode node) throws IOException {
    ClusterLayout.checkPortFree(node);
    writeSettings(node);
    Path socketDir = layout.socketDir();
    Files.createDirectories(socketDir);
    runner.prepare(layout.nodeDir(node.name()));
    runner.prepare(socketDir);
    try {
      runner.run(List.of(binaries.binary("pg_ctl"), "start", "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()),
          "-D", node.dataDir().toString(), "-l", layout.serverLog(node).toString()),
          layout.toolLog(node), START_TIMEOUT.plusSeconds(10));
    } catch (IOException e) {
      throw new IOException("Could not start " + node.name() + " on port " + node.port() + ": " + e.getMessage()
          + "\nServer log tail (" + layout.serverLog(node) + "):\n" + PgRunner.tail(layout.serverLog(node), 30), e);
    }
    awaitReady(node);
  }

  /** Stops the node if it is running, with pg_ctl shutdown mode {@code mode} ("fast" or "immediate"). */
  void stop(PgNode node, String mode) throws IOException {
    if (!isRunning(node)) {
      return;
    }
    runner.run(List.of(binaries.binary("pg_ctl"), "stop", "-w", "-m", mode, "-t",
        Long.toString(STOP_TIMEOUT.toSeconds()), "-D", node.dataDir().toString()),
        layout.toolLog(node), STOP_TIMEOUT.plusSeconds(10));
  }

  /** Waits until the node answers {@code SELECT 1} over JDBC as {@link LocalCluster#USER}. */
  void awaitReady(PgNode node) throws IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Properties props = new Properties();
    props.setProperty("user", LocalCluster.USER);
    props.setProperty("connectTimeout", "5");
    SQLException last;
    do {
      try (Connection c = DriverManager.getConnection(node.jdbcUrl(), props);
          Statement s = c.createStatement()) {
        s.execute("SELECT 1");
        return;
      } catch (SQLException e) {
        last = e;
      }
      sleep(100);
    } while (System.nanoTime() < deadline);
    throw new IOException(node.name() + " at " + node.jdbcUrl() + " does not accept connections after "
        + READY_TIMEOUT + ": " + last.getMessage() + "\nServer log tail:\n"
        + PgRunner.tail(layout.serverLog(node), 30), last);
  }

  private void writeSettings(PgNode node) throws IOException {
    String settings = String.join("\n",
        "# Written by Spar LocalCluster on every start; edits are lost.",
        "listen_addresses = '" + node.host() + "'",
        "port = " + node.port(),
        "unix_socket_directories = '" + layout.socketDir() + "'",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_prepared_transactions = 100",
        // Shard moves copy and catch up by logical replication; a subscription's tables sync
        // in parallel, and a table that waits for a sync worker is retried after
        // wal_retrieve_retry_interval (5 s by default), so both are raised and lowered.
        "wal_level = logical",
        "max_sync_workers_per_subscription = 4",
        "wal_retrieve_retry_interval = '200ms'",
        "max_connections = 200",
        "shared_buffers = 32MB",
        "log_min_messages = warning",
        "logging_collector = off",
        "shared_preload_libraries = ''",
        "");
    Files.writeString(node.dataDir().resolve(SETTINGS_FILE), settings, StandardCharsets.UTF_8);
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while waiting for a node", e);
    }
  }
}
