package io.spar.test.fault;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.engine.transactions.FaultPoint;
import io.spar.test.fault.Ledger.Fate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Fault-injection harness: a local cluster of its own (a coordinator and two workers) in a
 * directory of the caller's, test tables created through Spar, coordinator child processes that
 * it kills with SIGKILL at {@link FaultPoint}s, worker crashes ({@code pg_ctl stop -m
 * immediate}), recovery, and the four checks of issue 4:
 * <ol>
 *   <li><b>no divergence:</b> every FINALIZED placement of a shard holds the same rows (md5 of
 *       the ordered rows);</li>
 *   <li><b>no lost writes:</b> every acknowledged write is visible;</li>
 *   <li><b>no unacknowledged writes:</b> no write is visible that was never acknowledged, except
 *       one whose commit record was written before the crash (see {@link #fateAfterKill});</li>
 *   <li><b>no leftovers:</b> no {@code spar_} prepared transaction remains on any node.</li>
 * </ol>
 * Rows are {@code (k bigint, v text, word_count int)}, distributed by hash of {@code k}; every key
 * is written at most once, so a key's visibility tells the fate of the write that carried it.
 */
final class FaultHarness implements AutoCloseable {
  /** Number of workers of the harness cluster. */
  static final int WORKERS = 2;
  /** Shard state of a FINALIZED placement. */
  static final int FINALIZED = 1;
  /** Shard state of an INACTIVE placement. */
  static final int INACTIVE = 3;
  /** How many keys the key pools hold per table (hashed once, at table creation). */
  private static final int KEY_SPACE = 40_000;
  /** Upper bound of a wait for the coordinator to forget a killed child (not a test assertion). */
  private static final long QUIET_TIMEOUT_MILLIS = 120_000;

  private final Path directory;
  private final LocalCluster cluster;
  private final Connection spar;
  private final Map<Integer, Connection> direct = new HashMap<>();
  private final Map<String, Ledger> ledgers = new ConcurrentHashMap<>();
  private final Map<String, KeyPool> pools = new ConcurrentHashMap<>();
  private final List<CoordinatorChild> children = new ArrayList<>();
  private final List<String> childOptions = new ArrayList<>();
  private final AtomicLong transactionIds = new AtomicLong();
  private final Path childErrors;

  final AtomicLong kills = new AtomicLong();
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLong failedWrites = new AtomicLong();
  final AtomicLong placementsCompared = new AtomicLong();
  final AtomicLong checks = new AtomicLong();
  final AtomicLong resolved = new AtomicLong();
  final AtomicLong preparedAfterKills = new AtomicLong();
  final AtomicLong childrenStarted = new AtomicLong();

  private FaultHarness(Path directory, LocalCluster cluster, Connection spar) {
    this.directory = directory;
    this.cluster = cluster;
    this.spar = spar;
    this.childErrors = directory.resolve("children.stderr.log");
  }

  /** Starts a cluster in {@code directory} and connects to it through Spar in this JVM. */
  static FaultHarness start(Path directory) throws IOException, SQLException {
    Path dir = Files.createDirectories(directory).toAbsolutePath();
    LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), WORKERS);
    try {
      Connection spar = DriverManager.getConnection("jdbc:spar:local=" + dir.resolve("cluster")
          + ";workers=" + WORKERS, new Properties());
      FaultHarness harness = new FaultHarness(dir, cluster, spar);
      harness.makeCommitsDurable();
      harness.childOptions.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-Xmx256m", "-Xshare:auto"));
      return harness;
    } catch (SQLException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Turns {@code synchronous_commit} on in every node ({@code ALTER SYSTEM}, so it survives
   * restarts). LocalCluster runs nodes with it off, and then {@code pg_ctl stop -m immediate}
   * loses the last commits a node acknowledged: acknowledged one-phase writes on a crashed
   * worker would vanish for reasons that have nothing to do with Spar. (PREPARE TRANSACTION and
   * COMMIT PREPARED flush their WAL whatever the setting.)
   */
  private void makeCommitsDurable() throws SQLException {
    List<PgNode> nodes = new ArrayList<>(cluster.workers());
    nodes.add(cluster.coordinator());
    for (PgNode node : nodes) {
      try (Statement statement = direct(node.port()).createStatement()) {
        statement.execute("ALTER SYSTEM SET synchronous_commit = on");
        statement.execute("SELECT pg_reload_conf()");
      }
    }
  }

  /** Returns the cluster. */
  LocalCluster cluster() {
    return cluster;
  }

  /** Returns this JVM's Spar connection. */
  Connection spar() {
    return spar;
  }

  /** Returns the URL that a coordinator child opens: the coordinator, workers already known. */
  String childUrl() {
    return "jdbc:spar:coordinator=" + cluster.coordinator().jdbcUrl() + ";user="
        + LocalCluster.USER;
  }

  /** Opens a new Spar connection in this JVM (one per writer thread). */
  Connection openSpar() throws SQLException {
    return DriverManager.getConnection(childUrl(), new Properties());
  }

  // ---------------------------------------------------------------------------------------
  // Tables and keys

  /**
   * Creates {@code table (k bigint, v text, word_count int)} through Spar with {@code shards}
   * shards of {@code replication} placements each, and hashes its key space.
   */
  Ledger createTable(String table, int shards, int replication) throws SQLException {
    return createTable(table, shards, replication, "word_count int");
  }

  /**
   * Creates a table as {@link #createTable(String, int, int)} does, with {@code wordCount} as
   * the definition of its third column (say, {@code word_count int DEFAULT 0}).
   */
  Ledger createTable(String table, int shards, int replication, String wordCount)
      throws SQLException {
    try (Statement statement = spar.createStatement()) {
      statement.execute("CREATE TABLE " + table + " (k bigint, v text, " + wordCount + ")");
      statement.execute("SELECT master_create_distributed_table('" + table + "', 'k', 'hash')");
      statement.execute("SELECT master_create_worker_shards('" + table + "', " + shards + ", "
          + replication + ")");
    }
    pools.put(table, KeyPool.load(coordinator(), table));
    Ledger ledger = new Ledger(table);
    ledgers.put(table, ledger);
    return ledger;
  }

  /** Returns the ledger of {@code table}. */
  Ledger ledger(String table) {
    return ledgers.get(table);
  }

  /**
   * Returns {@code count} unused keys of distinct shards whose placements together cover every
   * worker, so that a transaction writing them needs two-phase commit.
   */
  long[] keysSpanningWorkers(String table, int count) {
    return pools.get(table).spanning(count);
  }

  /** Returns one unused key (beyond the hashed key space, so any number of them). */
  long nextKey(String table) {
    return pools.get(table).next();
  }

  /** Returns an unused key of the next shard, shards taken in turn (id order). */
  long nextKeyInTurn(String table) {
    return pools.get(table).nextInTurn();
  }

  /** Returns the shard id of {@code key} in {@code table}, asking the coordinator if need be. */
  long shardOf(String table, long key) {
    long shard = pools.get(table).shardOf(key);
    if (shard >= 0) {
      return shard;
    }
    try (PreparedStatement statement = coordinator().prepareStatement(
        "SELECT s.id FROM pgs_distribution_metadata.shard s WHERE s.relation_id = ?::regclass"
            + " AND hashint8(?::bigint) BETWEEN s.min_value::int AND s.max_value::int")) {
      statement.setString(1, table);
      statement.setLong(2, key);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      return -1;
    }
  }

  /** Returns the shard ids of {@code table} in id order. */
  List<Long> shards(String table) {
    return pools.get(table).shardIds();
  }

  /** Returns the worker nodes of the placements of {@code shard}, in placement order. */
  List<PgNode> placementNodes(long shard) throws SQLException {
    List<PgNode> nodes = new ArrayList<>();
    for (Placement each : placements(null)) {
      if (each.shardId() == shard) {
        nodes.add(worker(each.port()));
      }
    }
    return nodes;
  }

  /** Returns a fresh transaction id for the ledger's reasons and the child protocol. */
  long nextTransactionId() {
    return transactionIds.incrementAndGet();
  }

  // ---------------------------------------------------------------------------------------
  // Coordinator children

  /**
   * Starts a coordinator child armed at {@code point} (or unarmed if null) after {@code skip}
   * passes, and waits until its engine is up.
   */
  CoordinatorChild startChild(FaultPoint point, int skip) throws IOException,
      InterruptedException {
    return startChild(point == null ? null : point.label(), skip, childOptions);
  }

  /**
   * Starts a coordinator child whose every pass through {@code point} prints
   * {@code SPAR-FAULT-POINT} and waits for the harness to send {@code GO}.
   */
  CoordinatorChild startWaitingChild(FaultPoint point) throws IOException,
      InterruptedException {
    List<String> options = new ArrayList<>(childOptions);
    options.add("-Dspar.fault.wait=true");
    return startChild(point.label(), 0, options);
  }

  private CoordinatorChild startChild(String point, int skip, List<String> options)
      throws IOException, InterruptedException {
    CoordinatorChild child = CoordinatorChild.start(childUrl(), point, skip, options,
        childErrors);
    synchronized (children) {
      children.add(child);
    }
    childrenStarted.incrementAndGet();
    child.awaitReady();
    return child;
  }

  /**
   * Runs the JVM of the first child with {@code -XX:ArchiveClassesAtExit} so that the later
   * ones start from a class-data archive; skipped silently if the JVM cannot do that.
   */
  void warmUpChildren() throws IOException, InterruptedException {
    Path archive = directory.resolve("coordinator-child.jsa");
    List<String> options = new ArrayList<>(childOptions);
    options.add("-XX:ArchiveClassesAtExit=" + archive);
    CoordinatorChild child = CoordinatorChild.start(childUrl(), null, 0, options, childErrors);
    synchronized (children) {
      children.add(child);
    }
    childrenStarted.incrementAndGet();
    child.awaitReady();
    child.send("RECOVER warmup");
    child.nextLine();
    child.quit();
    if (Files.isRegularFile(archive)) {
      childOptions.add("-XX:SharedArchiveFile=" + archive);
    }
  }

  /**
   * Sends {@code TX} commands for {@code transactions} (keys per transaction) to {@code child};
   * the caller reads the answers with {@link #settle}.
   */
  Map<Long, long[]> sendTransactions(CoordinatorChild child, String table,
      List<long[]> transactions) throws IOException {
    Map<Long, long[]> sent = new LinkedHashMap<>();
    Ledger ledger = ledgers.get(table);
    for (long[] keys : transactions) {
      long id = nextTransactionId();
      sent.put(id, keys);
      for (long k : keys) {
        ledger.expect(k, Fate.UNDECIDED, "tx" + id + " sent to " + child);
      }
      StringBuilder command = new StringBuilder("TX " + id + " " + table);
      for (long k : keys) {
        command.append(' ').append(k);
      }
      child.send(command.toString());
    }
    return sent;
  }

  /** What happened to a batch of transactions sent to an armed child. */
  record Settled(List<Long> acknowledged, Map<Long, String> errors, Long inFlight,
      String faultPoint) {
  }

  /**
   * Reads the child's answers to {@code sent} until every transaction was answered or the
   * child reached its fault point, recording ACKs as PRESENT and errors as ABSENT. Transactions
   * not answered stay UNDECIDED for the caller.
   */
  Settled settle(CoordinatorChild child, String table, Map<Long, long[]> sent)
      throws InterruptedException {
    Ledger ledger = ledgers.get(table);
    List<Long> acks = new ArrayList<>();
    Map<Long, String> errors = new LinkedHashMap<>();
    List<Long> pending = new ArrayList<>(sent.keySet());
    while (!pending.isEmpty()) {
      String line = child.nextLine();
      if (line.startsWith("SPAR-FAULT-POINT ")) {
        return new Settled(acks, errors, pending.get(0), line.substring(17).trim());
      }
      if (line.equals(CoordinatorChild.EOF)) {
        child.awaitExit();
        throw new AssertionError("the " + child + " ended unexpectedly\n" + child.diagnostics());
      }
      String[] words = line.split(" ", 4);
      if (words.length < 2 || !(words[0].equals("ACK") || words[0].equals("ERR"))) {
        continue; // not protocol output
      }
      long id = Long.parseLong(words[1]);
      if (id != pending.get(0)) {
        throw new AssertionError("answer for tx" + id + " while tx" + pending.get(0)
            + " was in flight\n" + child.diagnostics());
      }
      pending.remove(0);
      long[] keys = sent.get(id);
      if (words[0].equals("ACK")) {
        acks.add(id);
        acknowledged.incrementAndGet();
        for (long k : keys) {
          ledger.expect(k, Fate.PRESENT, "tx" + id + " was acknowledged by " + child);
        }
      } else {
        String error = words.length > 3 ? words[2] + " " + words[3] : words[2];
        errors.put(id, error);
        failedWrites.incrementAndGet();
        for (long k : keys) {
          ledger.expect(k, Fate.ABSENT, "tx" + id + " failed (" + error + ") in " + child);
        }
      }
    }
    return new Settled(acks, errors, null, null);
  }

  /**
   * Returns what the checks require of the transaction in flight when the coordinator was
   * killed at {@code point}: before the commit record it must be rolled back by recovery,
   * after it it must be committed.
   */
  static Fate fateAfterKill(FaultPoint point) {
    return switch (point) {
      case BEFORE_PREPARE, AFTER_FIRST_PREPARE, AFTER_ALL_PREPARES -> Fate.ABSENT;
      case AFTER_COMMIT_RECORD, AFTER_FIRST_COMMIT_PREPARED -> Fate.PRESENT;
      case MOVE_COPIED, MOVE_WRITES_BLOCKED, BEFORE_SHARD_WRITE ->
          throw new IllegalArgumentException("not on the commit path: " + point);
    };
  }

  /** Kills {@code child} with SIGKILL and waits until the coordinator has forgotten it. */
  void kill(CoordinatorChild child) throws InterruptedException, SQLException {
    child.kill();
    kills.incrementAndGet();
    awaitCoordinatorQuiet();
    preparedAfterKills.addAndGet(reachablePrepared());
  }

  /**
   * Waits until no coordinator backend other than ours is inside a transaction or holds an
   * advisory lock: then the backends of a killed child are gone, and recovery will not take
   * its transactions for ones still in flight. Bounded, to report a hang instead of hanging.
   */
  void awaitCoordinatorQuiet() throws SQLException, InterruptedException {
    long deadline = System.currentTimeMillis() + QUIET_TIMEOUT_MILLIS;
    String sql = "SELECT pid, state, application_name, left(query, 80) FROM pg_stat_activity"
        + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        // The deadlock detector's leader holds its advisory lock for as long as its engine runs.
        + " AND application_name <> 'spar deadlock detector'"
        + " AND (state LIKE 'idle in transaction%' OR pid IN (SELECT pid FROM pg_locks"
        + " WHERE locktype = 'advisory' AND pid IS NOT NULL))";
    while (true) {
      List<String> busy = new ArrayList<>();
      try (Statement statement = coordinator().createStatement();
          ResultSet rs = statement.executeQuery(sql)) {
        while (rs.next()) {
          busy.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3) + " "
              + rs.getString(4));
        }
      }
      if (busy.isEmpty()) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("coordinator backends stay busy after a kill: " + busy);
      }
      Thread.sleep(20);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Recovery

  /**
   * Runs {@code SELECT recover_prepared_transactions()} on {@code connection} and returns the
   * number it resolved; fails if recovery fails.
   */
  long recover(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT recover_prepared_transactions()")) {
      rs.next();
      long count = rs.getLong(1);
      resolved.addAndGet(count);
      return count;
    }
  }

  /**
   * Runs recovery in this JVM's engine while a coordinator child is stopped at a fault point
   * with its transaction in flight, and fails unless it resolved nothing and left the prepared
   * transactions, and the commit records of their transactions, as they were: a recovery must
   * never decide about a transaction whose coordinator is still running it.
   */
  void assertRecoveryLeavesInFlightAlone(String when) throws SQLException {
    Set<String> prepared = preparedGids();
    Set<Long> inFlight = prepared.stream().map(FaultHarness::txidOf)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<Long> records = commitRecords(inFlight);
    long count = recover(spar);
    Set<String> preparedAfter = preparedGids();
    Set<Long> recordsAfter = commitRecords(inFlight);
    if (count != 0 || !prepared.equals(preparedAfter) || !records.equals(recordsAfter)) {
      throw new AssertionError("recovery decided about a transaction in flight " + when
          + ": it resolved " + count + "; prepared before " + prepared + ", after "
          + preparedAfter + "; commit records before " + records + ", after " + recordsAfter);
    }
  }

  /** Returns the {@code spar_} prepared transactions of the workers, as {@code gid@port}. */
  private Set<String> preparedGids() throws SQLException {
    Set<String> gids = new TreeSet<>();
    for (PgNode node : cluster.workers()) {
      try (Statement statement = direct(node.port()).createStatement();
          ResultSet rs = statement.executeQuery("SELECT gid FROM pg_prepared_xacts"
              + " WHERE gid LIKE 'spar\\_%'")) {
        while (rs.next()) {
          gids.add(rs.getString(1) + "@" + node.port());
        }
      }
    }
    return gids;
  }

  private static long txidOf(String gidAtPort) {
    String gid = gidAtPort.substring(0, gidAtPort.indexOf('@'));
    return Long.parseLong(gid.substring(gid.lastIndexOf('_') + 1));
  }

  /** Returns which of {@code txids} have a commit record in the coordinator. */
  private Set<Long> commitRecords(Set<Long> txids) throws SQLException {
    Set<Long> all = keys(coordinator(),
        "SELECT transaction_id FROM pgs_distribution_metadata.transaction");
    all.retainAll(txids);
    return new TreeSet<>(all);
  }

  /**
   * Restarts an engine (a new, unarmed coordinator child, whose start runs recovery too), runs
   * recovery in it explicitly, and returns the number it resolved.
   */
  long recoverInNewEngine() throws IOException, InterruptedException {
    try (CoordinatorChild child = startChild(null, 0)) {
      return recoverIn(child, true);
    }
  }

  /** Runs recovery in a running child; quits it afterwards if {@code quit}. */
  long recoverIn(CoordinatorChild child, boolean quit) throws IOException,
      InterruptedException {
    long id = nextTransactionId();
    child.send("RECOVER " + id);
    String line = child.nextLine();
    if (!line.startsWith("ACK " + id)) {
      throw new AssertionError("recover_prepared_transactions() failed in " + child + ": "
          + line + "\n" + child.diagnostics());
    }
    long count = Long.parseLong(line.substring(("ACK " + id + " ").length()).trim());
    resolved.addAndGet(count);
    if (quit) {
      child.quit();
    }
    return count;
  }

  // ---------------------------------------------------------------------------------------
  // Workers

  /** Crashes {@code worker} ({@code pg_ctl stop -m immediate}). */
  void stopWorker(PgNode worker) throws IOException {
    closeDirect(worker.port());
    cluster.stopNode(worker);
  }

  /** Restarts {@code worker} and waits until it accepts connections. */
  void startWorker(PgNode worker) throws IOException {
    cluster.startNode(worker);
  }

  // ---------------------------------------------------------------------------------------
  // The four checks

  /** One placement as the coordinator's metadata records it. */
  record Placement(long shardId, String nodeName, int port, int state) {
  }

  /** Result of one run of the four checks on one table. */
  record Report(String table, String when, List<String> violations, int placementsCompared,
      Set<Long> visible, int present, int inactivePlacements) {
    /** Returns how many keys the FINALIZED placements hold. */
    int visibleKeys() {
      return visible.size();
    }

    /** Fails with every violation if there was any. */
    void assertClean() {
      if (!violations.isEmpty()) {
        throw new AssertionError(violations.size() + " violation(s) on " + table + " " + when
            + ":\n  " + violations.stream().limit(60).collect(Collectors.joining("\n  ")));
      }
    }
  }

  /**
   * Runs the four checks on {@code table} against its ledger. Every shard must have a
   * FINALIZED placement; UNDECIDED keys are not judged. {@code when} labels the report.
   */
  Report check(String table, String when) throws SQLException {
    checks.incrementAndGet();
    Ledger ledger = ledgers.get(table);
    List<String> violations = new ArrayList<>();
    Map<Long, List<Placement>> byShard = new TreeMap<>();
    int inactive = 0;
    for (Placement each : placements(table)) {
      byShard.computeIfAbsent(each.shardId(), k -> new ArrayList<>()).add(each);
      inactive += each.state() == INACTIVE ? 1 : 0;
    }
    Set<Long> visible = new HashSet<>();
    int compared = 0;
    for (Map.Entry<Long, List<Placement>> shard : byShard.entrySet()) {
      String shardTable = table + "_" + shard.getKey();
      List<Placement> finalized = shard.getValue().stream()
          .filter(p -> p.state() == FINALIZED).toList();
      if (finalized.isEmpty()) {
        violations.add("[availability] shard " + shard.getKey() + " has no FINALIZED placement: "
            + shard.getValue());
        continue;
      }
      Map<Placement, String> hashes = new LinkedHashMap<>();
      Map<Placement, Set<Long>> keys = new LinkedHashMap<>();
      for (Placement placement : finalized) {
        try {
          Connection worker = direct(placement.port());
          hashes.put(placement, contentHash(worker, shardTable));
          keys.put(placement, keys(worker, "SELECT k FROM " + shardTable));
          compared++;
        } catch (SQLException e) {
          violations.add("[no divergence] cannot read FINALIZED placement " + shardTable + " on "
              + placement.nodeName() + ":" + placement.port() + ": " + e.getMessage());
        }
      }
      keys.values().forEach(visible::addAll);
      if (new HashSet<>(hashes.values()).size() > 1) {
        StringBuilder detail = new StringBuilder();
        Set<Long> union = new TreeSet<>();
        keys.values().forEach(union::addAll);
        for (Map.Entry<Placement, Set<Long>> each : keys.entrySet()) {
          Set<Long> missing = new TreeSet<>(union);
          missing.removeAll(each.getValue());
          detail.append("; on port ").append(each.getKey().port()).append(" md5 ")
              .append(hashes.get(each.getKey())).append(", ").append(each.getValue().size())
              .append(" rows, missing keys ").append(limit(missing));
        }
        violations.add("[no divergence] shard " + shardTable + " differs between its FINALIZED"
            + " placements" + detail);
      }
    }
    int present = 0;
    for (Ledger.Entry entry : ledger.entries().values()) {
      boolean seen = visible.contains(entry.key());
      if (entry.fate() == Fate.PRESENT) {
        present++;
        if (!seen) {
          violations.add("[no lost writes] key " + entry.key() + " (shard " + table + "_"
              + shardOf(table, entry.key()) + ") is missing: " + entry.why());
        }
      } else if (entry.fate() == Fate.ABSENT && seen) {
        violations.add("[no unacknowledged writes] key " + entry.key() + " (shard " + table + "_"
            + shardOf(table, entry.key()) + ") is visible: " + entry.why());
      }
    }
    for (long key : visible) {
      if (ledger.get(key) == null) {
        violations.add("[no unacknowledged writes] key " + key + " is visible but was never"
            + " written by the harness");
      }
    }
    Set<Long> throughSpar = keys(spar, "SELECT k FROM " + table);
    if (!throughSpar.equals(visible)) {
      Set<Long> onlySpar = new TreeSet<>(throughSpar);
      onlySpar.removeAll(visible);
      Set<Long> onlyPlacements = new TreeSet<>(visible);
      onlyPlacements.removeAll(throughSpar);
      violations.add("[read path] SELECT through Spar disagrees with the FINALIZED placements:"
          + " only through Spar " + limit(onlySpar) + ", only in placements "
          + limit(onlyPlacements));
    }
    violations.addAll(leftovers());
    placementsCompared.addAndGet(compared);
    return new Report(table, when, violations, compared, visible, present, inactive);
  }

  /** Returns a violation for each {@code spar_} prepared transaction left on any node. */
  List<String> leftovers() throws SQLException {
    List<String> violations = new ArrayList<>();
    List<PgNode> nodes = new ArrayList<>(cluster.workers());
    nodes.add(cluster.coordinator());
    for (PgNode node : nodes) {
      try (Statement statement = direct(node.port()).createStatement();
          ResultSet rs = statement.executeQuery("SELECT gid, prepared FROM pg_prepared_xacts"
              + " WHERE gid LIKE 'spar\\_%' ORDER BY gid")) {
        while (rs.next()) {
          violations.add("[no leftovers] prepared transaction " + rs.getString(1) + " (prepared "
              + rs.getString(2) + ") remains on " + node.name() + ":" + node.port());
        }
      }
    }
    return violations;
  }

  /** Returns the number of {@code spar_} prepared transactions on the nodes that are up. */
  private int reachablePrepared() {
    int count = 0;
    for (PgNode node : cluster.workers()) {
      try (Statement statement = direct(node.port()).createStatement();
          ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_prepared_xacts"
              + " WHERE gid LIKE 'spar\\_%'")) {
        rs.next();
        count += rs.getInt(1);
      } catch (SQLException e) {
        // A crashed worker: its prepared transactions are counted by the checks later.
      }
    }
    return count;
  }

  /** Returns the number of {@code spar_} prepared transactions on all nodes. */
  int preparedCount() throws SQLException {
    return leftovers().size();
  }

  /** Returns the placements of {@code table} (all tables if null) from the metadata. */
  List<Placement> placements(String table) throws SQLException {
    String sql = "SELECT p.shard_id, p.node_name, p.node_port, p.shard_state"
        + " FROM pgs_distribution_metadata.shard_placement p"
        + " JOIN pgs_distribution_metadata.shard s ON s.id = p.shard_id"
        + (table == null ? "" : " WHERE s.relation_id = ?::regclass")
        + " ORDER BY p.shard_id, p.id";
    List<Placement> placements = new ArrayList<>();
    try (PreparedStatement statement = coordinator().prepareStatement(sql)) {
      if (table != null) {
        statement.setString(1, table);
      }
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          placements.add(new Placement(rs.getLong(1), rs.getString(2), rs.getInt(3),
              rs.getInt(4)));
        }
      }
    }
    return placements;
  }

  private static String contentHash(Connection worker, String shardTable) throws SQLException {
    try (Statement statement = worker.createStatement();
        ResultSet rs = statement.executeQuery("SELECT md5(coalesce(string_agg(t::text, ','"
            + " ORDER BY t::text), '')) FROM " + shardTable + " t")) {
      rs.next();
      return rs.getString(1);
    }
  }

  static Set<Long> keys(Connection connection, String sql) throws SQLException {
    Set<Long> keys = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        keys.add(rs.getLong(1));
      }
    }
    return keys;
  }

  private static String limit(Set<Long> keys) {
    return keys.size() <= 20 ? keys.toString()
        : keys.stream().limit(20).map(String::valueOf).collect(Collectors.joining(", ", "[",
            ", ... " + (keys.size() - 20) + " more]"));
  }

  /** Returns the one-line summary of the counts. */
  String counts() {
    return "kills=" + kills + ", coordinator children started=" + childrenStarted
        + ", writes acknowledged=" + acknowledged + ", writes failed=" + failedWrites
        + ", placements compared=" + placementsCompared + ", checks=" + checks
        + ", spar_ prepared transactions left by kills=" + preparedAfterKills
        + ", resolved by explicit recover_prepared_transactions() calls=" + resolved
        + " (the rest by recovery at engine start)";
  }

  // ---------------------------------------------------------------------------------------
  // Connections

  /** Returns a plain connection to the coordinator (autocommit). */
  Connection coordinator() throws SQLException {
    return direct(cluster.coordinator().port());
  }

  /** Returns a plain connection to the node at {@code port}, reopened if it broke. */
  synchronized Connection direct(int port) throws SQLException {
    Connection connection = direct.get(port);
    if (connection != null && connection.isValid(5)) {
      return connection;
    }
    closeDirect(port);
    Properties properties = new Properties();
    properties.setProperty("user", LocalCluster.USER);
    properties.setProperty("connectTimeout", "5");
    connection = DriverManager.getConnection(node(port).jdbcUrl(), properties);
    direct.put(port, connection);
    return connection;
  }

  /** Opens a new plain connection to {@code node}, which the caller closes. */
  Connection openDirect(PgNode node) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", LocalCluster.USER);
    return DriverManager.getConnection(node.jdbcUrl(), properties);
  }

  /** Returns the worker at {@code port}. */
  PgNode worker(int port) {
    return cluster.workers().stream().filter(w -> w.port() == port).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no worker on port " + port));
  }

  private PgNode node(int port) {
    return cluster.coordinator().port() == port ? cluster.coordinator() : worker(port);
  }

  private synchronized void closeDirect(int port) {
    Connection connection = direct.remove(port);
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // A broken connection to a crashed node; nothing to close.
      }
    }
  }

  /** Kills every child still running, closes connections and stops the cluster. */
  @Override
  public void close() {
    synchronized (children) {
      children.forEach(CoordinatorChild::close);
    }
    for (int port : new ArrayList<>(direct.keySet())) {
      closeDirect(port);
    }
    try {
      spar.close();
    } catch (SQLException e) {
      // Closing anyway.
    }
    cluster.close();
  }

  /**
   * Keys of one table grouped by the shard their hash falls in (computed by the coordinator's
   * own {@code hashint8}), with the workers of each shard's placements.
   */
  private static final class KeyPool {
    private final Map<Long, Deque<Long>> byShard = new TreeMap<>();
    private final Map<Long, Long> shardOfKey = new HashMap<>();
    private final Map<Long, Set<Integer>> ports = new HashMap<>();
    private final List<Long> shardIds;
    private int cursor;

    private KeyPool(List<Long> shardIds) {
      this.shardIds = shardIds;
    }

    static KeyPool load(Connection coordinator, String table) throws SQLException {
      Map<Long, Set<Integer>> ports = new TreeMap<>();
      try (PreparedStatement statement = coordinator.prepareStatement(
          "SELECT s.id, p.node_port FROM pgs_distribution_metadata.shard s"
              + " JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
              + " WHERE s.relation_id = ?::regclass ORDER BY s.id, p.id")) {
        statement.setString(1, table);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            ports.computeIfAbsent(rs.getLong(1), k -> new HashSet<>()).add(rs.getInt(2));
          }
        }
      }
      KeyPool pool = new KeyPool(new ArrayList<>(ports.keySet()));
      pool.ports.putAll(ports);
      try (PreparedStatement statement = coordinator.prepareStatement(
          "SELECT g.k, s.id FROM generate_series(1, " + KEY_SPACE + ") g(k)"
              + " JOIN pgs_distribution_metadata.shard s ON s.relation_id = ?::regclass"
              + " AND hashint8(g.k) BETWEEN s.min_value::int AND s.max_value::int"
              + " ORDER BY g.k")) {
        statement.setString(1, table);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            pool.byShard.computeIfAbsent(rs.getLong(2), k -> new ArrayDeque<>())
                .add(rs.getLong(1));
            pool.shardOfKey.put(rs.getLong(1), rs.getLong(2));
          }
        }
      }
      return pool;
    }

    List<Long> shardIds() {
      return shardIds;
    }

    long shardOf(long key) {
      return shardOfKey.getOrDefault(key, -1L);
    }

    /** Keys beyond the hashed key space, for writes that need no particular shard. */
    private final AtomicLong unhashed = new AtomicLong(KEY_SPACE);

    long next() {
      return unhashed.incrementAndGet();
    }

    synchronized long nextInTurn() {
      return take(shardIds.get(cursor++ % shardIds.size()));
    }

    synchronized long[] spanning(int count) {
      if (count > shardIds.size()) {
        throw new IllegalArgumentException(count + " keys of distinct shards, but only "
            + shardIds.size() + " shards");
      }
      Set<Integer> allPorts = new HashSet<>();
      ports.values().forEach(allPorts::addAll);
      for (int attempt = 0; attempt < shardIds.size(); attempt++) {
        int start = cursor++;
        Set<Integer> covered = new HashSet<>();
        List<Long> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          long shard = shardIds.get((start + i) % shardIds.size());
          chosen.add(shard);
          covered.addAll(ports.get(shard));
        }
        if (covered.size() >= Math.min(2, allPorts.size())) {
          long[] keys = new long[count];
          for (int i = 0; i < count; i++) {
            keys[i] = take(chosen.get(i));
          }
          return keys;
        }
      }
      throw new IllegalStateException("no " + count + " consecutive shards span two workers");
    }

    private long take(long shard) {
      Long key = byShard.get(shard).poll();
      if (key == null) {
        throw new IllegalStateException("key pool of shard " + shard + " is used up");
      }
      return key;
    }
  }
}
