package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.transactions.FaultPoint;
import io.spar.test.fault.Ledger.Fate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, acceptance 1 (the crash matrix): a coordinator process is killed with SIGKILL at
 * every {@link FaultPoint} of the commit path, {@value #DEFAULT_ITERATIONS} times each (more
 * with {@code -Dspar.fault.iterations=N}, as the {@code soak} profile does), while it commits
 * transactions that write 3 keys of 3 shards replicated on both workers. After each kill an
 * engine runs recovery (alternately: a new engine, the next coordinator child, which recovers at
 * start and is then asked to; or the test JVM's running engine, through
 * {@code SELECT recover_prepared_transactions()}), and the four checks must find nothing.
 *
 * <p>Each child first commits {@code skip} transactions ({@code -Dspar.fault.skip}), 0 to 3,
 * that must survive, then is killed in the next one; one more transaction is queued behind it
 * and must never appear.
 *
 * <p>Test case for issue 8: before each kill, while the child waits at the fault point, a
 * recovery in the test JVM must resolve nothing and leave the in-flight transaction's prepared
 * transactions and commit record as they are (it used to commit them at
 * {@code after-commit-record}, and could delete the record of a young transaction so that a
 * later recovery rolled it back). Every wait is for a condition (a line from the child, the
 * killed child's sessions gone, a recovery run finished), never for a time.
 */
class CrashMatrixTest {
  static final int DEFAULT_ITERATIONS = 20;
  static final String TABLE = "fault_matrix";

  @TempDir
  static Path directory;
  static FaultHarness harness;

  @BeforeAll
  static void start() throws Exception {
    harness = FaultHarness.start(directory);
    harness.createTable(TABLE, 8, 2);
    harness.warmUpChildren();
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      System.out.println("CrashMatrixTest counts: " + harness.counts());
      harness.close();
    }
  }

  @Test
  void everyKillPointRecoversWithoutViolations() throws Exception {
    int iterations = Integer.getInteger("spar.fault.iterations", DEFAULT_ITERATIONS);
    long started = System.nanoTime();
    String previous = null;
    try {
      for (FaultPoint point : FaultPoint.commitPath()) {
        for (int i = 0; i < iterations; i++) {
          int skip = i % 4;
          CoordinatorChild child = harness.startChild(point, skip);
          // The new engine instance recovers what the previous kill left, then the checks run.
          if (previous != null) {
            harness.recoverIn(child, false);
            harness.check(TABLE, "after recovery of " + previous).assertClean();
          }
          crash(child, point, skip, i);
          previous = point.label() + " #" + i;
          if (i % 2 == 1) {
            // Every other time, recovery runs at once in this JVM's engine instead.
            long resolved = harness.recover(harness.spar());
            harness.check(TABLE, "after recovery of " + previous + " in the test JVM's engine,"
                + " which resolved " + resolved).assertClean();
            previous = null;
          }
        }
      }
      if (previous != null) {
        harness.recoverInNewEngine();
        harness.check(TABLE, "after recovery of " + previous).assertClean();
      }
    } finally {
      System.out.println("CrashMatrixTest: " + harness.counts() + ", "
          + (System.nanoTime() - started) / 1_000_000 + " ms");
    }
    assertEquals((long) iterations * FaultPoint.commitPath().size(), harness.kills.get());
  }

  /** Sends skip + 2 transactions, expects the fault point in the one after skip, kills. */
  private static void crash(CoordinatorChild child, FaultPoint point, int skip, int iteration)
      throws Exception {
    List<long[]> transactions = new ArrayList<>();
    for (int t = 0; t < skip + 2; t++) {
      transactions.add(harness.keysSpanningWorkers(TABLE, 3));
    }
    Map<Long, long[]> sent = harness.sendTransactions(child, TABLE, transactions);
    FaultHarness.Settled settled = harness.settle(child, TABLE, sent);
    if (!settled.errors().isEmpty()) {
      child.close();
      throw new AssertionError("a transaction failed on a healthy cluster before "
          + point.label() + " #" + iteration + " fired: " + settled.errors() + "\n"
          + child.diagnostics());
    }
    if (settled.inFlight() == null) {
      child.close();
      throw new AssertionError("fault point " + point.label() + " was never reached in "
          + sent.size() + " replicated 3-shard transactions (skip " + skip + "); they were all"
          + " acknowledged without it\n" + child.diagnostics());
    }
    assertEquals(point.label(), settled.faultPoint(), "the armed point fired");
    // The child now waits at the point, its transaction in flight, for as long as it takes.
    harness.assertRecoveryLeavesInFlightAlone("at " + point.label() + " #" + iteration);
    harness.kill(child);
    Ledger ledger = harness.ledger(TABLE);
    Fate fate = FaultHarness.fateAfterKill(point);
    boolean behind = false;
    for (Map.Entry<Long, long[]> each : sent.entrySet()) {
      long id = each.getKey();
      if (id == settled.inFlight()) {
        behind = true;
        for (long k : each.getValue()) {
          ledger.expect(k, fate, "tx" + id + " was in flight when the coordinator was killed at "
              + point.label() + " (iteration " + iteration + "), so after recovery it"
              + " must be " + fate);
        }
      } else if (behind) {
        for (long k : each.getValue()) {
          ledger.expect(k, Fate.ABSENT, "tx" + id + " was queued behind the killed one and never"
              + " ran");
        }
      }
    }
    if (settled.acknowledged().size() != skip) {
      System.out.println("note: " + point.label() + " fired after "
          + settled.acknowledged().size() + " acknowledged transactions, skip was " + skip);
    }
  }
}
