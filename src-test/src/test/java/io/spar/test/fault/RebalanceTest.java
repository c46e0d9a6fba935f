package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.transactions.FaultPoint;
import io.spar.session.SparSession;
import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's acceptance 6: 2 workers and 16 shards, a third worker added and the tables
 * rebalanced onto it; the engine running the rebalance is killed (SIGKILL) at the switch of its
 * third move, and a rebalance started again resumes the plan: the same result, no shard moved
 * twice, no row lost. Then the third worker is drained and removed. A reference table follows
 * the nodes: copied to the added worker, never moved, and dropped with the removed one.
 */
class RebalanceTest {
  @TempDir
  static Path directory;

  @Test
  void rebalanceSurvivesAKillThenDrainAndRemove() throws Exception {
    try (FaultHarness harness = FaultHarness.start(directory.resolve("harness"));
        LocalCluster extra = LocalCluster.start(directory.resolve("extra"), 0)) {
      Connection spar = harness.spar();
      for (String table : List.of("rb_items", "rb_lines")) {
        Sql.run(spar, "CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text)");
        Sql.run(spar, "SELECT master_create_distributed_table('" + table + "', 'id', 'hash')");
        Sql.run(spar, "SELECT master_create_worker_shards('" + table + "', 16, 1)");
        Sql.run(spar, "INSERT INTO " + table + " SELECT g, 'v' || g"
            + " FROM generate_series(1, 4000) g");
      }
      Sql.run(spar, "CREATE TABLE rb_plans (id int PRIMARY KEY, name text)");
      Sql.run(spar, "SELECT create_reference_table('rb_plans')");
      Sql.run(spar, "INSERT INTO rb_plans SELECT g, 'plan ' || g FROM generate_series(1, 50) g");
      PgNode third = extra.coordinator();
      String thirdAddress = "'" + third.host() + "', " + third.port();
      // Another session writes to the reference table all through the node's addition. A write
      // queued behind the copy's fence was routed without the new placement: its commit is
      // refused and Spar runs it again, so the client sees every write succeed.
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong acknowledged = new AtomicLong();
      ExecutorService writer = Executors.newSingleThreadExecutor();
      Future<?> writes = writer.submit(() -> {
        try (Connection connection = harness.openSpar()) {
          for (int id = 1000; !stop.get(); id++) {
            Sql.run(connection, "INSERT INTO rb_plans VALUES (" + id + ", 'during the copy')");
            acknowledged.incrementAndGet();
          }
        }
        return null;
      });
      try {
        awaitWrites(acknowledged, 1, writes);
        Sql.run(spar, "SELECT master_add_node(" + thirdAddress + ")");
        awaitWrites(acknowledged, acknowledged.get() + 10, writes);
      } finally {
        stop.set(true);
        writer.shutdown();
      }
      writes.get();
      System.out.println("reference table writes during master_add_node: " + acknowledged.get()
          + " acknowledged, none failed");
      assertEquals(List.of(8L, 8L, 0L), counts(spar, harness, third));
      // The new worker gets the reference table, rows and all; writes went on meanwhile, and
      // none is missing from any placement.
      assertEquals(3, referencePlacements(spar));
      assertEquals(50 + acknowledged.get(), Sql.count(spar, "SELECT count(*) FROM rb_plans"));
      List<PgNode> all = new ArrayList<>(harness.cluster().workers());
      all.add(third);
      List<String> contents = new ArrayList<>();
      for (PgNode node : all) {
        try (Connection direct = SparTestCluster.direct(node)) {
          contents.add(Sql.strings(direct, "SELECT count(*) || ' ' || sum(id) FROM rb_plans_"
              + referenceShard(spar)).get(0));
        }
      }
      assertEquals(List.of(contents.get(0), contents.get(0), contents.get(0)), contents);
      assertEquals((50 + acknowledged.get()) + " ", contents.get(0).substring(0,
          contents.get(0).indexOf(' ') + 1));

      List<String> plan = Sql.strings(spar, "SELECT * FROM get_rebalance_table_shards_plan()");
      assertEquals(5, plan.size(), "16 shards on 3 workers: 6, 5, 5 after 5 moves: " + plan);
      SQLException composite = assertThrows(SQLException.class,
          () -> Sql.run(spar, "SELECT get_rebalance_table_shards_plan()"));
      assertEquals("0A000", composite.getSQLState());

      // Another engine, in a process of its own, starts the rebalance and is killed at the
      // switch of its third move: two moves committed, the third held its locks.
      CoordinatorChild child = harness.startChild(FaultPoint.BEFORE_PREPARE, 2);
      child.send("SQL 1 SELECT rebalance_table_shards()");
      String line = child.nextLine();
      assertTrue(line.startsWith("SPAR-FAULT-POINT"), line + "\n" + child.diagnostics());
      child.kill();
      assertEquals(List.of("done", "done", "moving", "planned", "planned"), Sql.strings(spar,
          "SELECT state FROM pgs_distribution_metadata.spar_rebalance_progress ORDER BY move"));

      // Acceptance 1: this JVM's engine, which routed by the old catalog, sends its next
      // statements on the two moved shards to the new worker only.
      StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
      Map<Long, Integer> movedTo = new TreeMap<>();
      for (String each : Sql.strings(spar, "SELECT shard || ' ' || split_part(\"to\", ':', 2)"
          + " FROM pgs_distribution_metadata.spar_rebalance_progress WHERE state = 'done'")) {
        String[] words = each.split(" ");
        movedTo.put(Long.parseLong(words[0]), Integer.parseInt(words[1]));
      }
      try (StatementLog.Subscription watching = log.subscribe()) {
        long mark = log.mark();
        assertEquals(4000, Sql.count(spar, "SELECT count(*) FROM rb_items"));
        Sql.run(spar, "UPDATE rb_items SET v = v || '!'");
        int seen = 0;
        for (StatementLog.Entry each : log.since(mark)) {
          Integer port = each.shardId() == null ? null : movedTo.get(each.shardId());
          if (port != null) {
            assertEquals(port.intValue(), each.node().port(), each.toString());
            seen++;
          }
        }
        assertTrue(seen >= 2 * movedTo.size(), "a read and an update of each moved shard");
      }

      Sql.run(spar, "SELECT rebalance_table_shards()");
      assertEquals(List.of(6L, 5L, 5L), sorted(counts(spar, harness, third)));
      assertEquals(List.of("5|5|done"), Sql.strings(spar, "SELECT count(*) || '|'"
          + " || count(DISTINCT shard) || '|' || string_agg(DISTINCT state, ',')"
          + " FROM pgs_distribution_metadata.spar_rebalance_progress"));
      assertEquals(0, Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata"
          + ".spar_rebalance_progress WHERE bytes_total IS NULL OR bytes_total <= 0"));
      assertCoLocated(spar);
      for (String table : List.of("rb_items", "rb_lines")) {
        assertEquals(4000, Sql.count(spar, "SELECT count(*) FROM " + table));
        assertEquals(4000, Sql.count(spar, "SELECT count(DISTINCT id) FROM " + table));
      }
      // Balanced already: nothing more to move.
      assertEquals(0, Sql.strings(spar, "SELECT * FROM get_rebalance_table_shards_plan()")
          .size());

      SQLException busy = assertThrows(SQLException.class,
          () -> Sql.run(spar, "SELECT master_remove_node(" + thirdAddress + ")"));
      assertEquals("55000", busy.getSQLState(), busy.getMessage());
      Sql.run(spar, "SELECT master_drain_node(" + thirdAddress + ")");
      assertEquals(List.of(8L, 8L, 0L), counts(spar, harness, third));
      // A drained node gets no new shards, and no rebalanced ones.
      Sql.run(spar, "CREATE TABLE rb_new (id bigint PRIMARY KEY)");
      Sql.run(spar, "SELECT master_create_distributed_table('rb_new', 'id', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('rb_new', 6, 1)");
      assertEquals(0, Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata"
          + ".shard_placement WHERE node_port = " + third.port()
          + " AND shard_id <> " + referenceShard(spar)));
      assertEquals(3, referencePlacements(spar), "a drained node keeps reference tables");
      assertEquals(0, Sql.strings(spar, "SELECT * FROM get_rebalance_table_shards_plan()")
          .size());
      Sql.run(spar, "SELECT master_remove_node(" + thirdAddress + ")");
      assertEquals(0, Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata.node"
          + " WHERE node_port = " + third.port()));
      // Its reference placement went with it (the table too, checked below).
      assertEquals(2, referencePlacements(spar));
      assertEquals(50 + acknowledged.get(), Sql.count(spar, "SELECT count(*) FROM rb_plans"));
      assertCoLocated(spar);
      for (String table : List.of("rb_items", "rb_lines")) {
        assertEquals(4000, Sql.count(spar, "SELECT count(*) FROM " + table));
      }
      List<PgNode> nodes = new ArrayList<>(harness.cluster().workers());
      nodes.add(third);
      for (PgNode node : nodes) {
        try (Connection direct = SparTestCluster.direct(node)) {
          for (String catalog : List.of("pg_subscription", "pg_publication",
              "pg_replication_slots", "pg_prepared_xacts")) {
            assertEquals(0, Sql.count(direct, "SELECT count(*) FROM " + catalog), catalog);
          }
        }
      }
      try (Connection direct = SparTestCluster.direct(third)) {
        assertEquals(0, Sql.count(direct,
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'rb\\_%'"));
      }
    }
  }

  /** Waits until {@code count} writes are acknowledged, or the writer has stopped. */
  private static void awaitWrites(AtomicLong acknowledged, long count, Future<?> writes) {
    while (acknowledged.get() < count && !writes.isDone()) {
      Thread.onSpinWait();
    }
  }

  private static long referenceShard(Connection spar) throws SQLException {
    return Sql.longs(spar, "SELECT id FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = 'rb_plans'::regclass").get(0);
  }

  private static long referencePlacements(Connection spar) throws SQLException {
    return Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata.shard_placement"
        + " WHERE shard_state = 1 AND shard_id = " + referenceShard(spar));
  }

  /** Returns the FINALIZED placements on the first worker, the second, and {@code third}. */
  private static List<Long> counts(Connection spar, FaultHarness harness, PgNode third)
      throws SQLException {
    Map<Integer, Long> byPort = new TreeMap<>();
    for (String each : Sql.strings(spar, "SELECT node_port || ' ' || count(*) FROM"
        + " pgs_distribution_metadata.shard_placement p JOIN pgs_distribution_metadata.shard s"
        + " ON s.id = p.shard_id WHERE s.relation_id = 'rb_items'::regclass"
        + " AND p.shard_state = 1 GROUP BY node_port")) {
      String[] words = each.split(" ");
      byPort.put(Integer.parseInt(words[0]), Long.parseLong(words[1]));
    }
    List<Long> counts = new ArrayList<>();
    for (PgNode each : harness.cluster().workers()) {
      counts.add(byPort.getOrDefault(each.port(), 0L));
    }
    counts.add(byPort.getOrDefault(third.port(), 0L));
    return counts;
  }

  private static List<Long> sorted(List<Long> counts) {
    List<Long> sorted = new ArrayList<>(counts);
    sorted.sort(Collections.reverseOrder());
    return sorted;
  }

  /** Checks that the shards at each index of the two tables are on the same node. */
  private static void assertCoLocated(Connection spar) throws SQLException {
    List<String> layouts = new ArrayList<>();
    for (String table : List.of("rb_items", "rb_lines")) {
      layouts.add(String.join(",", Sql.strings(spar, "SELECT p.node_port FROM"
          + " pgs_distribution_metadata.shard s JOIN pgs_distribution_metadata.shard_placement p"
          + " ON p.shard_id = s.id WHERE s.relation_id = '" + table + "'::regclass"
          + " ORDER BY s.min_value::int")));
    }
    assertEquals(layouts.get(0), layouts.get(1));
  }
}
