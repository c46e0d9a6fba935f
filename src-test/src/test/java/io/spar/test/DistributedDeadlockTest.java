package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.SparEngine;
import io.spar.engine.cluster.PgNode;
import io.spar.engine.transactions.DeadlockDetector;
import io.spar.engine.transactions.DeadlockVictims;
import io.spar.engine.transactions.TransactionTag;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8, item 10: a deadlock across workers hung forever. The engine's
 * detector must find a cycle of waits that spans two workers, cancel the youngest transaction
 * (whose session then reports 40P01) and let the other one commit; and it must never cancel a
 * wait that is not part of such a cycle.
 *
 * <p>The two "distributed transactions" are built by hand, with one plain pgjdbc connection
 * per worker each taking its transaction's tag lock, as Spar's sessions do.
 */
class DistributedDeadlockTest {
  static final Duration BOUND = Duration.ofSeconds(30);

  static Connection spar;
  static SparEngine engine;
  static PgNode workerA;
  static PgNode workerB;

  final List<Connection> opened = new ArrayList<>();
  final ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeAll
  static void createAccounts() throws SQLException {
    spar = SparTestCluster.spar();
    engine = spar.unwrap(SparSession.class).engine();
    workerA = SparTestCluster.cluster().workers().get(0);
    workerB = SparTestCluster.cluster().workers().get(1);
  }

  @BeforeEach
  void resetAccounts() throws SQLException {
    // Row 1 lives on worker A and row 2 on worker B, as two shards of one table would.
    for (PgNode worker : List.of(workerA, workerB)) {
      try (Connection direct = SparTestCluster.direct(worker);
          Statement statement = direct.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS deadlock_accounts");
        statement.execute("CREATE TABLE deadlock_accounts (id int PRIMARY KEY, balance int)");
        statement.execute("INSERT INTO deadlock_accounts VALUES ("
            + (worker == workerA ? 1 : 2) + ", 100)");
      }
    }
  }

  @AfterEach
  void closeConnections() throws SQLException {
    threads.shutdownNow();
    for (Connection each : opened) {
      each.close();
    }
  }

  @AfterAll
  static void dropAccounts() throws SQLException {
    for (PgNode worker : List.of(workerA, workerB)) {
      try (Connection direct = SparTestCluster.direct(worker);
          Statement statement = direct.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS deadlock_accounts");
      }
    }
    spar.close();
  }

  @RepeatedTest(3)
  void breaksACycleAcrossTwoWorkersByCancellingTheYoungestTransaction() throws Exception {
    TransactionTag older = TransactionTag.next();
    TransactionTag younger = TransactionTag.next();
    Connection olderOnA = begin(workerA, older);
    Connection olderOnB = begin(workerB, older);
    Connection youngerOnA = begin(workerA, younger);
    Connection youngerOnB = begin(workerB, younger);
    // The older transaction moves 10 from row 1 to row 2, the younger 5 from row 2 to row 1.
    execute(olderOnA, "UPDATE deadlock_accounts SET balance = balance - 10 WHERE id = 1");
    execute(youngerOnB, "UPDATE deadlock_accounts SET balance = balance - 5 WHERE id = 2");
    CompletableFuture<Outcome> youngerWait =
        update(youngerOnA, "UPDATE deadlock_accounts SET balance = balance + 5 WHERE id = 1");
    awaitLockWait(workerA, youngerOnA);
    // The older transaction closes the cycle, so a victim chosen by age is not the closer.
    long closed = System.nanoTime();
    CompletableFuture<Outcome> olderWait =
        update(olderOnB, "UPDATE deadlock_accounts SET balance = balance + 10 WHERE id = 2");

    Outcome first = (Outcome) CompletableFuture.anyOf(youngerWait, olderWait)
        .get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertTrue(youngerWait.isDone() && !olderWait.isDone(),
        "the younger transaction is the victim and the older one still waits for it");
    assertNotNull(first.error(), "the victim's statement fails");
    assertEquals(DeadlockVictims.QUERY_CANCELED, first.error().getSQLState());
    System.out.printf("distributed deadlock broken %d ms after the cycle closed%n",
        TimeUnit.NANOSECONDS.toMillis(first.at() - closed));

    DataSource coordinator = engine.pools().internalPool(engine.coordinator());
    Optional<SQLException> deadlock =
        DeadlockVictims.deadlockError(coordinator, younger, first.error());
    assertTrue(deadlock.isPresent(), "the cancellation was the detector's");
    assertEquals("40P01", deadlock.get().getSQLState());
    PSQLException shaped = (PSQLException) deadlock.get();
    assertEquals("deadlock detected", shaped.getServerErrorMessage().getMessage());
    String detail = shaped.getServerErrorMessage().getDetail();
    assertTrue(detail.startsWith("Distributed transaction " + younger + " waits for"), detail);
    assertTrue(detail.contains("blocked by distributed transaction " + older), detail);
    assertTrue(detail.contains("on node " + workerA.host() + ":" + workerA.port()), detail);
    assertTrue(detail.contains("on node " + workerB.host() + ":" + workerB.port()), detail);
    assertEquals(Optional.empty(),
        DeadlockVictims.deadlockError(coordinator, younger, first.error()),
        "a victim's record is read once");

    youngerOnA.rollback();
    youngerOnB.rollback();
    Outcome survivor = olderWait.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertNull(survivor.error(), "the older transaction proceeds");
    olderOnA.commit();
    olderOnB.commit();
    assertEquals(90, balance(workerA, 1));
    assertEquals(110, balance(workerB, 2));
  }

  @Test
  void neverCancelsAWaitOutsideACycle() throws Exception {
    DeadlockDetector detector = engine.deadlockDetector();
    await(detector::isLeader, "the shared engine detects deadlocks on its coordinator");
    // An ordinary wait on one worker, without tags.
    Connection holder = begin(workerA, null);
    Connection waiter = begin(workerA, null);
    execute(holder, "UPDATE deadlock_accounts SET balance = 0 WHERE id = 1");
    CompletableFuture<Outcome> untagged =
        update(waiter, "UPDATE deadlock_accounts SET balance = 1 WHERE id = 1");
    // A chain across workers between tagged transactions: T2 waits for T1 on B, T1 is idle.
    TransactionTag t1 = TransactionTag.next();
    TransactionTag t2 = TransactionTag.next();
    begin(workerA, t1);
    Connection t1OnB = begin(workerB, t1);
    begin(workerA, t2);
    Connection t2OnB = begin(workerB, t2);
    execute(t1OnB, "UPDATE deadlock_accounts SET balance = 0 WHERE id = 2");
    CompletableFuture<Outcome> tagged =
        update(t2OnB, "UPDATE deadlock_accounts SET balance = 2 WHERE id = 2");
    awaitLockWait(workerA, waiter);
    awaitLockWait(workerB, t2OnB);

    long rounds = detector.leaderRounds();
    await(() -> detector.leaderRounds() >= rounds + 6, "six rounds of deadlock detection");
    assertFalse(untagged.isDone(), "the untagged wait is left alone");
    assertFalse(tagged.isDone(), "the wait between tagged transactions is left alone");

    holder.commit();
    t1OnB.commit();
    assertNull(untagged.get(BOUND.toSeconds(), TimeUnit.SECONDS).error());
    assertNull(tagged.get(BOUND.toSeconds(), TimeUnit.SECONDS).error());
  }

  /** The result of a statement run on another thread, and when it returned. */
  record Outcome(SQLException error, long at) {
  }

  /** Opens a connection to {@code worker} in a transaction that holds {@code tag}'s lock. */
  Connection begin(PgNode worker, TransactionTag tag) throws SQLException {
    Connection connection = SparTestCluster.direct(worker);
    opened.add(connection);
    connection.setAutoCommit(false);
    execute(connection, tag == null ? "SELECT 1" : tag.lockStatement());
    return connection;
  }

  static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  CompletableFuture<Outcome> update(Connection connection, String sql) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        execute(connection, sql);
        return new Outcome(null, System.nanoTime());
      } catch (SQLException e) {
        return new Outcome(e, System.nanoTime());
      }
    }, threads);
  }

  /** Waits until {@code connection}'s backend on {@code worker} waits for a lock. */
  static void awaitLockWait(PgNode worker, Connection connection) throws Exception {
    int pid = connection.unwrap(PGConnection.class).getBackendPID();
    try (Connection observer = SparTestCluster.direct(worker);
        PreparedStatement statement = observer.prepareStatement(
            "SELECT count(*) FROM pg_locks WHERE pid = ? AND NOT granted")) {
      statement.setInt(1, pid);
      await(() -> {
        try (ResultSet rs = statement.executeQuery()) {
          rs.next();
          return rs.getInt(1) > 0;
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, "backend " + pid + " waits for a lock");
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(10);
    }
  }

  static int balance(PgNode worker, int id) throws SQLException {
    try (Connection direct = SparTestCluster.direct(worker);
        Statement statement = direct.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT balance FROM deadlock_accounts WHERE id = " + id)) {
      assertTrue(rs.next());
      return rs.getInt(1);
    }
  }

  @Test
  void leadershipMovesWhenTheLeadersConnectionBreaks() throws Exception {
    DeadlockDetector shared = engine.deadlockDetector();
    try (DeadlockDetector second = new DeadlockDetector(engine.pools(), engine.coordinator(),
        () -> engine.metadata().snapshot().workers(), Duration.ofMillis(50))) {
      second.start();
      await(() -> shared.isLeader() ^ second.isLeader(), "exactly one detector leads");
      int leaderPid = leaderPid().orElseThrow();
      try (Connection coordinator = SparTestCluster.coordinator();
          Statement statement = coordinator.createStatement()) {
        statement.execute("SELECT pg_terminate_backend(" + leaderPid + ")");
      }
      await(() -> leaderPid().filter(pid -> pid != leaderPid).isPresent(),
          "another connection holds the leader lock");
      await(() -> shared.isLeader() ^ second.isLeader(), "exactly one detector leads again");
      assertNotEquals(leaderPid, leaderPid().orElseThrow());
    }
  }

  /** Returns the coordinator backend that holds the deadlock detector's leader lock. */
  static Optional<Integer> leaderPid() {
    try (Connection coordinator = SparTestCluster.coordinator();
        Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pid FROM pg_locks WHERE granted"
            + " AND locktype = 'advisory' AND classid = x'73706464'::int::bigint::oid"
            + " AND objid = 0 AND objsubid = 2")) {
      return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
