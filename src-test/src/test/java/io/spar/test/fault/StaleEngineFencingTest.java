package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.engine.transactions.FaultPoint;
import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's acceptance 4, a stale engine is fenced. Engine A, in a process of its own, has a
 * prepared write routed to a shard by the catalog it cached, and is stopped with SIGSTOP while
 * the write waits for the shard's table: engine B, in another process, holds the switch of a
 * move of that shard at the point before it commits. B commits the move; A resumes. A's write
 * lands on the new placement (retried outside a transaction block) or fails with 40001 (inside
 * one), and never on the old placement.
 */
class StaleEngineFencingTest {
  private static final String PLACEMENT = "SELECT node_port FROM"
      + " pgs_distribution_metadata.shard_placement WHERE shard_id = ";

  @TempDir
  static Path directory;

  @Test
  void pausedEngineNeverWritesTheOldPlacement() throws Exception {
    try (FaultHarness harness = FaultHarness.start(directory.resolve("harness"))) {
      Connection spar = harness.spar();
      Sql.run(spar, "CREATE TABLE sf_events (id bigint PRIMARY KEY, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('sf_events', 'id', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('sf_events', 4, 1)");
      long shard = shardOf(spar, 1);
      List<Long> keys = new ArrayList<>();
      for (long key = 1; keys.size() < 3; key++) {
        if (shardOf(spar, key) == shard) {
          keys.add(key);
        }
      }
      List<PgNode> workers = harness.cluster().workers();
      PgNode source = node(workers, spar, shard);
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();

      CoordinatorChild stale = harness.startChild(null, 0);
      CoordinatorChild mover = harness.startWaitingChild(FaultPoint.BEFORE_PREPARE);
      expect(stale, "PREPARE 1 INSERT INTO sf_events VALUES (?, 'stale')", "ACK 1");
      expect(stale, "EXECUTE 2 " + keys.get(0), "ACK 2 1");

      // Outside a transaction block the write is retried on the new placement.
      String answer = writeWhileMoving(stale, "EXECUTE 3 " + keys.get(1), mover, "1",
          move(shard, source, target, "logical"), source);
      assertEquals("ACK 3 1", answer, stale.diagnostics());
      assertPlaced(spar, shard, keys.get(1), 1, target, source);

      // Inside a block it cannot be retried alone: 40001, and the block is rolled back.
      expect(stale, "BEGIN 4", "ACK 4");
      answer = writeWhileMoving(stale, "EXECUTE 5 " + keys.get(2), mover, "2",
          move(shard, target, source, "block_writes"), target);
      assertTrue(answer.startsWith("ERR 5 40001 "), answer + "\n" + stale.diagnostics());
      assertPlaced(spar, shard, keys.get(2), 0, source, target);
      assertTrue(stale.stderrContains("changed after a statement was routed"),
          stale.diagnostics());

      // The statement prepared before the moves still works, on the current placement.
      expect(stale, "EXECUTE 6 " + keys.get(2), "ACK 6 1");
      assertPlaced(spar, shard, keys.get(2), 1, source, target);
      assertEquals(List.of(keys.get(0) + "|stale", keys.get(1) + "|stale",
          keys.get(2) + "|stale"), Sql.strings(spar,
          "SELECT id || '|' || v FROM sf_events ORDER BY id"));
      stale.quit();
      mover.quit();
    }
  }

  /**
   * Has {@code mover} run {@code moveSql} up to the switch, sends {@code write} to
   * {@code stale}, stops {@code stale} once the write waits for the shard's table on
   * {@code from}, lets the move commit, resumes {@code stale} and returns its answer.
   */
  private static String writeWhileMoving(CoordinatorChild stale, String write,
      CoordinatorChild mover, String moveId, String moveSql, PgNode from) throws Exception {
    mover.send("SQL " + moveId + " " + moveSql);
    String line = mover.nextLine();
    assertTrue(line.startsWith("SPAR-FAULT-POINT"), line + "\n" + mover.diagnostics());
    stale.send(write);
    awaitLockWait(from);
    stale.pause();
    mover.send("GO");
    line = mover.nextLine();
    assertEquals("ACK " + moveId, line, mover.diagnostics());
    stale.resume();
    return stale.nextLine();
  }

  /**
   * Checks that {@code key} is on the shard's current placement {@code now} {@code rows} times,
   * and that the placement the write was routed to, {@code old}, no longer has the shard's table.
   */
  private static void assertPlaced(Connection spar, long shard, long key, int rows, PgNode now,
      PgNode old) throws SQLException {
    assertEquals(List.of(String.valueOf(now.port())), Sql.strings(spar, PLACEMENT + shard));
    try (Connection direct = SparTestCluster.direct(now)) {
      assertEquals(rows, Sql.count(direct,
          "SELECT count(*) FROM sf_events_" + shard + " WHERE id = " + key));
    }
    try (Connection direct = SparTestCluster.direct(old)) {
      assertEquals(0, Sql.count(direct, "SELECT count(*) FROM pg_class"
          + " WHERE relname = 'sf_events_" + shard + "'"), "the old placement's table");
    }
  }

  /** Waits until a statement on {@code node} waits for a lock. */
  private static void awaitLockWait(PgNode node) throws Exception {
    try (Connection direct = SparTestCluster.direct(node)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (Sql.count(direct, "SELECT count(*) FROM pg_locks WHERE NOT granted") == 0) {
        assertTrue(System.nanoTime() < deadline, "the write never reached the shard's lock");
        Thread.sleep(5);
      }
    }
  }

  private static void expect(CoordinatorChild child, String command, String answer)
      throws Exception {
    child.send(command);
    assertEquals(answer, child.nextLine(), child.diagnostics());
  }

  private static String move(long shard, PgNode from, PgNode to, String mode) {
    return "SELECT master_move_shard_placement(" + shard + ", '" + from.host() + "', "
        + from.port() + ", '" + to.host() + "', " + to.port() + ", '" + mode + "')";
  }

  private static long shardOf(Connection spar, long key) throws SQLException {
    return Sql.longs(spar,
        "SELECT get_shard_id_for_distribution_column('sf_events', " + key + ")").get(0);
  }

  private static PgNode node(List<PgNode> workers, Connection spar, long shard)
      throws SQLException {
    int port = Integer.parseInt(Sql.strings(spar, PLACEMENT + shard).get(0));
    return workers.stream().filter(w -> w.port() == port).findFirst().orElseThrow();
  }
}
