package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test case for issue 8: an increment must not run between the placements of an INSERT that is
 * landing. A coordinator child inserts a row with {@code word_count DEFAULT 0} into a shard with
 * two placements and is held at {@link FaultPoint#AFTER_FIRST_COMMIT_PREPARED}: the row is
 * committed on one placement and only prepared on the other. An increment of that row then must
 * either wait for the INSERT to land everywhere or miss the row everywhere; it used to take the
 * shard lock in the same shared mode as the INSERT, at the first placement only, and add 1 on
 * one placement while the other, where the row was not committed yet, kept 0.
 *
 * <p>Every wait is for a condition (the fault point's line, the increment waiting for a lock or
 * returning, the prepared transaction resolved), bounded only to report a hang.
 */
class InsertIncrementInterleavingTest {
  private static final String TABLE = "fault_increment";
  /** First key of Spar's shard locks ("spar" in ASCII), as WriteClass takes them. */
  private static final long LOCK_SPACE = 0x73706172L;
  private static final long WAIT_MILLIS = 120_000;

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
      harness.close();
    }
  }

  @Test
  void incrementNeverSeesAnInsertOnOnlyOnePlacement() throws Exception {
    Ledger ledger = harness.createTable(TABLE, 4, 2, "word_count int DEFAULT 0");
    long key = harness.nextKey(TABLE);
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread increment;
    try (CoordinatorChild child = harness.startChild(FaultPoint.AFTER_FIRST_COMMIT_PREPARED, 0)) {
      child.send("TX " + harness.nextTransactionId() + " " + TABLE + " " + key);
      String line = child.nextLine();
      assertTrue(line.startsWith("SPAR-FAULT-POINT "), "the INSERT did not stop between its"
          + " placements' commits: " + line + "\n" + child.diagnostics());
      increment = new Thread(() -> outcome.set(increment(key)), "increment");
      increment.start();
      String state = awaitWaitingOrDone(increment);
      System.out.println("increment while the INSERT is half committed: " + state);
      child.kill();
    }
    resolvePrepared();
    increment.join(WAIT_MILLIS);
    assertFalse(increment.isAlive(), "the increment did not return after the INSERT landed");
    if (outcome.get() instanceof Throwable failure) {
      throw new AssertionError("the increment failed", failure);
    }
    ledger.expect(key, Fate.PRESENT, "inserted by a transaction killed after its first"
        + " COMMIT PREPARED, which recovery commits");
    harness.check(TABLE, "after an increment ran while an INSERT was half committed")
        .assertClean();
    List<Integer> counts = wordCounts(key);
    assertEquals(2, counts.size(), "both placements hold the row: " + counts);
    assertEquals(counts.get(0), counts.get(1), "placements of key " + key + " differ");
  }

  private static Object increment(long key) {
    try (Connection spar = harness.openSpar();
        PreparedStatement update = spar.prepareStatement(
            "UPDATE " + TABLE + " SET word_count = word_count + 1 WHERE k = ?")) {
      update.setLong(1, key);
      return update.executeUpdate();
    } catch (SQLException e) {
      return e;
    }
  }

  /**
   * Waits until the increment waits for a shard lock on some worker, or has returned, and says
   * which.
   */
  private static String awaitWaitingOrDone(Thread increment) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (increment.isAlive()) {
      for (PgNode worker : harness.cluster().workers()) {
        if (count(harness.direct(worker.port()), "SELECT count(*) FROM pg_locks"
            + " WHERE locktype = 'advisory' AND NOT granted AND classid = " + LOCK_SPACE
            + "::oid") > 0) {
          return "waiting for the shard lock on " + worker.name();
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the increment neither returned nor waited for a shard lock");
      }
      Thread.sleep(20);
    }
    return "returned without waiting";
  }

  /**
   * Runs recovery until the killed child's prepared transaction is committed: recovery leaves
   * it alone while the killed backend still holds its in-flight lock.
   */
  private static void resolvePrepared() throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (harness.preparedCount() > 0) {
      harness.recover(harness.spar());
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("recovery left " + harness.leftovers());
      }
      Thread.sleep(20);
    }
  }

  private static List<Integer> wordCounts(long key) throws SQLException {
    long shard = harness.shardOf(TABLE, key);
    List<Integer> counts = new ArrayList<>();
    for (PgNode node : harness.placementNodes(shard)) {
      try (Statement statement = harness.direct(node.port()).createStatement();
          ResultSet rs = statement.executeQuery("SELECT word_count FROM " + TABLE + "_" + shard
              + " WHERE k = " + key)) {
        while (rs.next()) {
          counts.add(rs.getInt(1));
        }
      }
    }
    return counts;
  }

  private static long count(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
