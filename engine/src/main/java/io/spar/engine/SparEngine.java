package io.spar.engine;

import io.spar.engine.catalog.CatalogMigrations;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PgFunctions;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.PoolLimits;
import io.spar.engine.execution.ReadExecutor;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.execution.WriteExecutor;
import io.spar.engine.operations.MoveLeftovers;
import io.spar.engine.transactions.DeadlockDetector;
import io.spar.engine.transactions.TransactionIds;
import io.spar.engine.transactions.TransactionMode;
import io.spar.engine.transactions.TransactionRecovery;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spar engine instance: the coordinator it uses, its node pools, metadata cache, executors
 * and statement log. Sessions (JDBC connections) share it.
 */
public final class SparEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SparEngine.class);
  private static final long RECOVERY_INTERVAL_SECONDS = 30;
  private static final int BACKGROUND_RECOVERY_MIN_AGE_SECONDS = 10;

  private final NodeAddress coordinator;
  private final NodePools pools;
  private final PoolLimits limits;
  private final AtomicInteger sessions = new AtomicInteger();
  private final MetadataCache metadata;
  private final StatementLog statementLog = new StatementLog();
  private final ExecutorService threads;
  private final ReadExecutor reads;
  private final WriteExecutor writes;
  private final PgFunctions functions;
  private final ScheduledExecutorService recoveryTimer;
  /** Fires query timeouts; a thread apart from recovery, which can take long. */
  private final ScheduledExecutorService timeouts;
  private TransactionIds transactionIds;
  private TransactionMode transactionDefaults;
  private TransactionRecovery recovery;
  private DeadlockDetector deadlocks;

  private SparEngine(NodeAddress coordinator, String database, String user, String password,
      PoolLimits limits) {
    this.coordinator = coordinator;
    this.limits = limits;
    this.pools = new NodePools(database, user, password, limits, coordinator);
    // The engine's own catalog work has connections of its own: sessions can hold all others.
    this.metadata = new MetadataCache(pools.internalPool(coordinator),
        () -> pools.open(coordinator));
    this.threads = Executors.newCachedThreadPool(daemonThreads());
    this.reads = new ReadExecutor(pools, statementLog, threads);
    this.writes = new WriteExecutor(statementLog, threads);
    this.functions = new PgFunctions(pools.internalPool(coordinator), metadata::generation);
    this.timeouts = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "spar-timeouts");
      thread.setDaemon(true);
      return thread;
    });
    this.recoveryTimer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "spar-recovery");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts an engine with the default {@link PoolLimits} on the coordinator at
   * {@code coordinatorUrl} ({@code jdbc:postgresql://HOST:PORT/DB}) and creates or migrates its
   * metadata schema.
   */
  public static SparEngine start(String coordinatorUrl, String user, String password)
      throws SQLException {
    return start(coordinatorUrl, user, password, PoolLimits.DEFAULTS);
  }

  /**
   * Starts an engine whose node pools keep to {@code limits} on the coordinator at
   * {@code coordinatorUrl} and creates or migrates its metadata schema.
   */
  public static SparEngine start(String coordinatorUrl, String user, String password,
      PoolLimits limits) throws SQLException {
    Properties parsed = Driver.parseURL(coordinatorUrl, new Properties());
    if (parsed == null) {
      throw new SQLException("invalid coordinator URL: " + coordinatorUrl, "08001");
    }
    NodeAddress node = new NodeAddress(parsed.getProperty("PGHOST").split(",")[0],
        Integer.parseInt(parsed.getProperty("PGPORT", "5432").split(",")[0]));
    SparEngine engine = new SparEngine(node, parsed.getProperty("PGDBNAME"), user, password,
        limits);
    try (Connection connection = engine.pools.borrow(node)) {
      CatalogMigrations.migrate(connection);
      engine.transactionIds = TransactionIds.of(connection);
      engine.transactionDefaults = TransactionMode.defaultsOf(connection);
    } catch (SQLException e) {
      engine.close();
      throw e;
    }
    engine.recovery = new TransactionRecovery(engine.pools, node, engine.transactionIds,
        engine.statementLog);
    // In-flight locks keep every run away from transactions that their owners still commit;
    // the periodic runs also leave young ones alone, so as not to contend for their locks.
    // A coordinator that recovery cannot reach has nothing to sweep by either.
    engine.recoveryTimer.execute(() -> {
      if (engine.recoverQuietly(0)) {
        engine.sweepMovesQuietly();
      }
    });
    engine.recoveryTimer.scheduleWithFixedDelay(() -> {
      if (engine.recoverQuietly(BACKGROUND_RECOVERY_MIN_AGE_SECONDS)) {
        engine.sweepMovesQuietly();
      }
    }, RECOVERY_INTERVAL_SECONDS, RECOVERY_INTERVAL_SECONDS, TimeUnit.SECONDS);
    engine.deadlocks = new DeadlockDetector(engine.pools, node,
        () -> engine.metadata.snapshot().workers(), DeadlockDetector.DEFAULT_INTERVAL);
    engine.deadlocks.start();
    return engine;
  }

  /**
   * Runs recovery of prepared transactions, as the timer does, logging instead of failing;
   * returns whether it ran.
   */
  private boolean recoverQuietly(int minAgeSeconds) {
    try {
      recovery.recover(minAgeSeconds);
      return true;
    } catch (SQLException | RuntimeException e) {
      LOG.warn("recovery of prepared transactions failed: {}", e.getMessage());
      return false;
    }
  }

  /**
   * Removes what shard moves killed with their engines left on the workers (see
   * {@link MoveLeftovers}), logging instead of failing.
   */
  private void sweepMovesQuietly() {
    try {
      new MoveLeftovers(pools, coordinator).sweep(metadata.snapshot().workers());
    } catch (SQLException | RuntimeException e) {
      LOG.warn("removing the leftovers of unfinished shard moves failed: {}", e.getMessage());
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "spar-executor-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Returns the coordinator's address. */
  public NodeAddress coordinator() {
    return coordinator;
  }

  /** Returns the connection pools of all nodes. */
  public NodePools pools() {
    return pools;
  }

  /** Returns the metadata cache. */
  public MetadataCache metadata() {
    return metadata;
  }

  /** Returns the log of statements sent to nodes. */
  public StatementLog statementLog() {
    return statementLog;
  }

  /** Returns the executor for reads. */
  public ReadExecutor reads() {
    return reads;
  }

  /** Returns the executor for modifications. */
  public WriteExecutor writes() {
    return writes;
  }

  /** Returns the functions installed on the coordinator, from its {@code pg_proc}. */
  public PgFunctions functions() {
    return functions;
  }

  /** Returns the thread pool that runs shard tasks in parallel. */
  public ExecutorService threads() {
    return threads;
  }

  /** Returns the names of this coordinator's prepared transactions. */
  public TransactionIds transactionIds() {
    return transactionIds;
  }

  /**
   * Returns the characteristics a new session's transactions get until it changes them: the
   * coordinator's {@code default_transaction_*} settings for Spar's role and database.
   */
  public TransactionMode transactionDefaults() {
    return transactionDefaults;
  }

  /** Returns recovery of prepared transactions; it also runs at start and every 30 s. */
  public TransactionRecovery recovery() {
    return recovery;
  }

  /** Returns the detector of distributed deadlocks, which detects while this engine leads. */
  public DeadlockDetector deadlockDetector() {
    return deadlocks;
  }

  /** Opens the node connections of a new session. */
  public SessionConnections openSession() throws SQLException {
    int max = limits.maxSessions();
    if (max > 0 && sessions.incrementAndGet() > max) {
      sessions.decrementAndGet();
      throw new SQLException("sorry, too many clients already: Spar admits " + max
          + " sessions at once (maxSessions)", "53300");
    }
    return new SessionConnections(pools, coordinator,
        max > 0 ? sessions::decrementAndGet : () -> { });
  }

  /** Returns the scheduler of query timeouts, whose tasks must be short. */
  public ScheduledExecutorService timeouts() {
    return timeouts;
  }

  /** Returns how many sessions are open, when the limits count them (a session limit). */
  public int openSessions() {
    return sessions.get();
  }

  @Override
  public void close() {
    if (deadlocks != null) {
      deadlocks.close();
    }
    recoveryTimer.shutdownNow();
    timeouts.shutdownNow();
    metadata.close();
    threads.shutdownNow();
    pools.close();
  }
}
