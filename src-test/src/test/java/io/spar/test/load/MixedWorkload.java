package io.spar.test.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The statements of an application under load, as ordinary JDBC code sends them: routed reads
 * of one account, multi-shard aggregates, inserts, and transfers between two accounts in a
 * transaction (JDBC autocommit turned off and on again around it, as connection pools do).
 * Every answer is checked as it comes, and at the end the transfers must have kept the total
 * balance and every acknowledged insert must be there.
 */
public final class MixedWorkload {
  /** Accounts in {@code load_accounts}, each starting with {@link #START_BALANCE}. */
  public static final int ACCOUNTS = 1_000;
  private static final long START_BALANCE = 1_000;
  /** The most failures kept for the report; all are counted. */
  private static final int KEPT_FAILURES = 20;

  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final List<String> failureMessages = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong nextEvent = new AtomicLong();
  private final AtomicLong eventsInserted = new AtomicLong();

  /** Creates the workload's tables through {@code spar}, with 8 shards each, and its rows. */
  public static void createTables(Connection spar) throws SQLException {
    try (Statement s = spar.createStatement()) {
      s.execute("DROP TABLE IF EXISTS load_accounts");
      s.execute("DROP TABLE IF EXISTS load_events");
      s.execute("CREATE TABLE load_accounts (id bigint NOT NULL, balance bigint NOT NULL)");
      s.execute("SELECT master_create_distributed_table('load_accounts', 'id', 'hash')");
      s.execute("SELECT master_create_worker_shards('load_accounts', 8, 1)");
      s.execute("CREATE TABLE load_events (id bigint NOT NULL, account bigint, amount int)");
      s.execute("SELECT master_create_distributed_table('load_events', 'id', 'hash')");
      s.execute("SELECT master_create_worker_shards('load_events', 8, 1)");
      StringBuilder values = new StringBuilder("INSERT INTO load_accounts VALUES ");
      for (int id = 1; id <= ACCOUNTS; id++) {
        values.append(id == 1 ? "" : ", ").append('(').append(id).append(", ")
            .append(START_BALANCE).append(')');
      }
      s.execute(values.toString());
    }
  }

  /** Drops the workload's tables. */
  public static void dropTables(Connection spar) throws SQLException {
    try (Statement s = spar.createStatement()) {
      s.execute("DROP TABLE load_accounts");
      s.execute("DROP TABLE load_events");
    }
  }

  /**
   * Runs the workload on every one of {@code sessions}, each on a thread of its own, for
   * {@code duration}.
   */
  public void run(List<Connection> sessions, Duration duration) throws InterruptedException {
    ExecutorService threads = Executors.newFixedThreadPool(sessions.size());
    long deadline = System.nanoTime() + duration.toNanos();
    List<Future<?>> runs = new ArrayList<>();
    for (Connection each : sessions) {
      runs.add(threads.submit(() -> {
        while (System.nanoTime() < deadline) {
          step(each);
        }
      }));
    }
    for (Future<?> each : runs) {
      try {
        each.get();
      } catch (java.util.concurrent.ExecutionException e) {
        fail("thread", e.getCause());
      }
    }
    threads.shutdown();
  }

  /**
   * Prints what the workload did as {@code label}, and checks that no operation failed, that
   * it did work on all its {@code sessions}, and that each of the {@code nodes} watched saw at
   * most {@code poolSize} pooled connections ({@code most}, from a {@link PoolWatch}).
   */
  public void assertClean(String label, int sessions, Map<String, Long> most, int nodes,
      int poolSize) {
    System.out.printf("%s: %d active for the run: %d statements, %d failed; most pooled"
        + " connections per node %s%n", label, sessions, statements(), failures(), most);
    assertEquals(0, failures(), String.join("\n", failureMessages()));
    assertTrue(statements() > sessions, "statements: " + statements());
    assertEquals(nodes, most.size(), most.toString());
    for (Map.Entry<String, Long> each : most.entrySet()) {
      assertTrue(each.getValue() <= poolSize, each.getKey() + " saw " + each.getValue());
    }
  }

  /**
   * Creates {@code user} as a superuser role on every node, anew, so that a load's engine
   * connects as a role of its own and only its connections are counted on the nodes.
   */
  public static void createRole(List<PgNode> nodes, String user)
      throws SQLException {
    for (PgNode node : nodes) {
      try (Connection direct = SparTestCluster.direct(node);
          Statement s = direct.createStatement()) {
        s.execute("DROP ROLE IF EXISTS " + user);
        s.execute("CREATE ROLE " + user + " LOGIN SUPERUSER");
      }
    }
  }

  /** Returns how many statements ran. */
  public long statements() {
    return statements.get();
  }

  /** Returns how many operations failed. */
  public long failures() {
    return failures.get();
  }

  /** Returns the first failures' descriptions. */
  public List<String> failureMessages() {
    return List.copyOf(failureMessages);
  }

  /**
   * Checks, through {@code spar}, what the workload must have left: the total balance it began
   * with, and every event whose insert was acknowledged.
   */
  public void verify(Connection spar) throws SQLException {
    try (Statement s = spar.createStatement();
        ResultSet total = s.executeQuery("SELECT count(*), sum(balance) FROM load_accounts")) {
      total.next();
      check(total.getLong(1) == ACCOUNTS, "accounts: " + total.getLong(1));
      check(total.getLong(2) == ACCOUNTS * START_BALANCE, "total balance: " + total.getLong(2));
    }
    try (Statement s = spar.createStatement();
        ResultSet events = s.executeQuery("SELECT count(*) FROM load_events")) {
      events.next();
      check(events.getLong(1) == eventsInserted.get(),
          "events: " + events.getLong(1) + " of " + eventsInserted.get() + " acknowledged");
    }
  }

  private void step(Connection session) {
    int pick = ThreadLocalRandom.current().nextInt(10);
    String operation = pick < 4 ? "routed read" : pick < 6 ? "aggregate"
        : pick < 8 ? "insert" : "transfer";
    try {
      switch (operation) {
        case "routed read" -> routedRead(session);
        case "aggregate" -> aggregate(session);
        case "insert" -> insert(session);
        default -> transfer(session);
      }
    } catch (SQLException | RuntimeException e) {
      fail(operation, e);
    }
  }

  private void routedRead(Connection session) throws SQLException {
    long id = account();
    try (PreparedStatement read = session.prepareStatement(
        "SELECT balance FROM load_accounts WHERE id = ?")) {
      read.setLong(1, id);
      try (ResultSet rows = read.executeQuery()) {
        check(rows.next(), "account " + id + " not found");
        check(!rows.next(), "account " + id + " found twice");
      }
    }
    statements.incrementAndGet();
  }

  private void aggregate(Connection session) throws SQLException {
    try (Statement s = session.createStatement();
        ResultSet rows = s.executeQuery("SELECT count(*), min(id), max(id) FROM load_accounts")) {
      rows.next();
      check(rows.getLong(1) == ACCOUNTS && rows.getLong(2) == 1 && rows.getLong(3) == ACCOUNTS,
          "aggregate answered " + rows.getLong(1) + ", " + rows.getLong(2) + ", "
              + rows.getLong(3));
    }
    statements.incrementAndGet();
  }

  private void insert(Connection session) throws SQLException {
    try (PreparedStatement insert = session.prepareStatement(
        "INSERT INTO load_events (id, account, amount) VALUES (?, ?, ?)")) {
      insert.setLong(1, nextEvent.incrementAndGet());
      insert.setLong(2, account());
      insert.setInt(3, ThreadLocalRandom.current().nextInt(100));
      check(insert.executeUpdate() == 1, "insert did not count one row");
    }
    eventsInserted.incrementAndGet();
    statements.incrementAndGet();
  }

  private void transfer(Connection session) throws SQLException {
    long from = account();
    long to = account();
    if (from == to) {
      return;
    }
    long amount = ThreadLocalRandom.current().nextLong(1, 10);
    session.setAutoCommit(false);
    try {
      // Accounts in id order, so that two transfers never wait for each other in a cycle.
      for (long id : new long[] {Math.min(from, to), Math.max(from, to)}) {
        try (PreparedStatement update = session.prepareStatement(
            "UPDATE load_accounts SET balance = balance + ? WHERE id = ?")) {
          update.setLong(1, id == from ? -amount : amount);
          update.setLong(2, id);
          check(update.executeUpdate() == 1, "account " + id + " not updated");
        }
      }
      session.commit();
      statements.addAndGet(3);
    } catch (SQLException | RuntimeException e) {
      session.rollback();
      throw e;
    } finally {
      session.setAutoCommit(true);
    }
  }

  private static long account() {
    return ThreadLocalRandom.current().nextLong(1, ACCOUNTS + 1);
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  private void fail(String operation, Throwable e) {
    failures.incrementAndGet();
    if (failureMessages.size() < KEPT_FAILURES) {
      failureMessages.add(operation + ": " + e
          + (e instanceof SQLException sql ? " [" + sql.getSQLState() + "]" : "")
          + (e.getCause() != null ? " caused by " + e.getCause() : ""));
    }
  }

  /**
   * Watches how many connections Spar's pools hold open on each of {@code nodes} (their
   * {@code pg_stat_activity} rows with application name {@code spar}, for {@code user}) while
   * a load runs, and keeps the most seen on each.
   */
  public static final class PoolWatch implements AutoCloseable {
    private final Map<String, Long> most = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile SQLException failure;

    /** Starts watching the nodes at the pgjdbc {@code urls}, as {@code user}. */
    public PoolWatch(List<String> urls, String user) {
      thread = new Thread(() -> watch(urls, user), "pool-watch");
      thread.setDaemon(true);
      thread.start();
    }

    private void watch(List<String> urls, String user) {
      List<Connection> nodes = new ArrayList<>();
      try {
        for (String url : urls) {
          nodes.add(DriverManager.getConnection(url, "postgres", null));
        }
        while (!stop.get()) {
          for (int i = 0; i < nodes.size(); i++) {
            try (PreparedStatement count = nodes.get(i).prepareStatement("SELECT count(*) FROM"
                + " pg_stat_activity WHERE application_name = 'spar' AND usename = ?")) {
              count.setString(1, user);
              try (ResultSet rows = count.executeQuery()) {
                rows.next();
                most.merge(urls.get(i), rows.getLong(1), Math::max);
              }
            }
          }
          // A sampling interval, so that watching leaves the machine's cores to the load.
          Thread.sleep(5);
        }
      } catch (SQLException e) {
        failure = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        for (Connection each : nodes) {
          try {
            each.close();
          } catch (SQLException e) {
            // The watch is over.
          }
        }
      }
    }

    /** Stops watching and returns the most connections seen on each node, by URL. */
    public Map<String, Long> most() throws SQLException, InterruptedException {
      close();
      if (failure != null) {
        throw failure;
      }
      return Map.copyOf(most);
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join();
    }
  }
}
