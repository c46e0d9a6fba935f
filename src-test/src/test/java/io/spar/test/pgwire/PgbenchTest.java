package io.spar.test.pgwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgBinaries;
import io.spar.engine.cluster.PgNode;
import io.spar.test.Sql;
import io.spar.test.SparTestCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pgbench, PostgreSQL's own benchmark (libpq), through Spar's PostgreSQL port: pgbench creates
 * its four tables, Spar distributes them, pgbench loads them with COPY FROM STDIN and adds
 * their primary keys, then runs its TPC-B-like script (simple query mode) and its select-only
 * script (prepared mode) with eight clients. No transaction fails, every committed transaction
 * left its history row, and the balances agree afterwards. The same runs against a fresh
 * plain PostgreSQL, with the settings of Spar's nodes, give the TPS that Spar's are printed
 * next to (for the record only: nothing here asserts on timing).
 *
 * <p>The tables are distributed as pgbench uses them, each by its key:
 * {@code pgbench_accounts} by {@code aid}, {@code pgbench_branches} by {@code bid},
 * {@code pgbench_tellers} by {@code tid}, and {@code pgbench_history} by {@code aid} with the
 * same shard count as the accounts, so that each account's history rows live on its account's
 * shard: the UPDATE of an account and the INSERT of its history row reach the same node.
 *
 * <p>Neither side vacuums (pgbench's {@code -I v} step and its vacuum before a run,
 * {@code -n}): through Spar, VACUUM runs on the coordinator only, where the shell tables hold
 * no rows, and never reaches the shards (autovacuum keeps those). Skipping the vacuum before
 * each run also keeps pgbench from truncating {@code pgbench_history} between runs, which the
 * balance check needs.
 */
class PgbenchTest {
  /** Duration of each run, in seconds. */
  private static final int SECONDS = Integer.getInteger("spar.pgbenchSeconds", 30);
  private static final int CLIENTS = 8;
  private static final int THREADS = 2;
  private static final int SHARDS = 8;
  private static final int REPLICATION = 1;
  /** Rows pgbench creates at scale 1. */
  private static final long ACCOUNTS = 100_000;
  private static final long TELLERS = 10;
  private static final long BRANCHES = 1;

  private static final Pattern PROCESSED =
      Pattern.compile("number of transactions actually processed: (\\d+)");
  private static final Pattern FAILED =
      Pattern.compile("number of failed transactions: (\\d+)");
  private static final Pattern TPS = Pattern.compile("(?m)^tps = ([0-9.]+)");

  /** A database pgbench connects to. */
  private record Target(String name, String host, int port, String database, String user,
      String password) {
  }

  /** One pgbench run's mode, as pgbench options. */
  private record Mode(String name, List<String> options) {
    boolean writes() {
      return !options.contains("-S");
    }
  }

  /** What a run reported. */
  private record Run(long processed, long failed, double tps, String tpsLine) {
    @Override
    public String toString() {
      return processed + " transactions, " + failed + " failed, " + tpsLine;
    }
  }

  /** The built-in scripts, one in each query mode (both modes pass either script). */
  private static final List<Mode> MODES = List.of(
      new Mode("TPC-B-like, simple", List.of()),
      new Mode("select-only, prepared", List.of("-S", "-M", "prepared")));
  /** Plain PostgreSQL's runs only give the TPS to compare with: a third of the time does. */
  private static final int PLAIN_SECONDS = Math.max(1, SECONDS / 3);

  private static String pgbench;
  private static LocalCluster plainPostgres;
  private static Path outputs;
  private static int runs;

  @BeforeAll
  static void start() throws IOException {
    WirePort.server();
    pgbench = PgBinaries.discover().binary("pgbench");
    // A PostgreSQL of its own, next to the shared cluster's nodes (removed with them).
    plainPostgres = LocalCluster.start(SparTestCluster.directory().resolve("pgbench-plain"), 0);
    outputs = Files.createDirectories(SparTestCluster.directory().resolve("pgbench-output"));
  }

  @AfterAll
  static void stop() {
    if (plainPostgres != null) {
      plainPostgres.close();
    }
  }

  @Test
  void pgbenchThroughThePort() throws Exception {
    Target spar = new Target("Spar", "127.0.0.1", WirePort.port(), WirePort.database(),
        WirePort.USER, WirePort.PASSWORD);
    PgNode node = plainPostgres.coordinator();
    Target plain = new Target("PostgreSQL", node.host(), node.port(), LocalCluster.DATABASE,
        LocalCluster.USER, null);

    // pgbench drops and creates its tables, Spar distributes them while they are empty, then
    // pgbench generates the rows client-side (COPY FROM STDIN) and adds the primary keys.
    pgbench(spar, "init", List.of("-i", "-I", "dt"));
    try (Connection connection = WirePort.connect("")) {
      for (List<String> each : List.of(List.of("pgbench_accounts", "aid"),
          List.of("pgbench_branches", "bid"), List.of("pgbench_tellers", "tid"),
          List.of("pgbench_history", "aid"))) {
        Sql.run(connection, "SELECT master_create_distributed_table('" + each.get(0) + "', '"
            + each.get(1) + "', 'hash')");
        Sql.run(connection, "SELECT master_create_worker_shards('" + each.get(0) + "', "
            + SHARDS + ", " + REPLICATION + ")");
      }
    }
    pgbench(spar, "init", List.of("-i", "-I", "gp"));
    pgbench(plain, "init", List.of("-i", "-I", "dtgp"));
    try (Connection connection = WirePort.connect("")) {
      assertEquals(ACCOUNTS, Sql.count(connection, "SELECT count(*) FROM pgbench_accounts"));
      assertEquals(TELLERS, Sql.count(connection, "SELECT count(*) FROM pgbench_tellers"));
      assertEquals(BRANCHES, Sql.count(connection, "SELECT count(*) FROM pgbench_branches"));
      assertEquals(0, Sql.count(connection, "SELECT count(*) FROM pgbench_history"));
      assertEquals(SHARDS, Sql.count(connection, "SELECT count(*) FROM"
          + " pgs_distribution_metadata.shard WHERE relation_id = 'pgbench_accounts'::regclass"));
    }

    System.out.println("pgbench " + String.join(" ", "-n", "-c", Integer.toString(CLIENTS),
        "-j", Integer.toString(THREADS), "-T", Integer.toString(SECONDS)) + ", scale 1, through"
        + " Spar's PostgreSQL port (" + SHARDS + " shards x " + REPLICATION + " on "
        + SparTestCluster.WORKERS + " workers) and against one plain PostgreSQL with the"
        + " settings of Spar's nodes, on the same machine:");
    long committed = 0;
    for (Mode mode : MODES) {
      Run onSpar = benchmark(spar, mode, SECONDS);
      Run onPlain = benchmark(plain, mode, PLAIN_SECONDS);
      if (mode.writes()) {
        committed += onSpar.processed();
      }
      System.out.printf("%-21s | Spar: %s | PostgreSQL: %s | Spar/PostgreSQL = %.3f%n",
          mode.name(), onSpar, onPlain, onSpar.tps() / onPlain.tps());
    }

    try (Connection connection = WirePort.connect("");
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT"
            + " (SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts),"
            + " (SELECT coalesce(sum(delta), 0) FROM pgbench_history),"
            + " (SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches),"
            + " (SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers),"
            + " (SELECT count(*) FROM pgbench_history)")) {
      assertTrue(rs.next());
      long accounts = rs.getLong(1);
      String balances = "accounts " + accounts + ", history " + rs.getLong(2) + ", branches "
          + rs.getLong(3) + ", tellers " + rs.getLong(4) + "; history rows " + rs.getLong(5)
          + ", TPC-B transactions committed " + committed;
      System.out.println("Balances through the port: " + balances);
      assertEquals(accounts, rs.getLong(2), balances);
      assertEquals(accounts, rs.getLong(3), balances);
      assertEquals(accounts, rs.getLong(4), balances);
      // Each transaction pgbench counted inserted one history row, and no other did.
      assertEquals(committed, rs.getLong(5), balances);
    }
  }

  /** Runs pgbench in {@code mode} for {@code seconds} against {@code target}. */
  private static Run benchmark(Target target, Mode mode, int seconds) throws Exception {
    List<String> options = new ArrayList<>(List.of("-n", "-c", Integer.toString(CLIENTS),
        "-j", Integer.toString(THREADS), "-T", Integer.toString(seconds)));
    options.addAll(mode.options());
    String output = pgbench(target, mode.name(), options);
    String context = target.name() + ", " + mode.name() + ":\n" + output;
    long processed = number(PROCESSED, output, context);
    long failed = number(FAILED, output, context);
    Matcher tps = TPS.matcher(output);
    assertTrue(tps.find(), context);
    assertEquals(0, failed, context);
    assertTrue(processed > 0, context);
    return new Run(processed, failed, Double.parseDouble(tps.group(1)), tps.group());
  }

  private static long number(Pattern pattern, String output, String context) {
    Matcher matcher = pattern.matcher(output);
    assertTrue(matcher.find(), "no \"" + pattern + "\" in " + context);
    return Long.parseLong(matcher.group(1));
  }

  /**
   * Runs pgbench with {@code options} against {@code target} and returns its output (standard
   * output and error, kept in {@link #outputs}) after checking that it succeeded.
   */
  private static String pgbench(Target target, String what, List<String> options)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(pgbench, "-h", target.host(),
        "-p", Integer.toString(target.port()), "-U", target.user()));
    command.addAll(options);
    command.add(target.database());
    Path output = outputs.resolve(String.format("%02d-%s-%s.txt", ++runs, target.name(), what)
        .replaceAll("[^A-Za-z0-9.-]+", "-"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    // Nothing from the environment: no PGCLIENTENCODING, PGOPTIONS or PGSSLMODE of the shell.
    builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
    if (target.password() != null) {
      builder.environment().put("PGPASSWORD", target.password());
    }
    Process process = builder.start();
    // A guard against a hung client, far beyond any run's length, not a measure of speed.
    boolean exited = process.waitFor(SECONDS + 600L, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor();
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    assertTrue(exited, "pgbench did not end: " + command + "\n" + text);
    assertEquals(0, process.exitValue(), target.name() + ", " + what + ": " + command + "\n"
        + text);
    return text;
  }
}
