package io.spar.test;

import static io.spar.test.Sql.count;
import static io.spar.test.Sql.run;
import static io.spar.test.Sql.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's tenant move under load: {@code spar_schema_move} moves a distributed schema's
 * tables (one co-location group) to another worker online while two threads write to that
 * tenant and two to another. Every acknowledged write must be on the new node, every write
 * must succeed (a write routed to the old placement is refused at commit and run again), the
 * schema's keys must hold on its new node, and the old node must hold nothing of it.
 */
class TenantMoveTest {
  private static final String MOVING = "tm_moving";
  private static final String STAYING = "tm_staying";

  @Test
  void aTenantMovesOnlineWithoutLosingWrites() throws Exception {
    try (Connection spar = SparTestCluster.spar()) {
      run(spar, "DROP SCHEMA IF EXISTS " + MOVING + " CASCADE");
      run(spar, "DROP SCHEMA IF EXISTS " + STAYING + " CASCADE");
      run(spar, "DROP TABLE IF EXISTS tm_plans");
      run(spar, "CREATE TABLE tm_plans (name text PRIMARY KEY)");
      run(spar, "SELECT create_reference_table('tm_plans')");
      run(spar, "INSERT INTO tm_plans VALUES ('free'), ('pro')");
      run(spar, "SET spar.enable_schema_based_sharding = on");
      for (String each : List.of(MOVING, STAYING)) {
        run(spar, "CREATE SCHEMA " + each);
        run(spar, "CREATE TABLE " + each + ".users (id bigint PRIMARY KEY, name text,"
            + " plan text NOT NULL REFERENCES tm_plans (name))");
        run(spar, "CREATE TABLE " + each + ".orders (id bigserial PRIMARY KEY,"
            + " user_id bigint NOT NULL REFERENCES " + each + ".users (id), amount int)");
        run(spar, "INSERT INTO " + each + ".users SELECT i, 'u' || i,"
            + " CASE WHEN i % 2 = 0 THEN 'pro' ELSE 'free' END FROM generate_series(1, 50) i");
        for (int from = 1; from <= 20_000; from += 500) {
          run(spar, "INSERT INTO " + each + ".orders (user_id, amount) SELECT 1 + i % 50, i"
              + " FROM generate_series(" + from + ", " + (from + 499) + ") i");
        }
      }
      String source = node(spar, MOVING);
      PgNode target = SparTestCluster.cluster().workers().stream()
          .filter(w -> !(w.host() + ":" + w.port()).equals(source)).findFirst().orElseThrow();

      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      AtomicInteger stayingWrites = new AtomicInteger();
      AtomicLong slowestStaying = new AtomicLong();
      AtomicLong slowestMoving = new AtomicLong();
      CountDownLatch started = new CountDownLatch(4);
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        String schema = w < 2 ? MOVING : STAYING;
        int writer = w;
        writers.add(new Thread(() -> {
          try (Connection c = SparTestCluster.spar();
              PreparedStatement insert = c.prepareStatement("INSERT INTO " + schema
                  + ".orders (user_id, amount) VALUES (?, ?) RETURNING id")) {
            for (int i = 0; !stop.get() || i < 20; i++) {
              insert.setLong(1, 1 + i % 50);
              insert.setInt(2, writer * 1_000_000 + i);
              long began = System.nanoTime();
              try (ResultSet rs = insert.executeQuery()) {
                long took = System.nanoTime() - began;
                (schema.equals(MOVING) ? slowestMoving : slowestStaying)
                    .accumulateAndGet(took, Math::max);
                rs.next();
                if (schema.equals(MOVING)) {
                  acknowledged.add(rs.getLong(1) + ":" + (writer * 1_000_000 + i));
                } else {
                  stayingWrites.incrementAndGet();
                }
              }
              if (i == 20) {
                started.countDown();
              }
            }
          } catch (Throwable e) {
            failures.add(e);
            started.countDown();
          }
        }));
      }
      writers.forEach(Thread::start);
      started.await();
      run(spar, "SELECT spar_schema_move('" + MOVING + "', '" + target.host() + "', "
          + target.port() + ", 'logical')");
      int atMove = acknowledged.size();
      // Writes go on after the switch, to the new placement.
      while (acknowledged.size() < atMove + 50 && failures.isEmpty()) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      stop.set(true);
      for (Thread each : writers) {
        each.join();
      }
      assertTrue(failures.isEmpty(), failures.toString());

      assertEquals(target.host() + ":" + target.port(), node(spar, MOVING));
      List<String> stored = strings(spar, "SELECT id || ':' || amount FROM " + MOVING
          + ".orders WHERE id > 20000");
      assertTrue(stored.containsAll(acknowledged), "lost acknowledged writes");
      assertEquals(acknowledged.size(), stored.size());
      assertEquals(20_000 + acknowledged.size(), count(spar, "SELECT count(*) FROM " + MOVING
          + ".orders"));
      assertTrue(stayingWrites.get() > 0);
      System.out.printf("tenant move under load: %d writes to the moved tenant (slowest %.1f"
          + " ms), %d to the other (slowest %.1f ms), none failed%n", acknowledged.size(),
          slowestMoving.get() / 1e6, stayingWrites.get(), slowestStaying.get() / 1e6);

      // The schema's keys (one to the reference table) hold on its new node, and the old
      // node has none of its tables.
      try (Connection direct = SparTestCluster.direct(target)) {
        assertEquals(2, count(direct, "SELECT count(*) FROM pg_tables WHERE schemaname = '"
            + MOVING + "'"));
        assertEquals(2, count(direct, "SELECT count(*) FROM pg_constraint c"
            + " JOIN pg_namespace n ON n.oid = c.connamespace"
            + " WHERE n.nspname = '" + MOVING + "' AND c.contype = 'f'"));
      }
      for (PgNode each : SparTestCluster.cluster().workers()) {
        if (each != target) {
          try (Connection direct = SparTestCluster.direct(each)) {
            assertEquals(0, count(direct, "SELECT count(*) FROM pg_tables WHERE schemaname = '"
                + MOVING + "'"));
          }
        }
      }
      SQLException orphan = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
          () -> run(spar, "INSERT INTO " + MOVING + ".orders (user_id, amount)"
              + " VALUES (999, 1)"));
      assertEquals("23503", orphan.getSQLState());
      SQLException unknownPlan = org.junit.jupiter.api.Assertions.assertThrows(
          SQLException.class, () -> run(spar, "INSERT INTO " + MOVING + ".users"
              + " VALUES (51, 'u51', 'gold')"));
      assertEquals("23503", unknownPlan.getSQLState());
      // A table made after the move goes where the schema is now.
      run(spar, "CREATE TABLE " + MOVING + ".later (id int)");
      assertEquals(target.host() + ":" + target.port(), node(spar, MOVING));
      run(spar, "DROP SCHEMA " + MOVING + " CASCADE");
      run(spar, "DROP SCHEMA " + STAYING + " CASCADE");
      run(spar, "DROP TABLE tm_plans");
    }
  }

  /**
   * A table made in a schema while a shard move (here one a rebalance would make) moves the
   * schema's tables waits for the move, and is then placed where the schema went: the move
   * locks the schema's catalog row before it reads which tables to take, and a table made in
   * the schema takes that row's lock before it reads where the schema is.
   */
  @Test
  void aTableMadeDuringAMoveGoesWithTheSchema() throws Exception {
    String schema = "tm_growing";
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try (Connection spar = SparTestCluster.spar(); Connection other = SparTestCluster.spar()) {
      run(spar, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      run(spar, "SET spar.enable_schema_based_sharding = on");
      run(spar, "CREATE SCHEMA " + schema);
      run(spar, "CREATE TABLE " + schema + ".first (id int PRIMARY KEY)");
      run(spar, "INSERT INTO " + schema + ".first SELECT generate_series(1, 100)");
      String source = node(spar, schema);
      PgNode target = SparTestCluster.cluster().workers().stream()
          .filter(w -> !(w.host() + ":" + w.port()).equals(source)).findFirst().orElseThrow();
      CountDownLatch copied = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      io.spar.engine.transactions.FaultPoint.inject(point -> {
        if (point == io.spar.engine.transactions.FaultPoint.MOVE_COPIED) {
          copied.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      java.util.concurrent.Future<?> moved;
      java.util.concurrent.Future<?> created;
      try {
        // A shard move of one of its tables, as a rebalance would make it.
        long shard = count(spar, "SELECT id FROM pgs_distribution_metadata.shard"
            + " WHERE relation_id = '" + schema + ".first'::regclass");
        String[] from = source.split(":");
        moved = threads.submit(() -> {
          run(spar, "SELECT master_move_shard_placement(" + shard + ", '" + from[0] + "', "
              + from[1] + ", '" + target.host() + "', " + target.port() + ", 'logical')");
          return null;
        });
        assertTrue(copied.await(60, java.util.concurrent.TimeUnit.SECONDS), "the move copied");
        created = threads.submit(() -> {
          run(other, "CREATE TABLE " + schema + ".second (id int PRIMARY KEY, first_id int)");
          return null;
        });
        awaitLockWait();
      } finally {
        release.countDown();
      }
      moved.get(60, java.util.concurrent.TimeUnit.SECONDS);
      io.spar.engine.transactions.FaultPoint.inject(point -> { });
      created.get(60, java.util.concurrent.TimeUnit.SECONDS);
      // Both tables on the target, and statements joining them run there.
      assertEquals(target.host() + ":" + target.port(), node(spar, schema));
      run(spar, "INSERT INTO " + schema + ".second VALUES (1, 7)");
      assertEquals(List.of("7|100"), strings(spar, "SELECT max(s.first_id) || '|'"
          + " || count(f.id) FROM " + schema + ".second s CROSS JOIN " + schema + ".first f"));
      run(spar, "DROP SCHEMA " + schema + " CASCADE");
    } finally {
      io.spar.engine.transactions.FaultPoint.inject(point -> { });
      threads.shutdownNow();
    }
  }

  /**
   * While a tenant's move blocks its writes (the move holds its tables' write lock on the
   * source and is stopped there), a writer of that tenant waits, and another tenant on the same
   * node writes and reads as ever, as does a reader of the moving tenant. Once the move goes
   * on, the waiting write lands on the new node.
   */
  @Test
  void otherTenantsGoOnWhileAMoveBlocksOnesWrites() throws Exception {
    String moving = "tm_blocked";
    String neighbour = "tm_neighbour";
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try (Connection spar = SparTestCluster.spar(); Connection writer = SparTestCluster.spar()) {
      run(spar, "DROP SCHEMA IF EXISTS " + moving + ", " + neighbour + " CASCADE");
      run(spar, "SET spar.enable_schema_based_sharding = on");
      for (String each : List.of(moving, neighbour)) {
        run(spar, "CREATE SCHEMA " + each);
        run(spar, "CREATE TABLE " + each + ".orders (id int PRIMARY KEY, amount int)");
        run(spar, "INSERT INTO " + each + ".orders SELECT i, i FROM generate_series(1, 100) i");
      }
      String source = node(spar, moving);
      if (!node(spar, neighbour).equals(source)) {
        String[] at = source.split(":");
        run(spar, "SELECT spar_schema_move('" + neighbour + "', '" + at[0] + "', " + at[1]
            + ")");
      }
      PgNode target = SparTestCluster.cluster().workers().stream()
          .filter(w -> !(w.host() + ":" + w.port()).equals(source)).findFirst().orElseThrow();
      CountDownLatch blocked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      io.spar.engine.transactions.FaultPoint.inject(point -> {
        if (point == io.spar.engine.transactions.FaultPoint.MOVE_WRITES_BLOCKED) {
          blocked.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      java.util.concurrent.Future<?> moved;
      java.util.concurrent.Future<?> waiting;
      try {
        moved = threads.submit(() -> {
          run(spar, "SELECT spar_schema_move('" + moving + "', '" + target.host() + "', "
              + target.port() + ", 'logical')");
          return null;
        });
        assertTrue(blocked.await(60, java.util.concurrent.TimeUnit.SECONDS),
            "the move blocked writes");
        waiting = threads.submit(() -> {
          run(writer, "INSERT INTO " + moving + ".orders VALUES (101, 101)");
          return null;
        });
        try (Connection direct = SparTestCluster.direct(nodeOf(source))) {
          awaitLockWait(direct, moving, "the moving tenant's write never waited for the move");
        }
        // The neighbour on the same node, and reads of the moving tenant, go on meanwhile.
        try (Connection other = SparTestCluster.spar()) {
          run(other, "INSERT INTO " + neighbour + ".orders VALUES (101, 101)");
          run(other, "UPDATE " + neighbour + ".orders SET amount = amount + 1 WHERE id <= 10");
          assertEquals(List.of("101|5161"), strings(other, "SELECT count(*) || '|'"
              + " || sum(amount) FROM " + neighbour + ".orders"));
          assertEquals(100, count(other, "SELECT count(*) FROM " + moving + ".orders"));
        }
        assertTrue(!waiting.isDone(), "the moving tenant's write did not wait");
      } finally {
        release.countDown();
      }
      moved.get(60, java.util.concurrent.TimeUnit.SECONDS);
      waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(target.host() + ":" + target.port(), node(spar, moving));
      try (Connection direct = SparTestCluster.direct(target)) {
        assertEquals(List.of("101|5151"), strings(direct, "SELECT count(*) || '|'"
            + " || sum(amount) FROM " + moving + ".orders_" + count(spar, "SELECT s.id FROM"
            + " pgs_distribution_metadata.shard s WHERE s.relation_id = '" + moving
            + ".orders'::regclass")));
      }
      run(spar, "DROP SCHEMA " + moving + ", " + neighbour + " CASCADE");
    } finally {
      io.spar.engine.transactions.FaultPoint.inject(point -> { });
      threads.shutdownNow();
    }
  }

  /**
   * A move's write lock and a writer's transaction that would deadlock: the writer holds the
   * referencing table, the move takes the referenced one and waits for the referencing one,
   * and the writer's next key check needs the referenced one. The move gives way; the writer
   * commits without a deadlock error, and the move then completes.
   */
  @Test
  void aMoveGivesWayToAWriterItWouldDeadlockWith() throws Exception {
    String schema = "tm_crossing";
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try (Connection spar = SparTestCluster.spar(); Connection writer = SparTestCluster.spar()) {
      run(spar, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      run(spar, "SET spar.enable_schema_based_sharding = on");
      run(spar, "CREATE SCHEMA " + schema);
      run(spar, "CREATE TABLE " + schema + ".users (id int PRIMARY KEY)");
      run(spar, "CREATE TABLE " + schema + ".orders (id int PRIMARY KEY, user_id int NOT NULL"
          + " REFERENCES " + schema + ".users (id), amount int)");
      run(spar, "INSERT INTO " + schema + ".users SELECT generate_series(1, 10)");
      run(spar, "INSERT INTO " + schema + ".orders VALUES (1, 1, 1)");
      String source = node(spar, schema);
      PgNode target = SparTestCluster.cluster().workers().stream()
          .filter(w -> !(w.host() + ":" + w.port()).equals(source)).findFirst().orElseThrow();
      String users = shard(spar, schema + ".users");
      String orders = shard(spar, schema + ".orders");
      writer.setAutoCommit(false);
      // The writer holds the referencing table, without locking the referenced one yet.
      run(writer, "UPDATE " + schema + ".orders SET amount = 2 WHERE id = 1");
      java.util.concurrent.Future<?> moved = threads.submit(() -> {
        run(spar, "SELECT spar_schema_move('" + schema + "', '" + target.host() + "', "
            + target.port() + ", 'block_writes')");
        return null;
      });
      try (Connection direct = SparTestCluster.direct(nodeOf(source))) {
        // The move holds the referenced table (the lower shard id, locked first) and waits
        // for the referencing one.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (count(direct, "SELECT count(*) FROM pg_locks w JOIN pg_locks h"
            + " ON h.pid = w.pid WHERE NOT w.granted AND w.relation = '" + schema + "."
            + orders + "'::regclass AND h.granted AND h.mode = 'ExclusiveLock'"
            + " AND h.relation = '" + schema + "." + users + "'::regclass") == 0) {
          assertTrue(System.nanoTime() < deadline, "the move never held the referenced table"
              + " while waiting for the referencing one");
          Thread.sleep(1);
        }
      }
      // The key check needs the referenced table: without the move giving way, a deadlock.
      run(writer, "INSERT INTO " + schema + ".orders VALUES (2, 2, 2)");
      writer.commit();
      moved.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(target.host() + ":" + target.port(), node(spar, schema));
      assertEquals(List.of("1:2", "2:2"), strings(spar, "SELECT id || ':' || amount FROM "
          + schema + ".orders ORDER BY id"));
      run(spar, "DROP SCHEMA " + schema + " CASCADE");
    } finally {
      threads.shutdownNow();
    }
  }

  /** Returns the name of the one shard of table {@code table} (qualified). */
  private static String shard(Connection spar, String table) throws SQLException {
    return strings(spar, "SELECT c.relname || '_' || s.id FROM pgs_distribution_metadata.shard s"
        + " JOIN pg_class c ON c.oid = s.relation_id WHERE s.relation_id = '" + table
        + "'::regclass").get(0);
  }

  private static PgNode nodeOf(String address) {
    return SparTestCluster.cluster().workers().stream()
        .filter(w -> (w.host() + ":" + w.port()).equals(address)).findFirst().orElseThrow();
  }

  /** Waits until a statement on the coordinator waits for a lock. */
  private static void awaitLockWait() throws SQLException, InterruptedException {
    try (Connection coordinator = SparTestCluster.coordinator()) {
      awaitLockWait(coordinator, null, "the CREATE TABLE never waited for the move");
    }
  }

  /**
   * Waits until a statement on {@code server} waits for a lock: on a relation of schema
   * {@code schema}, unless it is null.
   */
  private static void awaitLockWait(Connection server, String schema, String failure)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    String waiting = "SELECT count(*) FROM pg_locks l WHERE NOT l.granted" + (schema == null
        ? "" : " AND l.relation IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n"
        + " ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "')");
    while (count(server, waiting) == 0) {
      assertTrue(System.nanoTime() < deadline, failure);
      Thread.sleep(5);
    }
  }

  /** Returns the one node that holds the tables of distributed schema {@code schema}. */
  private static String node(Connection spar, String schema) throws SQLException {
    List<String> nodes = strings(spar, "SELECT DISTINCT pl.node_name || ':' || pl.node_port"
        + " FROM pgs_distribution_metadata.partition p JOIN pg_class c ON c.oid = p.relation_id"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = '" + schema + "'"
        + " JOIN pgs_distribution_metadata.shard s ON s.relation_id = p.relation_id"
        + " JOIN pgs_distribution_metadata.shard_placement pl ON pl.shard_id = s.id");
    assertEquals(1, nodes.size(), nodes.toString());
    return nodes.get(0);
  }
}
