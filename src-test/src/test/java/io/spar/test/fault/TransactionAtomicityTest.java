package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.engine.transactions.FaultPoint;
import io.spar.test.fault.Ledger.Fate;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, acceptances 2 and 3: a transaction over 3 shards on 2 workers is all-or-nothing on
 * rollback and commit, and a multi-shard {@code DELETE ... WHERE word_count < 1000} is atomic
 * when a worker crashes in the middle of it.
 */
class TransactionAtomicityTest {
  static final String TARGET = "word_count < 1000";

  @TempDir
  static Path directory;
  static FaultHarness harness;

  @BeforeAll
  static void start() throws Exception {
    harness = FaultHarness.start(directory);
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      System.out.println("TransactionAtomicityTest counts: " + harness.counts());
      harness.close();
    }
  }

  /** Acceptance 2, rollback: nothing of the 3 rows is left on any placement. */
  @ParameterizedTest(name = "replication factor {0}")
  @ValueSource(ints = {1, 2})
  void rolledBackTransactionLeavesNothing(int replication) throws Exception {
    String table = "fault_rollback_rf" + replication;
    Ledger ledger = harness.createTable(table, 4, replication);
    long[] keys = harness.keysSpanningWorkers(table, 3);
    try (Connection spar = harness.openSpar()) {
      spar.setAutoCommit(false);
      insert(spar, table, keys, "rolled back");
      assertEquals(3, count(spar, "SELECT count(*) FROM " + table),
          "the transaction sees its own 3 rows");
      spar.rollback();
      for (long k : keys) {
        ledger.expect(k, Fate.ABSENT, "inserted in a transaction that was rolled back");
      }
      assertEquals(0, count(spar, "SELECT count(*) FROM " + table));
    }
    harness.check(table, "after ROLLBACK of a transaction on 3 shards").assertClean();
  }

  /** Acceptance 2, commit: all 3 rows are on every placement of their shards. */
  @ParameterizedTest(name = "replication factor {0}")
  @ValueSource(ints = {1, 2})
  void committedTransactionLeavesAllRows(int replication) throws Exception {
    String table = "fault_commit_rf" + replication;
    Ledger ledger = harness.createTable(table, 4, replication);
    long[] keys = harness.keysSpanningWorkers(table, 3);
    try (Connection spar = harness.openSpar()) {
      spar.setAutoCommit(false);
      insert(spar, table, keys, "committed");
      spar.commit();
      for (long k : keys) {
        ledger.expect(k, Fate.PRESENT, "inserted in a committed transaction");
      }
      spar.setAutoCommit(true);
      assertEquals(3, count(spar, "SELECT count(*) FROM " + table));
    }
    FaultHarness.Report report = harness.check(table, "after COMMIT of a transaction on 3 shards");
    report.assertClean();
    assertEquals(4 * replication, report.placementsCompared(), "every placement of the 4"
        + " shards, the unwritten one too, is FINALIZED and compared");
  }

  /**
   * Acceptance 3, worker crash: the DELETE is held in the middle by a lock on its third shard
   * (it has already deleted from the first two, on both workers), the other worker is crashed,
   * the lock released and the DELETE finishes or fails. Afterwards the target rows are all
   * there (the DELETE failed) or all gone (it was acknowledged), on every FINALIZED placement.
   */
  @ParameterizedTest(name = "replication factor {0}")
  @ValueSource(ints = {1, 2})
  void deleteWithWorkerCrashedMidwayIsAllOrNothing(int replication) throws Exception {
    String table = "fault_delete_crash_rf" + replication;
    harness.createTable(table, 8, replication);
    Set<Long> targets = load(table, 48);
    long lockedShard = harness.shards(table).get(2);
    PgNode holder = harness.placementNodes(lockedShard).get(0);
    PgNode victim = harness.cluster().workers().stream().filter(w -> !w.equals(holder))
        .findFirst().orElseThrow();
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread delete = null;
    try (Connection locker = harness.openDirect(holder)) {
      locker.setAutoCommit(false);
      try (Statement statement = locker.createStatement()) {
        statement.execute("LOCK TABLE " + table + "_" + lockedShard + " IN ACCESS EXCLUSIVE MODE");
      }
      delete = new Thread(() -> {
        try (Connection spar = harness.openSpar(); Statement statement = spar.createStatement()) {
          outcome.set(statement.executeUpdate("DELETE FROM " + table + " WHERE " + TARGET));
        } catch (SQLException e) {
          outcome.set(e);
        }
      }, "fault-delete");
      delete.start();
      awaitBlockedDelete(holder, delete);
      System.out.println("DELETE blocked on " + table + "_" + lockedShard + " on " + holder.name()
          + "; open DELETE work on " + victim.name() + ": " + openDeletes(victim));
      harness.stopWorker(victim);
      locker.rollback();
      locker.setAutoCommit(true);
      delete.join(180_000);
      assertTrue(!delete.isAlive(), "the DELETE did not return after its lock was released");
    } finally {
      harness.startWorker(victim);
    }
    harness.awaitCoordinatorQuiet();
    String recovery = recoverTolerant();
    assertAllOrNone(table, targets, outcome.get(), "the crash of " + victim.name()
        + " in the middle of the DELETE, " + recovery);
  }

  /**
   * Acceptance 3, coordinator crash: the DELETE runs in a coordinator child armed at
   * {@code point}; when the point fires, a worker is crashed and the coordinator killed. After
   * the worker's restart and recovery in a new engine, the DELETE is rolled back (killed before
   * its commit record: every row is there) or committed (after it: every target row is gone).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = FaultPoint.class, names = {"AFTER_FIRST_PREPARE", "AFTER_COMMIT_RECORD"})
  void deleteWithCoordinatorKilledMidwayIsAllOrNothing(FaultPoint point) throws Exception {
    String table = "fault_delete_kill_" + point.name().toLowerCase();
    Ledger ledger = harness.createTable(table, 8, 2);
    Set<Long> targets = load(table, 48);
    PgNode victim = harness.cluster().workers().get(0);
    try (CoordinatorChild child = harness.startChild(point, 0)) {
      child.send("DEL " + harness.nextTransactionId() + " " + table + " " + TARGET);
      String line = child.nextLine();
      if (!line.startsWith("SPAR-FAULT-POINT ")) {
        throw new AssertionError("fault point " + point.label() + " was not reached by"
            + " a replicated multi-shard DELETE; the child answered: " + line + "\n"
            + child.diagnostics());
      }
      harness.stopWorker(victim);
      harness.kill(child);
    } finally {
      harness.startWorker(victim);
    }
    long resolved = harness.recoverInNewEngine();
    Fate fate = FaultHarness.fateAfterKill(point);
    for (long k : targets) {
      ledger.expect(k, fate == Fate.PRESENT ? Fate.ABSENT : Fate.PRESENT, "target of a DELETE"
          + " whose coordinator was killed at " + point.label() + " while "
          + victim.name() + " crashed");
    }
    harness.check(table, "after the DELETE was killed at " + point.label()
        + " and recovery resolved " + resolved).assertClean();
  }

  /**
   * Inserts {@code rows} rows through Spar, shards in turn, half of each shard's rows targets
   * of the DELETE.
   */
  private static Set<Long> load(String table, int rows) throws SQLException {
    Ledger ledger = harness.ledger(table);
    Set<Long> targets = new HashSet<>();
    try (PreparedStatement insert = harness.spar().prepareStatement(
        "INSERT INTO " + table + " (k, v, word_count) VALUES (?, ?, ?)")) {
      for (int i = 0; i < rows; i++) {
        long k = harness.nextKeyInTurn(table);
        int wordCount = (i / 8) % 2 == 0 ? 100 + i : 1000 + i; // each shard gets both kinds
        insert.setLong(1, k);
        insert.setString(2, "row" + i);
        insert.setInt(3, wordCount);
        assertEquals(1, insert.executeUpdate());
        ledger.expect(k, Fate.PRESENT, wordCount < 1000 ? "target of the DELETE, loaded"
            : "loaded with word_count >= 1000, which the DELETE must never touch");
        if (wordCount < 1000) {
          targets.add(k);
        }
      }
    }
    return targets;
  }

  /**
   * Checks that the target rows are all visible or none is, and that this matches what the
   * client was told: acknowledged means none, an error means all; then the four checks.
   */
  private static void assertAllOrNone(String table, Set<Long> targets, Object outcome,
      String when) throws SQLException {
    Ledger ledger = harness.ledger(table);
    for (long k : targets) {
      ledger.expect(k, Fate.UNDECIDED, "target of the DELETE");
    }
    FaultHarness.Report report = harness.check(table, "after " + when);
    Set<Long> left = new HashSet<>(targets);
    left.retainAll(report.visible());
    System.out.println("DELETE outcome: " + (outcome instanceof SQLException e
        ? "failed with " + e.getSQLState() + " " + e.getMessage() : "deleted " + outcome)
        + "; " + left.size() + " of " + targets.size() + " target rows left on FINALIZED"
        + " placements; INACTIVE placements " + report.inactivePlacements() + "; " + when);
    report.assertClean();
    assertTrue(left.isEmpty() || left.size() == targets.size(), "the DELETE was not atomic: "
        + left.size() + " of " + targets.size() + " target rows remain after " + when
        + "; remaining " + new java.util.TreeSet<>(left));
    boolean acknowledged = !(outcome instanceof SQLException);
    for (long k : targets) {
      ledger.expect(k, acknowledged ? Fate.ABSENT : Fate.PRESENT, acknowledged
          ? "target of a DELETE that was acknowledged" : "target of a DELETE that failed");
    }
    harness.check(table, "after " + when + " (the client was told: "
        + (acknowledged ? "deleted " + outcome : "failed") + ")").assertClean();
  }

  /** Waits until the DELETE waits for the lock on {@code holder} (bounded: reports a hang). */
  private static void awaitBlockedDelete(PgNode holder, Thread delete) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    while (true) {
      if (count(harness.direct(holder.port()), "SELECT count(*) FROM pg_stat_activity"
          + " WHERE wait_event_type = 'Lock' AND query ILIKE 'DELETE%'") > 0) {
        return;
      }
      if (!delete.isAlive()) {
        throw new AssertionError("the DELETE returned without waiting for the locked shard");
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the DELETE never waited for the locked shard on "
            + holder.name());
      }
      Thread.sleep(20);
    }
  }

  private static List<String> openDeletes(PgNode worker) throws SQLException {
    List<String> open = new ArrayList<>();
    try (Statement statement = harness.direct(worker.port()).createStatement();
        ResultSet rs = statement.executeQuery("SELECT state || ': ' || left(query, 60)"
            + " FROM pg_stat_activity WHERE query ILIKE 'DELETE%'"
            + " AND pid <> pg_backend_pid()")) {
      while (rs.next()) {
        open.add(rs.getString(1));
      }
    }
    return open;
  }

  private static String recoverTolerant() throws SQLException {
    try {
      return "recovery resolved " + harness.recover(harness.spar());
    } catch (SQLException e) {
      if ("42883".equals(e.getSQLState()) && harness.preparedCount() == 0) {
        return "recovery unavailable (42883), no prepared transactions left";
      }
      throw e;
    }
  }

  private static void insert(Connection spar, String table, long[] keys, String why)
      throws SQLException {
    try (PreparedStatement insert = spar.prepareStatement(
        "INSERT INTO " + table + " (k, v) VALUES (?, ?)")) {
      for (long k : keys) {
        insert.setLong(1, k);
        insert.setString(2, why);
        assertEquals(1, insert.executeUpdate());
      }
    }
  }

  private static long count(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
