package io.spar.engine.transactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.catalog.CatalogMigrations;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.PoolLimits;
import io.spar.engine.execution.StatementLog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests of {@link TransactionRecovery} driven directly, without an engine and its background
 * runs, against a real coordinator and two workers: every prepared transaction, commit record
 * and in-flight lock is made by the test, so no outcome depends on timing.
 */
class TransactionRecoveryTest {
  /** Minimum age that makes every prepared transaction of a test young. */
  private static final int AN_HOUR = 3600;

  @TempDir
  static Path directory;
  static LocalCluster cluster;
  static NodePools pools;
  static TransactionIds ids;
  static TransactionRecovery recovery;
  static NodeAddress worker1;
  static NodeAddress worker2;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(directory, 2);
    worker1 = address(cluster.workers().get(0));
    worker2 = address(cluster.workers().get(1));
    try (Connection coordinator = open(cluster.coordinator())) {
      CatalogMigrations.migrate(coordinator);
      CatalogStore.addNode(coordinator, worker1);
      CatalogStore.addNode(coordinator, worker2);
      ids = TransactionIds.of(coordinator);
    }
    for (PgNode each : cluster.workers()) {
      execute(each, "CREATE TABLE recovery_probe (k bigint)");
    }
    pools = new NodePools(LocalCluster.DATABASE, LocalCluster.USER, null, PoolLimits.DEFAULTS,
        address(cluster.coordinator()));
    recovery = new TransactionRecovery(pools, address(cluster.coordinator()), ids,
        new StatementLog());
  }

  @AfterAll
  static void stop() {
    if (pools != null) {
      pools.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void nothingLeft() throws SQLException {
    assertEquals(0, prepared(worker1) + prepared(worker2), "a test left prepared transactions");
  }

  /**
   * Test case for issue 8: a run with a minimum age did not list younger prepared
   * transactions, took their commit record for finished and deleted it, and the next run rolled
   * the committed transaction back.
   */
  @Test
  void youngPreparedTransactionKeepsItsCommitRecord() throws SQLException {
    long txid = nextTxid();
    prepare(worker1, txid, 101);
    prepare(worker2, txid, 102);
    record(txid, List.of(worker1, worker2));

    assertEquals(0, recovery.recover(AN_HOUR), "young transactions are left to their owners");
    assertTrue(hasRecord(txid), "the commit record of a transaction still prepared is kept");
    assertEquals(1, prepared(worker1));
    assertEquals(1, prepared(worker2));

    assertEquals(2, recovery.recover(0));
    assertEquals(1, rows(worker1, 101), "committed, as its commit record says");
    assertEquals(1, rows(worker2, 102), "committed, as its commit record says");
    assertFalse(hasRecord(txid), "resolved everywhere, so the record is gone");
  }

  /** Test case for issue 8: a record written before records named their nodes is kept too. */
  @Test
  void youngTransactionKeepsARecordWithoutNodes() throws SQLException {
    long txid = nextTxid();
    prepare(worker2, txid, 201);
    try (Connection coordinator = open(cluster.coordinator());
        Statement statement = coordinator.createStatement()) {
      statement.execute("INSERT INTO pgs_distribution_metadata.transaction (transaction_id)"
          + " VALUES (" + txid + ")");
    }
    assertEquals(0, recovery.recover(AN_HOUR));
    assertTrue(hasRecord(txid));
    assertEquals(1, recovery.recover(0));
    assertEquals(1, rows(worker2, 201));
    assertFalse(hasRecord(txid));
  }

  /**
   * Test case for issue 8: while the owner holds the in-flight lock, after its commit record
   * and between its COMMIT PREPAREDs, no run decides anything, and the record stays until the
   * owner has committed on every node.
   */
  @Test
  void ownerStillCommittingIsLeftAlone() throws SQLException {
    long txid = nextTxid();
    prepare(worker1, txid, 301);
    prepare(worker2, txid, 302);
    try (Connection owner = open(cluster.coordinator())) {
      execute(owner, "SELECT pg_advisory_lock(" + TransactionIds.lockKey("" + txid) + ")");
      record(txid, List.of(worker1, worker2));
      assertEquals(0, recovery.recover(0));
      assertEquals(1, prepared(worker1));
      assertEquals(1, prepared(worker2));

      execute(cluster.workers().get(0), "COMMIT PREPARED '" + ids.gid(txid) + "'");
      assertEquals(0, recovery.recover(0));
      assertTrue(hasRecord(txid), "worker2 still holds the transaction");

      execute(cluster.workers().get(1), "COMMIT PREPARED '" + ids.gid(txid) + "'");
      assertEquals(0, recovery.recover(0));
      assertFalse(hasRecord(txid), "committed everywhere by its owner");
    }
    assertEquals(1, rows(worker1, 301));
    assertEquals(1, rows(worker2, 302));
  }

  /** A prepared transaction without a record, and without an owner, is rolled back. */
  @Test
  void abandonedTransactionWithoutRecordIsRolledBack() throws SQLException {
    long txid = nextTxid();
    prepare(worker1, txid, 401);
    prepare(worker2, txid, 402);
    assertEquals(0, recovery.recover(AN_HOUR));
    assertEquals(2, recovery.recover(0));
    assertEquals(0, rows(worker1, 401));
    assertEquals(0, rows(worker2, 402));
  }

  /** An unreachable node keeps the record of a transaction it may hold, until it is back. */
  @Test
  void unreachableNodeKeepsTheRecord() throws Exception {
    long txid = nextTxid();
    prepare(worker1, txid, 501);
    prepare(worker2, txid, 502);
    record(txid, List.of(worker1, worker2));
    PgNode down = cluster.workers().get(1);
    cluster.stopNode(down);
    try {
      assertEquals(1, recovery.recover(0), "committed on worker1");
      assertTrue(hasRecord(txid), "worker2 could not be listed");
    } finally {
      cluster.startNode(down);
    }
    assertEquals(1, recovery.recover(0), "committed on worker2, from the kept record");
    assertEquals(1, rows(worker1, 501));
    assertEquals(1, rows(worker2, 502));
    assertFalse(hasRecord(txid));
  }

  /** A node that left the catalog is still listed, from the records that name it. */
  @Test
  void nodeThatLeftTheCatalogIsListedFromTheRecord() throws SQLException {
    long txid = nextTxid();
    prepare(worker1, txid, 601);
    prepare(worker2, txid, 602);
    record(txid, List.of(worker1, worker2));
    try (Connection coordinator = open(cluster.coordinator())) {
      execute(coordinator, "DELETE FROM pgs_distribution_metadata.node WHERE node_port = "
          + worker2.port());
      try {
        assertEquals(2, recovery.recover(0));
      } finally {
        CatalogStore.addNode(coordinator, worker2);
      }
    }
    assertEquals(1, rows(worker2, 602));
    assertFalse(hasRecord(txid));
  }

  /** Runs of recovery follow one another: one waits while another holds the recovery lock. */
  @Test
  void runsWaitForEachOther() throws Exception {
    long txid = nextTxid();
    prepare(worker1, txid, 701);
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread run;
    try (Connection other = open(cluster.coordinator())) {
      execute(other, "SELECT pg_advisory_lock(" + TransactionRecovery.RUN_LOCK_KEY + ")");
      run = new Thread(() -> {
        try {
          outcome.set(recovery.recover(0));
        } catch (SQLException e) {
          outcome.set(e);
        }
      }, "recovery-run");
      run.start();
      while (!waitsForRunLock(other)) {
        assertTrue(run.isAlive(), "the run finished while another held the recovery lock: "
            + outcome.get());
        Thread.onSpinWait();
      }
      assertEquals(1, prepared(worker1), "nothing resolved while the other run holds the lock");
    }
    run.join();
    assertEquals(1, outcome.get());
    assertEquals(0, rows(worker1, 701));
  }

  // ---------------------------------------------------------------------------------------

  /** Writes the commit record through {@link CommitRecord}, as two-phase commit does. */
  private static void record(long txid, List<NodeAddress> nodes) throws SQLException {
    try (Connection coordinator = open(cluster.coordinator())) {
      CommitRecord.insert(coordinator, txid, nodes);
    }
  }

  private static long nextTxid() throws SQLException {
    try (Connection coordinator = open(cluster.coordinator());
        Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT pg_current_xact_id()::text::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void prepare(NodeAddress node, long txid, long key) throws SQLException {
    try (Connection worker = open(node)) {
      worker.setAutoCommit(false);
      try (Statement statement = worker.createStatement()) {
        statement.execute("INSERT INTO recovery_probe VALUES (" + key + ")");
        statement.execute("PREPARE TRANSACTION '" + ids.gid(txid) + "'");
      }
      worker.setAutoCommit(true);
    }
  }

  private static boolean hasRecord(long txid) throws SQLException {
    try (Connection coordinator = open(cluster.coordinator())) {
      return CommitRecord.exists(coordinator, txid);
    }
  }

  private static long prepared(NodeAddress node) throws SQLException {
    return count(node, "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE '"
        + ids.likePattern() + "'");
  }

  private static long rows(NodeAddress node, long key) throws SQLException {
    return count(node, "SELECT count(*) FROM recovery_probe WHERE k = " + key);
  }

  private static boolean waitsForRunLock(Connection other) throws SQLException {
    try (Statement statement = other.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_locks"
            + " WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1"
            + " AND ((classid::bigint << 32) | objid::bigint) = "
            + TransactionRecovery.RUN_LOCK_KEY)) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  private static long count(NodeAddress node, String sql) throws SQLException {
    try (Connection connection = open(node);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(PgNode node, String sql) throws SQLException {
    try (Connection connection = open(address(node))) {
      execute(connection, sql);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static Connection open(PgNode node) throws SQLException {
    return open(address(node));
  }

  private static Connection open(NodeAddress node) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", LocalCluster.USER);
    return DriverManager.getConnection("jdbc:postgresql://" + node.host() + ":" + node.port()
        + "/" + LocalCluster.DATABASE, properties);
  }

  private static NodeAddress address(PgNode node) {
    return new NodeAddress(node.host(), node.port());
  }
}
