package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.SparEngine;
import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.engine.transactions.FaultPoint;
import io.spar.session.SparSession;
import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write routed by a catalog from before a placement was added never commits without it.
 * {@code master_add_node} copies a reference table to the new worker behind a fence that
 * keeps writers out and cancels those queued behind it; a write that an engine routed before
 * the copy but that reaches the shard only once the fence is gone would write the old
 * placements alone. Its commit finds the new placement current and unwritten, and rolls it
 * back: outside a transaction block the statement runs again by the new catalog; inside one,
 * the COMMIT fails with 40001, even if a later write of the block, routed by the new catalog,
 * reached the new placement. Either way every placement holds the same rows.
 */
class AddedPlacementFencingTest {
  @TempDir
  static Path directory;

  @Test
  void writeRoutedBeforeTheCopyReachesTheNewPlacementOrNone() throws Exception {
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try (LocalCluster cluster = LocalCluster.start(directory.resolve("cluster"), 2);
        LocalCluster extra = LocalCluster.start(directory.resolve("extra"), 0);
        Connection spar = DriverManager.getConnection("jdbc:spar:local="
            + directory.resolve("cluster") + ";workers=2");
        // A second engine, with a catalog cache of its own.
        SparEngine other = SparEngine.start(cluster.coordinator().jdbcUrl(), LocalCluster.USER,
            null);
        SparSession stale = new SparSession(other)) {
      Sql.run(spar, "CREATE TABLE ap_plans (id int PRIMARY KEY, name text)");
      Sql.run(spar, "SELECT create_reference_table('ap_plans')");
      Sql.run(spar, "CREATE TABLE ap_log (id int)");
      Sql.run(spar, "INSERT INTO ap_plans SELECT g, 'plan ' || g FROM generate_series(1, 20) g");
      stale.execute("INSERT INTO ap_plans VALUES (?, 'warm')", List.of(100));
      PgNode third = extra.coordinator();
      String address = "'" + third.host() + "', " + third.port();

      String answer = writeAcrossTheCopy(spar, writer, "SELECT master_add_node(" + address
          + ")", () -> stale.execute("INSERT INTO ap_plans VALUES (?, 'routed before')",
              List.of(101)).updateCount());
      assertEquals("1", answer, "outside a block, run again by the new catalog");
      assertIdentical(spar, cluster, third, 22);

      // Inside a block, the COMMIT is refused, whether a later write reached the new
      // placement (103) or not (104), and in a REPEATABLE READ block whose coordinator
      // snapshot predates the copy (105); nothing of the block remains.
      for (int[] ids : List.of(new int[] {102, 103}, new int[] {104}, new int[] {105})) {
        Sql.run(spar, "SELECT master_remove_node(" + address + ")");
        stale.setAutoCommit(false);
        if (ids[0] == 105) {
          // A write to a local table: the coordinator commits with the block's snapshot.
          stale.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", List.of());
          stale.execute("INSERT INTO ap_log VALUES (?)", List.of(105));
        }
        stale.execute("SELECT count(*) FROM ap_plans", List.of());
        answer = writeAcrossTheCopy(spar, writer, "SELECT master_add_node(" + address + ")",
            () -> block(stale, ids));
        assertEquals("40001", answer);
        stale.setAutoCommit(true);
        assertIdentical(spar, cluster, third, 22);
      }
      assertEquals(0, Sql.count(spar, "SELECT count(*) FROM ap_log"));
      // Run again, the block writes every placement.
      stale.setAutoCommit(false);
      assertEquals("committed", block(stale, 102));
      stale.setAutoCommit(true);
      assertIdentical(spar, cluster, third, 23);
    } finally {
      FaultPoint.inject(point -> { });
      writer.shutdownNow();
    }
  }

  /**
   * Inserts {@code ids} in the open block of {@code session} and commits; returns "committed",
   * or the SQLState of the failure, after rolling the block back.
   */
  private static String block(SparSession session, int... ids) throws SQLException {
    try {
      for (int id : ids) {
        session.execute("INSERT INTO ap_plans VALUES (?, 'in a block')", List.of(id));
      }
      session.commit();
      return "committed";
    } catch (SQLException e) {
      session.rollback();
      return e.getSQLState();
    }
  }

  private interface Write {
    Object run() throws SQLException;
  }

  /**
   * Starts {@code write} on {@code writer}, holds it once it is routed and before it takes
   * the shard's lock, runs {@code addition} (which copies the reference table to a new node),
   * then lets the write go on; returns its outcome as text.
   */
  private static String writeAcrossTheCopy(Connection spar, ExecutorService writer,
      String addition, Write write) throws Exception {
    CountDownLatch routed = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> writing = new CopyOnWriteArrayList<>();
    FaultPoint.inject(point -> {
      if (point == FaultPoint.BEFORE_SHARD_WRITE && writing.contains(Thread.currentThread())
          && routed.getCount() > 0) {
        routed.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    Future<Object> outcome;
    try {
      outcome = writer.submit(() -> {
        writing.add(Thread.currentThread());
        return write.run();
      });
      assertTrue(routed.await(60, TimeUnit.SECONDS), "the write was routed");
      Sql.run(spar, addition);
    } finally {
      go.countDown();
    }
    try {
      return String.valueOf(outcome.get(60, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } finally {
      FaultPoint.inject(point -> { });
    }
  }

  /** Checks that every placement of ap_plans holds the same {@code rows} rows. */
  private static void assertIdentical(Connection spar, LocalCluster cluster, PgNode third,
      int rows) throws SQLException {
    long shard = Sql.longs(spar, "SELECT id FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = 'ap_plans'::regclass").get(0);
    List<PgNode> nodes = new ArrayList<>(cluster.workers());
    nodes.add(third);
    List<String> contents = new ArrayList<>();
    for (PgNode each : nodes) {
      try (Connection direct = SparTestCluster.direct(each)) {
        contents.add(Sql.strings(direct, "SELECT count(*) || ':' || coalesce(string_agg(id"
            + " || name, ',' ORDER BY id), '') FROM ap_plans_" + shard).get(0));
      }
    }
    assertEquals(List.of(contents.get(0), contents.get(0), contents.get(0)), contents);
    assertTrue(contents.get(0).startsWith(rows + ":"), contents.get(0));
  }
}
