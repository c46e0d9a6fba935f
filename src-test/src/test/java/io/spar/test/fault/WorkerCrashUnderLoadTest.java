package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.test.fault.Ledger.Fate;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, acceptance 1 (worker crash under load): 4 writer threads, each on its own Spar
 * connection, insert into a table replicated on both workers for {@value #DEFAULT_SECONDS} s
 * ({@code -Dspar.fault.loadSeconds=N}); a worker is crashed ({@code pg_ctl stop -m immediate})
 * after a quarter of that and restarted after two thirds. Then recovery runs and the four checks
 * must find nothing: FINALIZED placements identical (the crashed worker's written placements
 * are INACTIVE by then), every acknowledged write present, every failed one absent, no prepared
 * transaction left. The soak profile repeats the crash cycle ({@code -Dspar.fault.loadCycles}).
 */
class WorkerCrashUnderLoadTest {
  static final int DEFAULT_SECONDS = 30;
  static final int WRITERS = 4;
  static final String TABLE = "fault_load";

  @TempDir
  static Path directory;
  static FaultHarness harness;

  @BeforeAll
  static void start() throws Exception {
    harness = FaultHarness.start(directory);
    harness.createTable(TABLE, 8, 2);
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      System.out.println("WorkerCrashUnderLoadTest counts: " + harness.counts());
      harness.close();
    }
  }

  @Test
  void workerCrashedMidLoadLeavesNoViolations() throws Exception {
    long seconds = Integer.getInteger("spar.fault.loadSeconds", DEFAULT_SECONDS);
    int cycles = Integer.getInteger("spar.fault.loadCycles", 1);
    List<PgNode> crashed = new ArrayList<>();
    Ledger ledger = harness.ledger(TABLE);
    AtomicBoolean running = new AtomicBoolean(true);
    Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    List<Throwable> died = new ArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      Thread thread = new Thread(() -> {
        try (Connection spar = harness.openSpar();
            PreparedStatement insert = spar.prepareStatement(
                "INSERT INTO " + TABLE + " (k, v) VALUES (?, ?)")) {
          while (running.get()) {
            long k = harness.nextKey(TABLE);
            ledger.expect(k, Fate.UNDECIDED, "writer " + writer + " in flight");
            insert.setLong(1, k);
            insert.setString(2, "w" + writer);
            try {
              insert.executeUpdate();
              harness.acknowledged.incrementAndGet();
              ledger.expect(k, Fate.PRESENT, "acknowledged to writer " + writer);
            } catch (SQLException e) {
              harness.failedWrites.incrementAndGet();
              errors.computeIfAbsent(e.getSQLState() + " " + e.getMessage(),
                  m -> new AtomicLong()).incrementAndGet();
              ledger.expect(k, Fate.ABSENT, "failed for writer " + writer + ": "
                  + e.getSQLState() + " " + e.getMessage());
            }
          }
        } catch (Throwable e) {
          synchronized (died) {
            died.add(e);
          }
        }
      }, "fault-writer-" + w);
      writers.add(thread);
    }
    long started = System.nanoTime();
    writers.forEach(Thread::start);
    try {
      for (int cycle = 0; cycle < cycles; cycle++) {
        long base = cycle * seconds * 1000;
        // worker2 first; later cycles alternate, so a crash may hit the last FINALIZED copy.
        PgNode victim = harness.cluster().workers().get((cycle + 1) % FaultHarness.WORKERS);
        crashed.add(victim);
        sleepUntil(started, base + seconds * 1000 / 4);
        harness.stopWorker(victim);
        System.out.println("crashed " + victim.name() + " at " + elapsed(started) + " ms, "
            + harness.acknowledged + " writes acknowledged");
        sleepUntil(started, base + seconds * 1000 * 2 / 3);
        harness.startWorker(victim);
        System.out.println("restarted " + victim.name() + " at " + elapsed(started) + " ms, "
            + harness.acknowledged + " writes acknowledged");
        sleepUntil(started, base + seconds * 1000);
      }
    } finally {
      running.set(false);
      for (Thread each : writers) {
        each.join();
      }
      for (PgNode each : crashed) {
        harness.startWorker(each);
      }
    }
    assertTrue(died.isEmpty(), "writer threads died: " + died);
    harness.awaitCoordinatorQuiet();
    String recovery = recover();
    FaultHarness.Report report = harness.check(TABLE, "after crashes of "
        + crashed.stream().map(PgNode::name).toList() + " under load and " + recovery);
    System.out.println("WorkerCrashUnderLoadTest: " + harness.counts() + ", " + recovery
        + ", visible keys=" + report.visibleKeys() + ", INACTIVE placements="
        + report.inactivePlacements() + ", errors by message=" + new TreeMap<>(errors) + ", "
        + elapsed(started) + " ms");
    report.assertClean();
  }

  /**
   * Runs recovery in this JVM's engine. While {@code recover_prepared_transactions()} does not
   * exist yet (42883) and no prepared transaction is left anywhere, there is nothing it could
   * do, so the checks still apply; any leftover fails the "no leftovers" check either way.
   */
  private static String recover() throws SQLException {
    try {
      return "recovery resolved " + harness.recover(harness.spar());
    } catch (SQLException e) {
      if ("42883".equals(e.getSQLState()) && harness.preparedCount() == 0) {
        return "recovery unavailable (" + e.getMessage() + "), no prepared transactions left";
      }
      throw e;
    }
  }

  private static void sleepUntil(long started, long millis) throws InterruptedException {
    long remaining = millis - elapsed(started);
    if (remaining > 0) {
      Thread.sleep(remaining);
    }
  }

  private static long elapsed(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
