package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's acceptance 3, move under load: 4 writer threads (inserts, updates, upserts) and 2
 * readers run through this JVM's engine while another engine, in a process of its own, moves a
 * two replicated shards' placements back and forth for 30 s, with logical replication and then
 * under a write lock.
 * Afterwards no acknowledged write is lost or doubled, every FINALIZED placement pair is
 * identical, and nothing of the moves is left on the workers.
 */
class MoveUnderLoadTest {
  private static final int WRITERS = 4;
  private static final int READERS = 2;
  /** How long the load runs; logical moves in its first half, locked copies in the second. */
  private static final long LOAD_NANOS = TimeUnit.SECONDS.toNanos(30);

  @TempDir
  static Path directory;

  @Test
  void movesUnderWritersAndReaders() throws Exception {
    try (FaultHarness harness = FaultHarness.start(directory.resolve("harness"));
        LocalCluster extra = LocalCluster.start(directory.resolve("extra"), 0)) {
      Connection spar = harness.spar();
      Sql.run(spar, "CREATE TABLE ml_accounts (id bigint PRIMARY KEY, n bigint, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('ml_accounts', 'id', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('ml_accounts', 4, 2)");
      PgNode third = extra.coordinator();
      Sql.run(spar, "SELECT master_add_node('" + third.host() + "', " + third.port() + ")");
      // Two shards, each moving between its own worker and the new node.
      long[] shards = {shardOf(spar, 1), 0};
      for (long key = 2; shards[1] == 0; key++) {
        if (shardOf(spar, key) != shards[0]) {
          shards[1] = shardOf(spar, key);
        }
      }
      PgNode[][] hops = {{harness.cluster().workers().get(0), third},
          {harness.cluster().workers().get(1), third}};

      Map<Long, Long> expected = new ConcurrentHashMap<>();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong writes = new AtomicLong();
      AtomicLong reads = new AtomicLong();
      ExecutorService threads = Executors.newFixedThreadPool(WRITERS + READERS);
      List<Future<?>> running = new ArrayList<>();
      AtomicLong[] inserted = new AtomicLong[WRITERS];
      for (int w = 0; w < WRITERS; w++) {
        long first = 1 + w * 1_000_000L;
        inserted[w] = new AtomicLong(first - 1);
        AtomicLong last = inserted[w];
        running.add(threads.submit(() -> write(harness, first, last, expected, writes, stop,
            failures)));
      }
      for (int r = 0; r < READERS; r++) {
        running.add(threads.submit(() -> read(harness, inserted, reads, stop, failures)));
      }
      CoordinatorChild mover = harness.startChild(null, 0);
      int moves = 0;
      int locked = 0;
      try {
        long started = System.nanoTime();
        while (System.nanoTime() - started < LOAD_NANOS) {
          long before = writes.get();
          while (writes.get() < before + 200 && failures.isEmpty()) {
            Thread.sleep(5);
          }
          boolean logical = System.nanoTime() - started < LOAD_NANOS / 2;
          int which = moves % 2;
          PgNode from = hops[which][0];
          PgNode to = hops[which][1];
          mover.send("SQL " + moves + " SELECT master_move_shard_placement(" + shards[which]
              + ", '" + from.host() + "', " + from.port() + ", '" + to.host() + "', "
              + to.port() + ", '" + (logical ? "logical" : "block_writes") + "')");
          String answer = mover.nextLine();
          assertTrue(answer.startsWith("ACK " + moves), answer + "\n" + mover.diagnostics());
          hops[which] = new PgNode[] {to, from};
          moves++;
          locked += logical ? 0 : 1;
        }
        long before = writes.get();
        while (writes.get() < before + 500 && failures.isEmpty()) {
          Thread.sleep(5);
        }
        mover.quit();
      } finally {
        stop.set(true);
        for (Future<?> each : running) {
          each.get(120, TimeUnit.SECONDS);
        }
        threads.shutdown();
      }
      assertTrue(failures.isEmpty(), "statements failed under the moves: " + failures);
      System.out.printf("move under load: %d moves (%d logical, %d block_writes), %d writes"
          + " and %d reads acknowledged%n", moves, moves - locked, locked, writes.get(),
          reads.get());
      assertTrue(moves - locked >= 2 && locked >= 2, "each mode moved both shards");

      // Every acknowledged insert, update and upsert, once.
      Map<Long, Long> actual = new ConcurrentHashMap<>();
      try (PreparedStatement all = spar.prepareStatement("SELECT id, n FROM ml_accounts");
          ResultSet rs = all.executeQuery()) {
        while (rs.next()) {
          actual.put(rs.getLong(1), rs.getLong(2));
        }
      }
      assertEquals(expected, actual);

      List<PgNode> nodes = new ArrayList<>(harness.cluster().workers());
      nodes.add(third);
      for (long each : Sql.longs(spar, "SELECT id FROM pgs_distribution_metadata.shard WHERE"
          + " relation_id = 'ml_accounts'::regclass")) {
        List<String> contents = new ArrayList<>();
        for (String port : Sql.strings(spar, "SELECT node_port FROM pgs_distribution_metadata"
            + ".shard_placement WHERE shard_state = 1 AND shard_id = " + each)) {
          PgNode node = nodes.stream().filter(n -> n.port() == Integer.parseInt(port))
              .findFirst().orElseThrow();
          try (Connection direct = SparTestCluster.direct(node)) {
            contents.add(Sql.strings(direct, "SELECT count(*) || ':' || coalesce(md5(string_agg("
                + "id || ',' || n || ',' || v, ';' ORDER BY id)), '') FROM ml_accounts_"
                + each).get(0));
          }
        }
        assertEquals(2, contents.size(), "placements of shard " + each);
        assertEquals(contents.get(0), contents.get(1), "the placements of shard " + each);
      }
      for (PgNode node : nodes) {
        try (Connection direct = SparTestCluster.direct(node)) {
          for (String catalog : List.of("pg_subscription", "pg_publication",
              "pg_replication_slots", "pg_prepared_xacts")) {
            assertEquals(0, Sql.count(direct, "SELECT count(*) FROM " + catalog), catalog);
          }
          long tables = Sql.count(direct, "SELECT count(*) FROM pg_class WHERE relname LIKE"
              + " 'ml\\_accounts\\_%' AND relkind = 'r'");
          long placements = Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata"
              + ".shard_placement WHERE node_port = " + node.port());
          assertEquals(placements, tables, "shard tables on " + node.port());
        }
      }
    }
  }

  private static long shardOf(Connection spar, long key) throws SQLException {
    return Sql.longs(spar,
        "SELECT get_shard_id_for_distribution_column('ml_accounts', " + key + ")").get(0);
  }

  /**
   * Inserts new keys, and updates and upserts keys it inserted before, recording what each key
   * must hold once the statement is acknowledged.
   */
  private static void write(FaultHarness harness, long first, AtomicLong inserted,
      Map<Long, Long> expected, AtomicLong writes, AtomicBoolean stop,
      List<Throwable> failures) {
    try (Connection spar = harness.openSpar();
        PreparedStatement insert = spar.prepareStatement(
            "INSERT INTO ml_accounts VALUES (?, 0, 'w')");
        PreparedStatement update = spar.prepareStatement(
            "UPDATE ml_accounts SET n = n + 1 WHERE id = ?");
        PreparedStatement upsert = spar.prepareStatement("INSERT INTO ml_accounts AS a"
            + " VALUES (?, 0, 'u') ON CONFLICT (id) DO UPDATE SET n = a.n + 1")) {
      long next = first;
      while (!stop.get()) {
        insert.setLong(1, next);
        assertEquals(1, insert.executeUpdate());
        expected.put(next, 0L);
        inserted.set(next);
        long key = first + ThreadLocalRandom.current().nextLong(next - first + 1);
        PreparedStatement change = ThreadLocalRandom.current().nextBoolean() ? update : upsert;
        change.setLong(1, key);
        assertEquals(1, change.executeUpdate());
        expected.merge(key, 1L, Long::sum);
        next++;
        writes.addAndGet(2);
      }
    } catch (Throwable e) {
      failures.add(e);
    }
  }

  /** Reads keys whose insert was acknowledged; each must be there. */
  private static void read(FaultHarness harness, AtomicLong[] inserted, AtomicLong reads,
      AtomicBoolean stop, List<Throwable> failures) {
    try (Connection spar = harness.openSpar();
        PreparedStatement point = spar.prepareStatement(
            "SELECT count(*) FROM ml_accounts WHERE id = ?")) {
      while (!stop.get()) {
        int writer = ThreadLocalRandom.current().nextInt(inserted.length);
        long first = 1 + writer * 1_000_000L;
        long last = inserted[writer].get();
        if (last < first) {
          continue;
        }
        point.setLong(1, first + ThreadLocalRandom.current().nextLong(last - first + 1));
        try (ResultSet rs = point.executeQuery()) {
          rs.next();
          assertEquals(1, rs.getLong(1));
        }
        reads.incrementAndGet();
      }
    } catch (Throwable e) {
      failures.add(e);
    }
  }
}
