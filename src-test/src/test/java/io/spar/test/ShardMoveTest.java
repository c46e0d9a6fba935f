package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.SparEngine;
import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.engine.operations.MoveLeftovers;
import io.spar.engine.transactions.FaultPoint;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, {@code master_move_shard_placement}: a shard and the shards co-located with it
 * move between workers, by logical replication or under a write lock, while the application
 * writes and reads; no acknowledged write is lost or doubled, nothing of the move is left
 * behind, and an engine that still routes by the old catalog cannot write the old placement.
 *
 * <p>Each test's tables have a shard count (or column type) no other test's use, so that no
 * other test's tables are co-located with them and move along.
 */
class ShardMoveTest {
  private static final String PLACEMENT = "SELECT node_name || ':' || node_port FROM"
      + " pgs_distribution_metadata.shard_placement WHERE shard_id = ";

  @Test
  void movesBackAndForthUnderWritesAndReads() throws Exception {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    try (Connection spar = SparTestCluster.embedded()) {
      create(spar, "mv_orders", "id bigint PRIMARY KEY, n int, note text", "id", 6, 1);
      create(spar, "mv_items", "order_id bigint PRIMARY KEY, qty int", "order_id", 6, 1);
      Sql.run(spar, "INSERT INTO mv_orders SELECT g, 0, 'before' FROM generate_series(1, 2000) g");
      Sql.run(spar, "INSERT INTO mv_items SELECT g, g FROM generate_series(1, 2000) g");
      long shard = shardOf(spar, "mv_orders", 7);
      long coLocated = shardOf(spar, "mv_items", 7);
      String from = Sql.strings(spar, PLACEMENT + shard).get(0);
      PgNode source = node(workers, from);
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();

      Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicLong slowestWrite = new AtomicLong();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong reads = new AtomicLong();
      ExecutorService threads = Executors.newFixedThreadPool(3);
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        long first = 10_000 + w * 1_000_000L;
        running.add(threads.submit(() -> write(first, acknowledged, slowestWrite, stop,
            failures)));
      }
      running.add(threads.submit(() -> read(stop, reads, failures)));
      try {
        waitForRows(acknowledged, 200);
        slowestWrite.set(0);
        long started = System.nanoTime();
        move(spar, shard, source, target, "logical");
        long took = System.nanoTime() - started;
        // Writes that waited for the switch end just after it; let them be counted.
        waitForRows(acknowledged, acknowledged.size() + 200);
        System.out.printf("shard move under writes, logical: %d ms; longest write meanwhile"
            + " %.1f ms%n", took / 1_000_000,
            slowestWrite.get() / 1e6);
        assertEquals(List.of(address(target)), Sql.strings(spar, PLACEMENT + shard));
        assertEquals(List.of(address(target)), Sql.strings(spar, PLACEMENT + coLocated));
        waitForRows(acknowledged, acknowledged.size() + 200);
        slowestWrite.set(0);
        started = System.nanoTime();
        move(spar, shard, target, source, "block_writes");
        took = System.nanoTime() - started;
        // Writes that waited for the switch end just after it; let them be counted.
        waitForRows(acknowledged, acknowledged.size() + 200);
        System.out.printf("shard move under writes, block_writes: %d ms; longest write"
            + " meanwhile %.1f ms%n", took / 1_000_000,
            slowestWrite.get() / 1e6);
        assertEquals(List.of(address(source)), Sql.strings(spar, PLACEMENT + shard));
        waitForRows(acknowledged, acknowledged.size() + 200);
      } finally {
        stop.set(true);
        for (Future<?> each : running) {
          each.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
      }
      assertTrue(failures.isEmpty(), "statements failed during the moves: " + failures);
      assertTrue(reads.get() > 0);

      // Every acknowledged insert is there once, with the update that followed it.
      assertEquals(2000 + acknowledged.size(), Sql.count(spar, "SELECT count(*) FROM mv_orders"));
      assertEquals(acknowledged.size(), Sql.count(spar,
          "SELECT count(*) FROM mv_orders WHERE id >= 10000 AND n = 1"));
      assertEquals(2000, Sql.count(spar, "SELECT count(*) FROM mv_items"));
      assertEquals(List.of("7|7"), Sql.strings(spar, "SELECT o.id || '|' || i.qty FROM"
          + " mv_orders o JOIN mv_items i ON i.order_id = o.id WHERE o.id = 7"));
      for (PgNode each : workers) {
        assertNothingLeft(each);
      }
      try (Connection targetNode = SparTestCluster.direct(target)) {
        assertEquals(0, Sql.count(targetNode, "SELECT count(*) FROM pg_class WHERE relname IN"
            + " ('mv_orders_" + shard + "', 'mv_items_" + coLocated + "')"),
            "the shard tables left on the node they moved away from");
      }
    }
  }

  @Test
  void staleEngineNeverWritesTheOldPlacement() throws Exception {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    try (Connection spar = SparTestCluster.embedded()) {
      create(spar, "mv_stale", "id bigint PRIMARY KEY, v text", "id", 5, 1);
      long shard = shardOf(spar, "mv_stale", 1);
      // Three keys of that shard: written before, during and after the moves.
      List<Long> keys = new ArrayList<>();
      for (long key = 1; keys.size() < 3; key++) {
        if (shardOf(spar, "mv_stale", key) == shard) {
          keys.add(key);
        }
      }
      PgNode source = node(workers, Sql.strings(spar, PLACEMENT + shard).get(0));
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();
      String url = SparTestCluster.cluster().coordinator().jdbcUrl();

      // A second engine, with its own catalog cache, which hears of the move only after it.
      try (SparEngine other = SparEngine.start(url, LocalCluster.USER, null);
          SparSession stale = new SparSession(other);
          SparSession staleBlock = new SparSession(other)) {
        stale.execute("INSERT INTO mv_stale VALUES (?, 'planned before')", List.of(keys.get(0)));
        staleBlock.execute("SELECT count(*) FROM mv_stale", List.of());
        Future<?> stalled = moveWhileStale(spar, shard, source, target, () -> stale.execute(
            "INSERT INTO mv_stale VALUES (?, 'written during the switch')",
            List.of(keys.get(1))));
        stalled.get(60, TimeUnit.SECONDS);
        assertEquals(List.of(keys.get(0) + "|planned before",
            keys.get(1) + "|written during the switch"), Sql.strings(spar,
            "SELECT id || '|' || v FROM mv_stale ORDER BY id"));
        try (Connection targetNode = SparTestCluster.direct(target)) {
          assertEquals(2, Sql.count(targetNode, "SELECT count(*) FROM mv_stale_" + shard));
        }
        try (Connection sourceNode = SparTestCluster.direct(source)) {
          assertEquals(0, Sql.count(sourceNode,
              "SELECT count(*) FROM pg_class WHERE relname = 'mv_stale_" + shard + "'"));
        }

        // In a transaction block the statement cannot be retried alone: 40001.
        staleBlock.setAutoCommit(false);
        staleBlock.execute("SELECT 1", List.of());
        Future<?> refused = moveWhileStale(spar, shard, target, source, () -> staleBlock.execute(
            "INSERT INTO mv_stale VALUES (?, 'in a block')", List.of(keys.get(2))));
        java.util.concurrent.ExecutionException retry = assertThrows(
            java.util.concurrent.ExecutionException.class, () -> refused.get(60, TimeUnit.SECONDS));
        SQLException cause = (SQLException) retry.getCause();
        assertEquals("40001", cause.getSQLState(), cause.getMessage());
        staleBlock.rollback();
        staleBlock.execute("INSERT INTO mv_stale VALUES (?, 'retried')", List.of(keys.get(2)));
        staleBlock.commit();
        assertEquals(List.of(keys.get(2) + "|retried"), Sql.strings(spar,
            "SELECT id || '|' || v FROM mv_stale WHERE id = " + keys.get(2)));
      }
    }
  }

  /** DDL on a moving table waits for the move: the target's tables were made before it. */
  @Test
  void ddlWaitsForTheMove() throws Exception {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    try (Connection spar = SparTestCluster.embedded();
        Connection coordinator = SparTestCluster.coordinator()) {
      create(spar, "mv_ddl", "id bigint PRIMARY KEY, v text", "id", 11, 1);
      long shard = shardOf(spar, "mv_ddl", 1);
      PgNode source = node(workers, Sql.strings(spar, PLACEMENT + shard).get(0));
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();
      // Straight on the coordinator, so that the waiting ALTER cannot hold the move up.
      Sql.run(coordinator, "SET lock_timeout = '200ms'");
      List<String> states = new CopyOnWriteArrayList<>();
      Thread mover = Thread.currentThread();
      FaultPoint.inject(point -> {
        if (point == FaultPoint.BEFORE_PREPARE && Thread.currentThread() == mover
            && states.isEmpty()) {
          try {
            Sql.run(coordinator, "ALTER TABLE mv_ddl ADD COLUMN added int");
            states.add("altered");
          } catch (SQLException e) {
            states.add(e.getSQLState());
          }
        }
      });
      try {
        move(spar, shard, source, target, "logical");
      } finally {
        FaultPoint.inject(point -> { });
      }
      assertEquals(List.of("55P03"), states, "lock_not_available while the move runs");
      Sql.run(spar, "ALTER TABLE mv_ddl ADD COLUMN added int");
      Sql.run(spar, "INSERT INTO mv_ddl VALUES (1, 'after', 7)");
      assertEquals(List.of("7"), Sql.strings(spar, "SELECT added FROM mv_ddl WHERE id = 1"));
    }
  }

  /**
   * An ALTER TABLE that waited for a move's lock on the coordinator's table reaches the
   * shard's new placement: its placements are read once it holds the lock, not from the
   * catalog it was planned with (which still named the source, whose table the move drops).
   */
  @Test
  void ddlThatWaitedForTheMoveReachesTheNewPlacement() throws Exception {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Connection spar = SparTestCluster.embedded();
        Connection altering = SparTestCluster.embedded()) {
      create(spar, "mv_ddl_wait", "id bigint PRIMARY KEY, v text", "id", 19, 1);
      long shard = shardOf(spar, "mv_ddl_wait", 1);
      PgNode source = node(workers, Sql.strings(spar, PLACEMENT + shard).get(0));
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();
      Sql.count(altering, "SELECT count(*) FROM mv_ddl_wait"); // its catalog names the source
      java.util.concurrent.CountDownLatch copied = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      holdAtMoveCopied(copied, release);
      Future<?> alter;
      Future<?> moved;
      try {
        moved = threads.submit(() -> {
          move(spar, shard, source, target, "logical");
          return null;
        });
        assertTrue(copied.await(60, TimeUnit.SECONDS), "the move copied");
        alter = threads.submit(() -> {
          Sql.run(altering, "ALTER TABLE mv_ddl_wait ADD COLUMN added int");
          return null;
        });
        awaitLockWait(SparTestCluster.cluster().coordinator());
      } finally {
        release.countDown();
      }
      moved.get(60, TimeUnit.SECONDS);
      FaultPoint.inject(point -> { });
      alter.get(60, TimeUnit.SECONDS);
      assertEquals(List.of(address(target)), Sql.strings(spar, PLACEMENT + shard));
      Sql.run(spar, "INSERT INTO mv_ddl_wait VALUES (1, 'after', 7)");
      assertEquals(List.of("7"), Sql.strings(spar, "SELECT added FROM mv_ddl_wait WHERE id = 1"));
      try (Connection direct = SparTestCluster.direct(target)) {
        assertEquals(1, Sql.count(direct, "SELECT count(*) FROM pg_attribute WHERE attrelid ="
            + " 'mv_ddl_wait_" + shard + "'::regclass AND attname = 'added'"));
      }
    } finally {
      FaultPoint.inject(point -> { });
      threads.shutdownNow();
    }
  }

  /**
   * A sweep for dead moves' leftovers (any engine's periodic one) that runs while a move's
   * switch commits leaves the move alone: the move lock is held until the catalog change has
   * committed. Once it ended with the move's method instead, such a sweep read the catalog of
   * before the switch, took the target's new shard table for a dead move's and dropped it,
   * and the move then committed a catalog naming a table that no longer existed.
   */
  @Test
  void sweepDuringTheSwitchKeepsTheMovedShard() throws Exception {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    try (Connection spar = SparTestCluster.embedded()) {
      create(spar, "mv_swept", "id bigint PRIMARY KEY, v text", "id", 17, 1);
      Sql.run(spar, "INSERT INTO mv_swept SELECT g, 'v' || g FROM generate_series(1, 500) g");
      long shard = shardOf(spar, "mv_swept", 1);
      PgNode source = node(workers, Sql.strings(spar, PLACEMENT + shard).get(0));
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();
      long rowsOfShard;
      try (Connection direct = SparTestCluster.direct(source)) {
        rowsOfShard = Sql.count(direct, "SELECT count(*) FROM mv_swept_" + shard);
      }
      SparEngine engine = spar.unwrap(SparSession.class).engine();
      MoveLeftovers sweep = new MoveLeftovers(engine.pools(), engine.coordinator());
      List<Integer> removed = new CopyOnWriteArrayList<>();
      Thread mover = Thread.currentThread();
      ExecutorService sweeper = Executors.newSingleThreadExecutor();
      FaultPoint.inject(point -> {
        // The switch's commit, after the move's own work: the claim table is still on the
        // target, its drop not yet committed.
        if (point == FaultPoint.BEFORE_PREPARE && Thread.currentThread() == mover
            && removed.isEmpty()) {
          try {
            removed.add(sweeper.submit(() -> sweep.sweep(engine.metadata().snapshot()
                .workers())).get(60, TimeUnit.SECONDS));
          } catch (Exception e) {
            removed.add(-1);
          }
        }
      });
      try {
        move(spar, shard, source, target, "logical");
      } finally {
        FaultPoint.inject(point -> { });
        sweeper.shutdownNow();
      }
      assertEquals(List.of(address(target)), Sql.strings(spar, PLACEMENT + shard));
      try (Connection direct = SparTestCluster.direct(target)) {
        assertEquals(rowsOfShard, Sql.count(direct, "SELECT count(*) FROM mv_swept_" + shard));
      }
      assertEquals(List.of(0), removed, "what the sweep removed during the switch");
      assertEquals(500, Sql.count(spar, "SELECT count(*) FROM mv_swept"));
      for (PgNode each : workers) {
        assertNothingLeft(each);
      }
    }
  }

  /**
   * A running move shows its phase and the bytes copied in {@code spar_move_progress}; a
   * cancel of its statement stops it, the source stays current and nothing of the move is
   * left. The move can then run again.
   */
  @Test
  void reportsProgressAndCancels() throws Exception {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    try (Connection spar = SparTestCluster.embedded();
        Connection moving = SparTestCluster.embedded();
        Statement statement = moving.createStatement()) {
      create(spar, "mv_progress", "id bigint PRIMARY KEY, payload text", "id", 13, 1);
      Sql.run(spar, "INSERT INTO mv_progress SELECT g, repeat('x', 200)"
          + " FROM generate_series(1, 20000) g");
      long shard = shardOf(spar, "mv_progress", 1);
      PgNode source = node(workers, Sql.strings(spar, PLACEMENT + shard).get(0));
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();
      java.util.concurrent.CountDownLatch copied = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      ExecutorService mover = Executors.newSingleThreadExecutor();
      holdAtMoveCopied(copied, release);
      try {
        Future<SQLException> outcome = mover.submit(() -> {
          try {
            statement.execute("SELECT master_move_shard_placement(" + shard + ", '"
                + source.host() + "', " + source.port() + ", '" + target.host() + "', "
                + target.port() + ", 'logical')");
            return null;
          } catch (SQLException e) {
            return e;
          }
        });
        assertTrue(copied.await(60, TimeUnit.SECONDS), "the move never finished its copy");
        List<String> progress = Sql.strings(spar, "SELECT shard || '|' || table_name || '|'"
            + " || transfer_mode || '|' || phase || '|' || (bytes_total > 0) || '|'"
            + " || (bytes_copied BETWEEN bytes_total / 2 AND bytes_total * 2) || '|' || \"to\""
            + " FROM pgs_distribution_metadata.spar_move_progress");
        assertEquals(List.of(shard + "|public.mv_progress|logical|catching up|true|true|"
            + address(target)), progress);

        statement.cancel();
        release.countDown();
        SQLException cancelled = outcome.get(60, TimeUnit.SECONDS);
        assertTrue(cancelled != null, "the cancelled move succeeded");
        assertEquals("57014", cancelled.getSQLState(), cancelled.getMessage());
      } finally {
        release.countDown();
        FaultPoint.inject(point -> { });
        mover.shutdown();
      }
      assertEquals(List.of(address(source)), Sql.strings(spar, PLACEMENT + shard));
      assertEquals(0, Sql.count(spar,
          "SELECT count(*) FROM pgs_distribution_metadata.spar_move_progress"));
      assertEquals(0, Sql.count(spar,
          "SELECT count(*) FROM pgs_distribution_metadata.shard_move"));
      for (PgNode each : workers) {
        assertNothingLeft(each);
      }
      try (Connection targetNode = SparTestCluster.direct(target)) {
        assertEquals(0, Sql.count(targetNode, "SELECT count(*) FROM pg_class WHERE relname"
            + " = 'mv_progress_" + shard + "'"), "the cancelled move's table on the target");
      }
      assertEquals(20000, Sql.count(spar, "SELECT count(*) FROM mv_progress"));

      move(spar, shard, source, target, "logical");
      assertEquals(List.of(address(target)), Sql.strings(spar, PLACEMENT + shard));
      assertEquals(20000, Sql.count(spar, "SELECT count(*) FROM mv_progress"));
    }
  }

  /** Issue 13's acceptance 7: how fast a shard moves, in each mode. */
  @Test
  void moveThroughput() throws SQLException {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    try (Connection spar = SparTestCluster.embedded()) {
      create(spar, "mv_big", "id text PRIMARY KEY, payload text", "id", 3, 1);
      Sql.run(spar, "INSERT INTO mv_big SELECT 'k' || g, repeat(md5(g::text), 4)"
          + " FROM generate_series(1, 300000) g");
      long shard = Sql.longs(spar,
          "SELECT get_shard_id_for_distribution_column('mv_big', 'k1')").get(0);
      PgNode source = node(workers, Sql.strings(spar, PLACEMENT + shard).get(0));
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();
      long bytes;
      try (Connection direct = SparTestCluster.direct(source)) {
        bytes = Sql.longs(direct, "SELECT pg_total_relation_size('mv_big_" + shard + "')").get(0);
      }
      PgNode from = source;
      PgNode to = target;
      for (String mode : List.of("logical", "block_writes")) {
        long started = System.nanoTime();
        move(spar, shard, from, to, mode);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("shard move, %s: %.1f MB in %.2f s, %.1f MB/s%n", mode, bytes / 1e6,
            seconds, bytes / 1e6 / seconds);
        PgNode swap = from;
        from = to;
        to = swap;
      }
      assertEquals(300_000, Sql.count(spar, "SELECT count(*) FROM mv_big"));
      Sql.run(spar, "DROP TABLE mv_big");
    }
  }

  @Test
  void refusesWhatItCannotDo() throws SQLException {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    try (Connection spar = SparTestCluster.embedded()) {
      create(spar, "mv_twice", "id bigint PRIMARY KEY", "id", 7, 2);
      long twice = shardOf(spar, "mv_twice", 1);
      assertState("42710", () -> move(spar, twice, workers.get(0), workers.get(1), "logical"));
      create(spar, "mv_nokey", "id bigint, v text", "id", 7, 1);
      Sql.run(spar, "INSERT INTO mv_nokey SELECT g, 'v' FROM generate_series(1, 100) g");
      long shard = shardOf(spar, "mv_nokey", 1);
      // An SQL API call's column takes its alias, as PostgreSQL names it (psql's \gset).
      try (java.sql.Statement statement = spar.createStatement();
          ResultSet rs = statement.executeQuery(
              "SELECT get_shard_id_for_distribution_column('mv_nokey', 1) AS shard")) {
        assertEquals("shard", rs.getMetaData().getColumnLabel(1));
        assertTrue(rs.next());
        assertEquals(shard, rs.getLong("shard"));
      }
      PgNode source = node(workers, Sql.strings(spar, PLACEMENT + shard).get(0));
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();

      assertState("55000", () -> move(spar, shard, source, target, "logical"));
      assertState("22023", () -> move(spar, shard, source, source, "block_writes"));
      assertState("22023", () -> move(spar, shard, source, target, "sideways"));
      assertState("22000", () -> move(spar, shard, target, source, "block_writes"));
      spar.setAutoCommit(false);
      assertState("25001", () -> move(spar, shard, source, target, "block_writes"));
      spar.rollback();
      spar.setAutoCommit(true);

      // Without a replica identity the default is a copy under a write lock.
      Sql.run(spar, "SELECT master_move_shard_placement(" + shard + ", '" + source.host() + "', "
          + source.port() + ", '" + target.host() + "', " + target.port() + ")");
      assertEquals(List.of(address(target)), Sql.strings(spar, PLACEMENT + shard));
      assertEquals(100, Sql.count(spar, "SELECT count(*) FROM mv_nokey"));
      for (PgNode each : workers) {
        assertNothingLeft(each);
      }
    }
  }

  /**
   * Moves the shard; at the switch, while the source's tables are dropped but not committed,
   * runs {@code statement} of an engine that has not heard of the move, and returns once it
   * waits on the source; returns the statement's future.
   */
  private static Future<?> moveWhileStale(Connection spar, long shard, PgNode from, PgNode to,
      java.util.concurrent.Callable<?> statement) throws SQLException {
    ExecutorService writer = Executors.newSingleThreadExecutor();
    List<Future<?>> stalled = new CopyOnWriteArrayList<>();
    Thread mover = Thread.currentThread();
    FaultPoint.inject(point -> {
      if (point == FaultPoint.BEFORE_PREPARE && Thread.currentThread() == mover
          && stalled.isEmpty()) {
        stalled.add(writer.submit(statement));
        awaitLockWait(from);
      }
    });
    try {
      move(spar, shard, from, to, "block_writes");
    } finally {
      FaultPoint.inject(point -> { });
      writer.shutdown();
    }
    assertEquals(1, stalled.size());
    return stalled.get(0);
  }

  private static void create(Connection spar, String table, String columns, String column,
      int shards, int replicas) throws SQLException {
    Sql.run(spar, "DROP TABLE IF EXISTS " + table);
    Sql.run(spar, "CREATE TABLE " + table + " (" + columns + ")");
    Sql.run(spar, "SELECT master_create_distributed_table('" + table + "', '" + column
        + "', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('" + table + "', " + shards + ", "
        + replicas + ")");
  }

  private static long shardOf(Connection spar, String table, long value) throws SQLException {
    return Sql.longs(spar, "SELECT get_shard_id_for_distribution_column('" + table + "', "
        + value + ")").get(0);
  }

  private interface Action {
    void run() throws SQLException;
  }

  private static void assertState(String state, Action action) {
    SQLException e = assertThrows(SQLException.class, action::run);
    assertEquals(state, e.getSQLState(), e.getMessage());
  }

  /**
   * A foreign key between co-located tables holds on the moved shards as before the move:
   * PostgreSQL's own 23503 for a row without its parent, both transfer modes.
   */
  @Test
  void foreignKeysMoveWithTheirShards() throws SQLException {
    List<PgNode> workers = SparTestCluster.cluster().workers();
    try (Connection spar = SparTestCluster.embedded()) {
      Sql.run(spar, "DROP TABLE IF EXISTS mv_fk_child, mv_fk_parent");
      create(spar, "mv_fk_parent", "id bigint PRIMARY KEY, v text", "id", 17, 1);
      create(spar, "mv_fk_child", "parent_id bigint, n int, PRIMARY KEY (parent_id, n)",
          "parent_id", 17, 1);
      Sql.run(spar, "ALTER TABLE mv_fk_child ADD CONSTRAINT mv_fk FOREIGN KEY (parent_id)"
          + " REFERENCES mv_fk_parent (id) ON DELETE CASCADE");
      Sql.run(spar, "INSERT INTO mv_fk_parent SELECT g, 'p' FROM generate_series(1, 100) g");
      Sql.run(spar, "INSERT INTO mv_fk_child SELECT g, g FROM generate_series(1, 100) g");
      long shard = shardOf(spar, "mv_fk_parent", 5);
      for (String mode : List.of("logical", "block_writes")) {
        PgNode source = node(workers, Sql.strings(spar, PLACEMENT + shard).get(0));
        PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();
        move(spar, shard, source, target, mode);
        SQLException orphan = assertThrows(SQLException.class,
            () -> Sql.run(spar, "INSERT INTO mv_fk_child VALUES (100005, 1)"
                .replace("100005", Long.toString(keyInShard(spar, shard, 1000)))));
        assertEquals("23503", orphan.getSQLState(), mode + ": " + orphan.getMessage());
        Sql.run(spar, "DELETE FROM mv_fk_parent WHERE id = 5");
        assertEquals(0, Sql.count(spar, "SELECT count(*) FROM mv_fk_child WHERE parent_id = 5"),
            mode + ": the cascade reached the moved child shard");
        Sql.run(spar, "INSERT INTO mv_fk_parent VALUES (5, 'again')");
        Sql.run(spar, "INSERT INTO mv_fk_child VALUES (5, 5)");
      }
    }
  }

  /** Returns the first key from {@code from} up whose row belongs in shard {@code shard}. */
  private static long keyInShard(Connection spar, long shard, long from) throws SQLException {
    for (long key = from; ; key++) {
      if (shardOf(spar, "mv_fk_parent", key) == shard) {
        return key;
      }
    }
  }

  private static void move(Connection spar, long shard, PgNode from, PgNode to, String mode)
      throws SQLException {
    Sql.run(spar, "SELECT master_move_shard_placement(" + shard + ", '" + from.host() + "', "
        + from.port() + ", '" + to.host() + "', " + to.port() + ", '" + mode + "')");
  }

  /** Inserts and then updates consecutive keys, logging each acknowledged insert. */
  private static void write(long first, Set<Long> acknowledged, AtomicLong slowestWrite,
      AtomicBoolean stop, List<Throwable> failures) {
    try (Connection spar = SparTestCluster.embedded();
        PreparedStatement insert = spar.prepareStatement(
            "INSERT INTO mv_orders VALUES (?, 0, 'during') ON CONFLICT (id) DO NOTHING");
        PreparedStatement update = spar.prepareStatement(
            "UPDATE mv_orders SET n = n + 1 WHERE id = ?")) {
      for (long key = first; !stop.get(); key++) {
        insert.setLong(1, key);
        long started = System.nanoTime();
        assertEquals(1, insert.executeUpdate());
        slowestWrite.accumulateAndGet(System.nanoTime() - started, Math::max);
        acknowledged.add(key);
        update.setLong(1, key);
        assertEquals(1, update.executeUpdate());
      }
    } catch (Throwable e) {
      failures.add(e);
    }
  }

  private static void read(AtomicBoolean stop, AtomicLong reads, List<Throwable> failures) {
    try (Connection spar = SparTestCluster.embedded();
        PreparedStatement point = spar.prepareStatement("SELECT note FROM mv_orders WHERE id = ?")) {
      for (long key = 1; !stop.get(); key = key % 2000 + 1) {
        point.setLong(1, key);
        try (ResultSet rs = point.executeQuery()) {
          assertTrue(rs.next());
          assertEquals("before", rs.getString(1));
        }
        reads.incrementAndGet();
      }
    } catch (Throwable e) {
      failures.add(e);
    }
  }

  private static void waitForRows(Set<Long> acknowledged, int rows) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acknowledged.size() < rows && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /**
   * Makes a move that finished its initial copy count down {@code copied}, then wait until
   * {@code release} is counted down.
   */
  private static void holdAtMoveCopied(java.util.concurrent.CountDownLatch copied,
      java.util.concurrent.CountDownLatch release) {
    FaultPoint.inject(point -> {
      if (point == FaultPoint.MOVE_COPIED) {
        copied.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
  }

  /** Waits until a statement on {@code node} waits for a lock. */
  private static void awaitLockWait(PgNode node) {
    try (Connection direct = SparTestCluster.direct(node)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (Sql.count(direct, "SELECT count(*) FROM pg_locks WHERE NOT granted") == 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no statement came to wait for a lock on " + address(node));
        }
        Thread.sleep(5);
      }
    } catch (SQLException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertNothingLeft(PgNode node) throws SQLException {
    try (Connection direct = SparTestCluster.direct(node)) {
      for (String catalog : List.of("pg_subscription", "pg_publication", "pg_replication_slots")) {
        assertEquals(0, Sql.count(direct, "SELECT count(*) FROM " + catalog),
            catalog + " on " + address(node));
      }
      assertFalse(Sql.count(direct,
          "SELECT count(*) FROM pg_class WHERE relname LIKE 'spar_move_%'") > 0);
    }
  }

  private static PgNode node(List<PgNode> workers, String address) {
    return workers.stream().filter(w -> address(w).equals(address)).findFirst().orElseThrow();
  }

  private static String address(PgNode node) {
    return node.host() + ":" + node.port();
  }
}
