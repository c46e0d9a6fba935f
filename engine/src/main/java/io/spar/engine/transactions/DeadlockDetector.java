package io.spar.engine.transactions;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.NodePools;
import io.spar.engine.transactions.NodeLocks.Observation;
import io.spar.engine.transactions.WaitGraph.Wait;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detector of deadlocks that span nodes, which no single PostgreSQL can see: it finds them in
 * the lock waits of all nodes and cancels the youngest transaction of each.
 *
 * <p><b>Leader.</b> Every engine runs a detector thread, but only the engine whose dedicated
 * coordinator connection holds a session-level advisory lock ({@code 0x73706464, 0}) detects;
 * the others retry the lock every round, so when the leader's connection breaks, another
 * engine takes over.
 *
 * <p><b>Rounds.</b> Every interval the leader reads each node's waits in one query
 * ({@link NodeLocks}): waiting backends with the start of their wait, their blockers from
 * {@code pg_blocking_pids}, the {@link TransactionTag} each backend holds and when its
 * transaction started. A {@link WaitGraph} finds the deadlocks and their victims. For each, the
 * victim's row in {@link DeadlockVictims} is committed first, then the victim's waiting
 * statements are cancelled, so the victim's session, seeing 57014, finds the row and reports
 * 40P01 {@code deadlock detected}; the other transactions proceed.
 *
 * <p><b>Why a cycle found is a real deadlock.</b> Nodes are read one after another, so the
 * graph mixes moments, and a wait seen on one node may have ended before another node was read.
 * A wait therefore counts only if it began before the start R of the previous round and was
 * seen in both that round and this one as the same wait: same backend, same start on the
 * node's clock, same blocker, same tags. It rests on three facts: (a) the locks that
 * statements wait for are held until their node transaction ends (row, relation and
 * transaction-level advisory locks; nobody waits for a session-level lock of Spar's); (b) a
 * distributed transaction has one node transaction per node, holds its tag lock throughout
 * it, never reuses a tag, and ends none of its node transactions while one of its statements
 * waits; (c) a backend waits for one lock at a time, and each wait has its own start. By (c) a
 * wait seen twice was one unbroken wait in between, so the blockers and tags read in between
 * were its own, although one query is not one snapshot of a node. Now take a cycle of waits
 * w1 … wk, where wi, a wait of Ti, is blocked by a backend of Ti+1, and suppose one of them ends
 * by itself; let wj end first, at time e. The backend of Tj+1 that blocked wj after R held a
 * conflicting lock, or queued ahead of wj for one and would hold it before wj, and by (a)
 * releases it only when its node transaction ends, before e. By (b) Tj+1 then had no
 * waiting statement; yet wj+1 began before R and lasted beyond e, as wj ended first. So no wait
 * of the cycle ends unless something outside it intervenes (a timeout, a cancel, a crash,
 * PostgreSQL's own detector), and then the victim's cancellation is guarded: it only reaches a
 * backend that still holds the victim's tag and is still in the wait the round saw.
 *
 * <p><b>Delay.</b> The first round that starts after a cycle closes sees its last wait, the
 * next confirms it, and the victim is cancelled at once: at most two intervals plus two rounds'
 * reading time after the cycle closed (about 0.6 s with the default interval).
 */
public final class DeadlockDetector implements AutoCloseable {
  /** Time between the end of one round and the start of the next, by default. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(250);

  private static final Logger LOG = LoggerFactory.getLogger(DeadlockDetector.class);
  private static final Duration VICTIM_RECORD_LIFETIME = Duration.ofMinutes(5);
  private static final long CLEANUP_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** The worker nodes to watch, asked every round. */
  @FunctionalInterface
  public interface Workers {
    /** Returns the registered worker nodes. */
    List<NodeAddress> list() throws SQLException;
  }

  private final NodeAddress coordinator;
  private final Workers workers;
  private final Duration interval;
  private final DetectorConnections connections;
  private final ScheduledExecutorService timer;
  private final AtomicLong leaderRounds = new AtomicLong();
  private final AtomicLong victims = new AtomicLong();
  private final Set<NodeAddress> failing = new HashSet<>();
  private Set<Wait> seen = new HashSet<>();
  private long lastCleanup = System.nanoTime() - CLEANUP_NANOS;

  /**
   * Creates a detector for the coordinator at {@code coordinator} and its {@code workers},
   * reading every {@code interval}; {@link #start} starts it.
   */
  public DeadlockDetector(NodePools pools, NodeAddress coordinator, Workers workers,
      Duration interval) {
    this.coordinator = coordinator;
    this.workers = workers;
    this.interval = interval;
    this.connections = new DetectorConnections(pools, coordinator);
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "spar-deadlock-detector");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts the detector's rounds on its daemon thread. */
  public void start() {
    long millis = Math.max(1, interval.toMillis());
    timer.scheduleWithFixedDelay(this::roundQuietly, 0, millis, TimeUnit.MILLISECONDS);
  }

  /** Returns whether this engine's detector is the one that detects. */
  public boolean isLeader() {
    return connections.leading();
  }

  /** Returns the number of rounds this detector has completed as the leader. */
  public long leaderRounds() {
    return leaderRounds.get();
  }

  /** Returns the number of transactions this detector has cancelled as deadlock victims. */
  public long victims() {
    return victims.get();
  }

  private void roundQuietly() {
    try {
      round();
    } catch (RuntimeException e) {
      // An escaping exception would end the schedule, and with it deadlock detection.
      LOG.warn("deadlock detection round failed", e);
      connections.abandon();
    }
  }

  private void round() {
    long roundStart = System.nanoTime();
    if (!connections.lead()) {
      seen = new HashSet<>();
      return;
    }
    for (Deadlock deadlock : detect(roundStart)) {
      if (connections.leading()) {
        breakDeadlock(deadlock);
      }
    }
    forgetOldVictims();
    if (connections.leading()) {
      leaderRounds.incrementAndGet();
    }
  }

  /** Reads every node and returns the deadlocks among the waits seen in two rounds. */
  private List<Deadlock> detect(long roundStart) {
    Set<NodeAddress> nodes = new LinkedHashSet<>(List.of(coordinator));
    try {
      nodes.addAll(workers.list());
    } catch (SQLException e) {
      LOG.debug("could not list the workers for deadlock detection: {}", e.getMessage());
      seen = new HashSet<>();
      return List.of();
    }
    connections.retain(nodes);
    WaitGraph graph = new WaitGraph();
    Set<Wait> beforeRound = new HashSet<>();
    for (NodeAddress node : nodes) {
      Optional<NodeLocks.Reading> reading = read(node, roundStart);
      if (!connections.leading()) {
        seen = new HashSet<>();
        return List.of();
      }
      reading.ifPresent(r -> {
        for (Observation observation : r.waits()) {
          if (seen.contains(observation.lockWait())) {
            graph.add(observation.lockWait());
          }
          if (observation.beforeRound()) {
            beforeRound.add(observation.lockWait());
          }
        }
        r.starts().forEach(graph::started);
      });
    }
    seen = beforeRound;
    return graph.deadlocks();
  }

  /** Reads the waits of {@code node}, or nothing if it cannot be read now. */
  private Optional<NodeLocks.Reading> read(NodeAddress node, long roundStart) {
    try {
      NodeLocks.Reading reading = NodeLocks.read(connections.to(node), node, roundStart);
      if (failing.remove(node)) {
        LOG.info("deadlock detection reads node {} again", node);
      }
      return Optional.of(reading);
    } catch (SQLException e) {
      nodeFailed(node, e);
      return Optional.empty();
    }
  }

  /** Records the victim, commits, then cancels the victim's waiting statements. */
  private void breakDeadlock(Deadlock deadlock) {
    String cycle = deadlock.describe();
    LOG.info("distributed deadlock on nodes {}; cancelling the youngest transaction, {}:\n{}",
        deadlock.nodes(), deadlock.victim(), cycle);
    try {
      DeadlockVictims.record(connections.leader(), deadlock.victim(), cycle);
    } catch (SQLException e) {
      nodeFailed(coordinator, e);
      return;
    }
    Map<NodeAddress, List<Wait>> byNode = new LinkedHashMap<>();
    deadlock.victimWaits().forEach(w -> byNode.computeIfAbsent(w.node(),
        n -> new ArrayList<>()).add(w));
    int cancelled = 0;
    for (Map.Entry<NodeAddress, List<Wait>> each : byNode.entrySet()) {
      try {
        cancelled += NodeLocks.cancel(connections.to(each.getKey()), deadlock.victim(),
            each.getValue());
      } catch (SQLException e) {
        nodeFailed(each.getKey(), e);
      }
    }
    // A cancelled wait takes a moment to go; it must not be taken for a new deadlock meanwhile.
    deadlock.victimWaits().forEach(seen::remove);
    if (cancelled > 0) {
      victims.incrementAndGet();
      return;
    }
    LOG.info("transaction {} had left the deadlock before it was cancelled", deadlock.victim());
    try {
      if (connections.leading()) {
        DeadlockVictims.forget(connections.leader(), deadlock.victim());
      }
    } catch (SQLException e) {
      nodeFailed(coordinator, e);
    }
  }

  private void forgetOldVictims() {
    long now = System.nanoTime();
    if (now - lastCleanup < CLEANUP_NANOS || !connections.leading()) {
      return;
    }
    lastCleanup = now;
    try {
      DeadlockVictims.forgetOlderThan(connections.leader(), VICTIM_RECORD_LIFETIME);
    } catch (SQLException e) {
      nodeFailed(coordinator, e);
    }
  }

  private void nodeFailed(NodeAddress node, SQLException e) {
    if (failing.add(node)) {
      LOG.warn("deadlock detection could not use node {}: {}", node, e.getMessage());
    }
    connections.drop(node);
  }

  /** Stops the rounds and closes the detector's connections, giving up leadership. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(15, TimeUnit.SECONDS)) {
        LOG.warn("the deadlock detector's round did not end; closing its connections anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connections.close();
  }
}
