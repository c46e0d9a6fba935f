package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 4, acceptance 4: a write while a worker is stopped makes its placement
 * INACTIVE, reads skip it, and {@code master_copy_shard_placement} restores it with identical
 * content, indexes and constraints; pg_shard's two errors are produced.
 *
 * <p>It stops a real worker process, so it runs on a cluster of its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementRepairTest {
  private static final String PLACEMENTS = "pgs_distribution_metadata.shard_placement";

  @TempDir
  static Path directory;
  static LocalCluster cluster;
  static Connection spar;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(directory, 2);
    spar = DriverManager.getConnection("jdbc:spar:local=" + directory + ";workers=2");
    try (Statement statement = spar.createStatement()) {
      statement.execute("CREATE TABLE repaired (k bigint PRIMARY KEY, v text NOT NULL"
          + " DEFAULT 'none', n int CHECK (n >= 0))");
      statement.execute("CREATE INDEX repaired_v_idx ON repaired (v)");
      statement.execute("SELECT master_create_distributed_table('repaired', 'k', 'hash')");
      statement.execute("SELECT master_create_worker_shards('repaired', 2, 2)");
    }
    insert(0, 100);
  }

  @AfterAll
  static void stop() throws SQLException {
    spar.close();
    cluster.close();
  }

  @Test
  @Order(1)
  void repairRestoresAnInactivePlacement() throws Exception {
    long shard = shardFor(1000);
    PgNode stopped = cluster.workers().get(1);
    PgNode healthy = cluster.workers().get(0);
    cluster.stopNode(stopped);
    insert(1000, 1001);
    assertEquals(3, state(shard, stopped), "the write marked the stopped placement INACTIVE");
    assertEquals(1, state(shard, healthy));
    assertEquals(101, count("SELECT count(*) FROM repaired"), "reads skip the INACTIVE placement");
    assertEquals(1, count("SELECT count(*) FROM repaired WHERE k = 1000"));

    cluster.startNode(stopped);
    assertNotEquals(digest(healthy, shard), digest(stopped, shard), "the stale copy missed a row");
    assertPgShardErrors(shard, healthy, stopped);

    repair(shard, healthy, stopped);
    assertEquals(1, state(shard, stopped));
    assertEquals(digest(healthy, shard), digest(stopped, shard));
    assertShardSchema(stopped, shard);

    insert(1001, 1100);
    execute("UPDATE repaired SET v = 'changed', n = 7 WHERE k = 1000");
    assertEquals(digest(healthy, shard), digest(stopped, shard), "later writes reach both");
    assertEquals(200, count("SELECT count(*) FROM repaired"));
    assertEquals(0, count("SELECT count(*) FROM " + PLACEMENTS + " WHERE shard_state <> 1"));
  }

  private static void assertPgShardErrors(long shard, PgNode finalized, PgNode inactive) {
    SQLException source = assertThrows(SQLException.class, () -> repair(shard, inactive, finalized));
    assertEquals("source placement must be in finalized state", message(source));
    assertEquals("55000", source.getSQLState());
    SQLException target = assertThrows(SQLException.class,
        () -> repair(shard, finalized, finalized));
    assertEquals("target placement must be in inactive state", message(target));
    assertEquals("55000", target.getSQLState());
    SQLException unknown = assertThrows(SQLException.class, () -> repair(1, finalized, inactive));
    assertEquals("shard 1 does not exist", message(unknown));
    SQLException noPlacement = assertThrows(SQLException.class, () -> execute(
        "SELECT master_copy_shard_placement(" + shard + ", '127.0.0.1', 1, '127.0.0.1', 2)"));
    assertEquals("could not find placement matching 127.0.0.1:1", message(noPlacement));
  }

  private static String message(SQLException e) {
    return e instanceof PSQLException psql && psql.getServerErrorMessage() != null
        ? psql.getServerErrorMessage().getMessage() : e.getMessage();
  }

  private static void assertShardSchema(PgNode node, long shard) throws SQLException {
    try (Connection direct = direct(node)) {
      assertEquals(Set.of("repaired_pkey_" + shard, "repaired_n_check_" + shard), strings(direct,
          "SELECT conname FROM pg_constraint WHERE conrelid = 'repaired_" + shard + "'::regclass"));
      assertEquals(Set.of("repaired_pkey_" + shard, "repaired_v_idx_" + shard), strings(direct,
          "SELECT indexname FROM pg_indexes WHERE tablename = 'repaired_" + shard + "'"));
      assertEquals(Set.of("'none'::text"), strings(direct, "SELECT column_default FROM"
          + " information_schema.columns WHERE table_name = 'repaired_" + shard + "'"
          + " AND column_name = 'v'"));
    }
  }

  /**
   * The repair waits for a write in progress on the source and includes it; a Spar write that
   * queued behind the repair, routed to the source alone, is refused at its commit instead of
   * committing there alone, and runs again by the new placements: the client sees it succeed.
   */
  @Test
  @Order(2)
  void repairWaitsForWritersAndRunsQueuedOnesAgain() throws Exception {
    long shard = inactiveOnSecondWorker(2000);
    PgNode stopped = cluster.workers().get(1);
    PgNode healthy = cluster.workers().get(0);
    long inFlight = keyInShard(shard, 3000);
    long queued = keyInShard(shard, inFlight + 1);
    try (Connection writer = direct(healthy); Connection late = DriverManager.getConnection(
        "jdbc:spar:local=" + directory + ";workers=2")) {
      writer.setAutoCommit(false);
      execute(writer, "INSERT INTO repaired_" + shard + " VALUES (" + inFlight + ", 'in flight', 1)");
      CompletableFuture<Void> repair = CompletableFuture.runAsync(() -> quietly(
          () -> repair(shard, healthy, stopped)));
      assertBlocked(repair, "the repair waits for the uncommitted write on the source");
      CompletableFuture<Void> lateWrite = CompletableFuture.runAsync(() -> quietly(() -> execute(
          late, "INSERT INTO repaired VALUES (" + queued + ", 'late', 1)")));
      assertBlocked(lateWrite, "a new write queues behind the repair");
      writer.commit();
      repair.get(30, TimeUnit.SECONDS);
      lateWrite.get(30, TimeUnit.SECONDS);
      assertEquals(1, count("SELECT count(*) FROM repaired WHERE k = " + queued));
    }
    assertEquals(1, state(shard, stopped));
    assertEquals(1, count("SELECT count(*) FROM repaired WHERE k = " + inFlight));
    assertEquals(digest(healthy, shard), digest(stopped, shard), "the late write on both");
  }

  /** A repaired placement keeps its table's foreign key to the co-located shard beside it. */
  @Test
  @Order(3)
  void repairKeepsForeignKeys() throws Exception {
    execute("CREATE TABLE repaired_child (k bigint, m int, PRIMARY KEY (k, m))");
    execute("SELECT master_create_distributed_table('repaired_child', 'k', 'hash')");
    execute("SELECT master_create_worker_shards('repaired_child', 2, 2)");
    execute("ALTER TABLE repaired_child ADD CONSTRAINT repaired_child_fk FOREIGN KEY (k)"
        + " REFERENCES repaired (k)");
    PgNode stopped = cluster.workers().get(1);
    PgNode healthy = cluster.workers().get(0);
    cluster.stopNode(stopped);
    execute("INSERT INTO repaired_child VALUES (1, 1), (2, 1), (3, 1), (4, 1)");
    cluster.startNode(stopped);
    for (long child : Sql.longs(spar, "SELECT shard_id FROM " + PLACEMENTS
        + " WHERE shard_state = 3")) {
      repair(child, healthy, stopped);
      try (Connection direct = direct(stopped)) {
        assertEquals(Set.of("repaired_child_fk_" + child), strings(direct, "SELECT conname"
            + " FROM pg_constraint WHERE contype = 'f' AND conrelid = 'repaired_child_" + child
            + "'::regclass"));
      }
    }
    SQLException orphan = assertThrows(SQLException.class,
        () -> execute("INSERT INTO repaired_child VALUES (999999, 1)"));
    assertEquals("23503", orphan.getSQLState(), orphan.getMessage());
    assertEquals(4, count("SELECT count(*) FROM repaired_child"));
    assertEquals(0, count("SELECT count(*) FROM " + PLACEMENTS + " WHERE shard_state <> 1"));
  }

  /**
   * DDL sent while a repair waits for its fence is not lost on the repaired placement. Once
   * the ALTER ran on the FINALIZED source only, after the copy had made the target's table
   * from the coordinator's definition of before it: the placements then differed in columns.
   * Now the repair, finding the DDL holding the coordinator's table once its fence is up,
   * fails with 55P03 and leaves the placement INACTIVE; run again, it copies the new
   * definition. The repaired shard is referenced by a child's key (from the test before),
   * which the repair once could not drop with the old table.
   */
  @Test
  @Order(4)
  void ddlDuringARepairIsNotLost() throws Exception {
    long shard = inactiveOnSecondWorker(4000);
    PgNode stopped = cluster.workers().get(1);
    PgNode healthy = cluster.workers().get(0);
    try (Connection writer = direct(healthy); Connection altering = DriverManager.getConnection(
        "jdbc:spar:local=" + directory + ";workers=2")) {
      writer.setAutoCommit(false);
      long key = keyInShard(shard, 5000);
      execute(writer, "INSERT INTO repaired_" + shard + " VALUES (" + key + ", 'held', 1)");
      CompletableFuture<Void> repair = CompletableFuture.runAsync(() -> quietly(
          () -> repair(shard, healthy, stopped)));
      awaitLockWaits(healthy, 1);
      CompletableFuture<Void> alter = CompletableFuture.runAsync(() -> quietly(() -> execute(
          altering, "ALTER TABLE repaired ADD COLUMN during_repair int")));
      awaitLockWaits(healthy, 2);
      writer.commit();
      ExecutionException refused = assertThrows(ExecutionException.class,
          () -> repair.get(60, TimeUnit.SECONDS));
      SQLException cause = (SQLException) refused.getCause().getCause();
      assertEquals("55P03", cause.getSQLState(), cause.getMessage());
      alter.get(60, TimeUnit.SECONDS);
    }
    assertEquals(3, state(shard, stopped), "the failed repair left the placement INACTIVE");
    repair(shard, healthy, stopped);
    assertEquals(1, state(shard, stopped));
    for (PgNode each : cluster.workers()) {
      try (Connection direct = direct(each)) {
        assertEquals(Set.of("during_repair"), strings(direct, "SELECT attname FROM pg_attribute"
            + " WHERE attrelid = 'repaired_" + shard + "'::regclass"
            + " AND attname = 'during_repair'"), "the column on " + each.port());
        // The table was made anew on the repaired node: the child shard's key to it is back.
        assertEquals(1, Sql.count(direct, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
            + " AND confrelid = 'repaired_" + shard + "'::regclass"), "keys on " + each.port());
      }
    }
    execute("UPDATE repaired SET during_repair = 5 WHERE k = 4000");
    assertEquals(digest(healthy, shard), digest(stopped, shard));
  }

  /**
   * Inserts row {@code key} while the second worker is stopped, which makes the placement
   * there of the row's shard INACTIVE; returns the shard.
   */
  private static long inactiveOnSecondWorker(long key) throws Exception {
    long shard = shardFor(key);
    PgNode stopped = cluster.workers().get(1);
    cluster.stopNode(stopped);
    insert(key, key + 1);
    cluster.startNode(stopped);
    assertEquals(3, state(shard, stopped));
    return shard;
  }

  /** Waits until {@code count} statements on {@code node} wait for a lock. */
  private static void awaitLockWaits(PgNode node, int count) throws Exception {
    try (Connection direct = direct(node)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (Sql.count(direct, "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
          < count) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(count + " statements never came to wait for a lock on "
              + node.port());
        }
        Thread.sleep(5);
      }
    }
  }


  private static void assertBlocked(CompletableFuture<Void> future, String message)
      throws Exception {
    try {
      future.get(1500, TimeUnit.MILLISECONDS);
      throw new AssertionError(message + ", but it finished");
    } catch (TimeoutException expected) {
      assertFalse(future.isDone(), message);
    }
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static void quietly(SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void repair(long shard, PgNode source, PgNode target) throws SQLException {
    try (PreparedStatement ps = spar.prepareStatement(
        "SELECT master_copy_shard_placement(?, ?, ?, ?, ?)")) {
      ps.setLong(1, shard);
      ps.setString(2, source.host());
      ps.setInt(3, source.port());
      ps.setString(4, target.host());
      ps.setInt(5, target.port());
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
      }
    }
  }

  private static long keyInShard(long shard, long from) throws SQLException {
    for (long k = from; ; k++) {
      if (shardFor(k) == shard) {
        return k;
      }
    }
  }

  private static long shardFor(long k) throws SQLException {
    return count("SELECT get_shard_id_for_distribution_column('repaired', " + k + ")");
  }

  private static int state(long shard, PgNode node) throws SQLException {
    return (int) count("SELECT shard_state FROM " + PLACEMENTS + " WHERE shard_id = " + shard
        + " AND node_port = " + node.port());
  }

  /** Returns a hash of the shard's rows in a fixed order, read straight from {@code node}. */
  private static String digest(PgNode node, long shard) throws SQLException {
    try (Connection direct = direct(node); Statement statement = direct.createStatement();
        ResultSet rs = statement.executeQuery("SELECT md5(string_agg(t::text, ',' ORDER BY"
            + " t::text)) FROM repaired_" + shard + " t")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Connection direct(PgNode node) throws SQLException {
    return DriverManager.getConnection(node.jdbcUrl(), LocalCluster.USER, null);
  }

  private static Set<String> strings(Connection connection, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return Set.copyOf(values);
  }

  private static void insert(long from, long to) throws SQLException {
    try (PreparedStatement insert = spar.prepareStatement(
        "INSERT INTO repaired (k, v, n) VALUES (?, ?, ?)")) {
      for (long k = from; k < to; k++) {
        insert.setLong(1, k);
        insert.setString(2, "v" + k);
        insert.setInt(3, (int) (k % 10));
        assertEquals(1, insert.executeUpdate());
      }
    }
  }

  private static void execute(String sql) throws SQLException {
    execute(spar, sql);
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long count(String sql) throws SQLException {
    return Sql.count(spar, sql);
  }
}
