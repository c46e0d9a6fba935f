package io.spar.engine.execution;

import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.ShardPlacement;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs modifications on every FINALIZED placement of their shards, all in one transaction per
 * worker node.
 *
 * <p>Shards on the same node share the session's connection to it, so a statement that touches
 * several shards is undone as a whole on a statement error (a constraint violation, say):
 * nothing is half-written and no placement is blamed. Placements are written in placement
 * order and committed only after every placement ran; on a replicated shard the first
 * placement first takes the shard lock of the write's {@link WriteClass}, so concurrent
 * writers that do not commute apply in the same order on every placement.
 *
 * <p>A node failure while others succeed marks every placement this statement wrote on that
 * node INACTIVE before the others commit, so a crash in between leaves a placement wrongly
 * inactive (repairable) rather than wrongly finalized. If some shard has no placement left,
 * the whole statement fails. Commits to several nodes are not yet atomic with each other;
 * two-phase commit makes them so.
 */
public final class WriteExecutor {
  private final StatementLog log;
  private final MetadataCache cache;

  /** Creates an executor that records statements in {@code log}. */
  public WriteExecutor(StatementLog log, MetadataCache cache) {
    this.log = log;
    this.cache = cache;
  }

  /**
   * Runs {@code writes}, which together form a batch of {@code statementCount} statements, and
   * returns their update counts (and rows, for a single statement that returned any).
   */
  public WriteResult execute(List<ShardWrite> writes, int statementCount,
      SessionConnections session) throws SQLException {
    if (writes.size() == 1 && writes.get(0).shard().finalizedPlacements().size() == 1) {
      return single(writes.get(0), statementCount, session);
    }
    Attempt attempt = new Attempt(session);
    List<ShardWrite> ordered = new ArrayList<>(writes);
    // One global order of shard locks, so concurrent multi-shard writes cannot deadlock.
    ordered.sort(Comparator.comparingLong(each -> each.shard().id()));
    try {
      for (ShardWrite each : ordered) {
        attempt.run(each);
      }
      attempt.checkEveryShardWritten(writes);
    } catch (SQLException | RuntimeException e) {
      attempt.rollback();
      throw e;
    }
    markInactive(attempt.failedPlacements(), session);
    List<ShardPlacement> lostInCommit = attempt.commit();
    markInactive(lostInCommit, session);
    return attempt.result(statementCount);
  }

  /**
   * Runs a write on a shard's only placement in autocommit mode: the statement (or pgjdbc
   * batch) is atomic by itself, and there is no replica to keep in step, so no transaction
   * or lock is needed.
   */
  private WriteResult single(ShardWrite write, int statementCount, SessionConnections session)
      throws SQLException {
    ShardPlacement placement = write.shard().finalizedPlacements().get(0);
    PlacementWrite.Outcome outcome = PlacementWrite.run(session.worker(placement.node()), write,
        log, placement.node(), false, true);
    long[] counts = new long[statementCount];
    for (int i = 0; i < write.statementIndexes().length; i++) {
      counts[write.statementIndexes()[i]] += outcome.counts()[i];
    }
    return new WriteResult(counts, outcome.rows());
  }

  private void markInactive(List<ShardPlacement> failed, SessionConnections session)
      throws SQLException {
    if (failed.isEmpty()) {
      return;
    }
    Connection coordinator = session.coordinator();
    for (ShardPlacement each : failed) {
      CatalogStore.updatePlacementState(coordinator, each.id(), PlacementState.INACTIVE);
    }
    cache.invalidate();
  }

  /** State of one statement's writes across nodes. */
  private final class Attempt {
    private final SessionConnections session;
    private final Map<NodeAddress, List<ShardPlacement>> written = new LinkedHashMap<>();
    private final Set<NodeAddress> failedNodes = new HashSet<>();
    private final List<ShardPlacement> failed = new ArrayList<>();
    private final Set<ShardWrite> recorded = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Integer, Long> counts = new LinkedHashMap<>();
    private SQLException nodeFailure;
    private RowSet rows;

    Attempt(SessionConnections session) {
      this.session = session;
    }

    void run(ShardWrite write) throws SQLException {
      List<ShardPlacement> placements = write.shard().finalizedPlacements();
      for (ShardPlacement placement : placements) {
        NodeAddress node = placement.node();
        if (failedNodes.contains(node)) {
          failed.add(placement);
          continue;
        }
        try {
          boolean lock = placements.size() > 1 && placement == placements.get(0);
          PlacementWrite.Outcome outcome = PlacementWrite.run(session.worker(node), write, log,
              node, lock, false);
          written.computeIfAbsent(node, k -> new ArrayList<>()).add(placement);
          if (recorded.add(write)) {
            record(write, outcome);
          }
        } catch (SQLException e) {
          if (!Failures.isNodeFailure(e)) {
            throw e;
          }
          nodeFailed(node, placement, e);
        }
      }
    }

    private void record(ShardWrite write, PlacementWrite.Outcome outcome) {
      for (int i = 0; i < write.statementIndexes().length; i++) {
        counts.merge(write.statementIndexes()[i], outcome.counts()[i], Long::sum);
      }
      if (outcome.rows() != null) {
        rows = rows == null ? outcome.rows()
            : new RowSet(rows.columns(), concat(rows.rows(), outcome.rows().rows()));
      }
    }

    private void nodeFailed(NodeAddress node, ShardPlacement placement, SQLException e) {
      failedNodes.add(node);
      failed.add(placement);
      // Work already done on this node in this statement is lost with its connection.
      List<ShardPlacement> lost = written.remove(node);
      if (lost != null) {
        failed.addAll(lost);
      }
      session.releaseWorker(node);
      nodeFailure = nodeFailure == null ? e : nodeFailure;
    }

    void checkEveryShardWritten(List<ShardWrite> writes) throws SQLException {
      for (ShardWrite each : writes) {
        boolean written = this.written.values().stream()
            .anyMatch(list -> list.stream().anyMatch(p -> p.shardId() == each.shard().id()));
        if (!written) {
          throw nodeFailure != null ? nodeFailure : new SQLException(
              "could not find any healthy placement for shard " + each.shard().id(), "XX000");
        }
      }
    }

    List<ShardPlacement> failedPlacements() {
      return failed;
    }

    List<ShardPlacement> commit() throws SQLException {
      List<ShardPlacement> lost = new ArrayList<>();
      for (Map.Entry<NodeAddress, List<ShardPlacement>> each : written.entrySet()) {
        try {
          session.worker(each.getKey()).commit();
        } catch (SQLException e) {
          if (!Failures.isNodeFailure(e)) {
            throw e;
          }
          session.releaseWorker(each.getKey());
          lost.addAll(each.getValue());
        }
      }
      return lost;
    }

    void rollback() {
      for (NodeAddress each : written.keySet()) {
        session.releaseWorker(each);
      }
    }

    WriteResult result(int statementCount) {
      long[] result = new long[statementCount];
      counts.forEach((index, count) -> result[index] = count);
      return new WriteResult(result, rows);
    }
  }

  private static List<Object[]> concat(List<Object[]> a, List<Object[]> b) {
    List<Object[]> result = new ArrayList<>(a);
    result.addAll(b);
    return result;
  }
}
