package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 8, item 10 (the bank test): 8 writers transfer money between 20 accounts
 * of a table with replication factor 1 for {@value #SECONDS} s, each transfer a transaction that
 * updates two rows, often on different workers, in whatever order the transfer names them. Such
 * transactions deadlock across workers, where no single PostgreSQL sees the cycle; Spar's
 * detector must break every such deadlock with 40P01, the victims retry, every writer finishes,
 * and the total balance is unchanged.
 */
class BankTest {
  private static final int SECONDS = 60;
  private static final int WRITERS = 8;
  private static final int ACCOUNTS = 20;
  private static final long START_BALANCE = 1_000;

  @Test
  void transfersDeadlockAcrossWorkersAndEveryWriterFinishes() throws Exception {
    try (Connection setup = SparTestCluster.spar()) {
      Sql.run(setup, "DROP TABLE IF EXISTS bank_accounts");
      Sql.run(setup, "CREATE TABLE bank_accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
      Sql.run(setup, "SELECT master_create_distributed_table('bank_accounts', 'id', 'hash')");
      Sql.run(setup, "SELECT master_create_worker_shards('bank_accounts', 8, 1)");
      for (int id = 1; id <= ACCOUNTS; id++) {
        Sql.run(setup, "INSERT INTO bank_accounts VALUES (" + id + ", " + START_BALANCE + ")");
      }
    }
    AtomicLong committed = new AtomicLong();
    Map<String, AtomicLong> retried = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      long seed = 1000 + w;
      done.add(writers.submit(() -> {
        transfer(seed, deadline, committed, retried);
        return null;
      }));
    }
    writers.shutdown();
    // A writer stuck in an undetected deadlock would never return: bound the wait.
    assertTrue(writers.awaitTermination(SECONDS + 120, TimeUnit.SECONDS),
        "every writer finishes");
    for (Future<?> each : done) {
      each.get();
    }
    try (Connection check = SparTestCluster.spar()) {
      assertEquals(ACCOUNTS * START_BALANCE,
          Sql.count(check, "SELECT sum(balance) FROM bank_accounts"), "money is conserved");
    }
    System.out.println("BankTest: " + committed.get() + " transfers committed in " + SECONDS
        + " s by " + WRITERS + " writers; retried after " + retried);
    assertTrue(committed.get() > 0, "transfers were committed");
    assertTrue(retried.getOrDefault("40P01", new AtomicLong()).get() > 0,
        "deadlocks happened and were broken with 40P01");
  }

  /** Transfers until {@code deadline}, retrying deadlock and serialization victims. */
  private static void transfer(long seed, long deadline, AtomicLong committed,
      Map<String, AtomicLong> retried) throws SQLException {
    Random random = new Random(seed);
    try (Connection connection = SparTestCluster.spar();
        PreparedStatement debit = connection.prepareStatement(
            "UPDATE bank_accounts SET balance = balance - ? WHERE id = ?");
        PreparedStatement credit = connection.prepareStatement(
            "UPDATE bank_accounts SET balance = balance + ? WHERE id = ?")) {
      connection.setAutoCommit(false);
      while (System.nanoTime() < deadline) {
        int from = 1 + random.nextInt(ACCOUNTS);
        int to = 1 + (from + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        long amount = 1 + random.nextInt(50);
        while (true) {
          try {
            run(debit, amount, from);
            run(credit, amount, to);
            connection.commit();
            committed.incrementAndGet();
            break;
          } catch (SQLException e) {
            connection.rollback();
            if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
              throw e;
            }
            retried.computeIfAbsent(e.getSQLState(), k -> new AtomicLong()).incrementAndGet();
          }
        }
      }
    }
  }

  private static void run(PreparedStatement update, long amount, int id) throws SQLException {
    update.setLong(1, amount);
    update.setInt(2, id);
    assertEquals(1, update.executeUpdate());
  }
}
