package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * Runs modifications on every FINALIZED placement of their shards, inside the session's
 * transaction ({@link WriteScope}), which commits them.
 *
 * <p>Shards on the same node share the session's connection to it, so a statement error (a
 * constraint violation, say) aborts the whole transaction and no placement is blamed.
 * Placements are written in placement order; on a replicated shard each placement first takes
 * the shard lock of the write's {@link WriteClass}, so concurrent writers that do not commute
 * apply in the same order on every placement. The lock is taken at every placement, not only
 * the first, because a two-phase commit lands on one node after another: a lock held only at
 * the first placement is released when that node commits, and a writer let through there could
 * reach the next placement before the earlier transaction has committed on it, and miss its
 * rows there but not on the first. Shards are visited in id order and placements in placement
 * order, one global lock order, so concurrent multi-shard writes cannot deadlock.
 *
 * <p>Writes to unreplicated shards take no lock, so nothing orders them across nodes: each
 * node's writes run in shard order on its connection, and the nodes run at once, so that a
 * batch spread over several workers costs the slowest worker's time rather than their sum.
 *
 * <p>A node failure while other placements succeed is recorded in the transaction, which marks
 * the lost placements INACTIVE atomically with its commit. A shard with no placement left
 * fails the statement.
 */
public final class WriteExecutor {
  private final StatementLog log;
  private final Executor threads;

  /**
   * Creates an executor that records statements in {@code log} and writes to several nodes
   * at once on {@code threads}.
   */
  public WriteExecutor(StatementLog log, Executor threads) {
    this.log = log;
    this.threads = threads;
  }

  /**
   * Runs {@code writes}, which together form a batch of {@code statementCount} statements, and
   * returns their update counts (and rows, for statements that returned any).
   */
  public WriteResult execute(List<ShardWrite> writes, int statementCount, WriteScope scope)
      throws SQLException {
    if (writes.size() == 1 && !replicated(writes.get(0).shard()) && scope.allowsAutocommit()) {
      return single(writes.get(0), statementCount, scope);
    }
    Results results = new Results(statementCount);
    List<ShardWrite> ordered = new ArrayList<>(writes);
    ordered.sort(Comparator.comparingLong(each -> each.shard().id()));
    if (ordered.stream().anyMatch(each -> replicated(each.shard()))) {
      for (ShardWrite each : ordered) {
        run(each, scope, results);
      }
    } else {
      runByNode(ordered, scope, results);
    }
    for (ShardWrite each : ordered) {
      if (!scope.hasLivePlacement(each.shard().id())) {
        throw scope.firstNodeFailure() != null ? scope.firstNodeFailure() : new SQLException(
            "could not find any healthy placement for shard " + each.shard().id(), "XX000");
      }
    }
    return results.toResult();
  }

  private void run(ShardWrite write, WriteScope scope, Results results) throws SQLException {
    List<ShardPlacement> placements = write.shard().finalizedPlacements();
    boolean replicated = replicated(write.shard());
    for (ShardPlacement placement : placements) {
      NodeAddress node = placement.node();
      if (scope.hasFailed(node)) {
        scope.skipped(placement);
        continue;
      }
      try {
        PlacementWrite.Outcome outcome = PlacementWrite.run(scope.connection(placement), write, log,
            node, replicated, false, scope.valueForm());
        scope.written(write.shard(), placement, replicated);
        results.record(write, outcome);
      } catch (SQLException e) {
        if (!Failures.isNodeFailure(e)) {
          throw e;
        }
        scope.nodeFailed(placement, e);
      }
    }
  }

  /**
   * Runs writes to unreplicated shards, each node's in order on its connection, the nodes at
   * once. The transaction's bookkeeping (joining nodes, recording placements written or lost)
   * happens on this thread, before and after.
   */
  private void runByNode(List<ShardWrite> ordered, WriteScope scope, Results results)
      throws SQLException {
    Map<NodeAddress, List<ShardWrite>> byNode = new LinkedHashMap<>();
    Map<NodeAddress, Connection> connections = new HashMap<>();
    for (ShardWrite each : ordered) {
      for (ShardPlacement placement : each.shard().finalizedPlacements()) {
        NodeAddress node = placement.node();
        if (scope.hasFailed(node)) {
          scope.skipped(placement);
          continue;
        }
        try {
          connections.put(node, scope.connection(placement));
          byNode.computeIfAbsent(node, k -> new ArrayList<>()).add(each);
        } catch (SQLException e) {
          if (!Failures.isNodeFailure(e)) {
            throw e;
          }
          scope.nodeFailed(placement, e);
        }
      }
    }
    List<NodeAddress> nodes = new ArrayList<>(byNode.keySet());
    List<NodeTasks.Outcome<List<PlacementWrite.Outcome>>> runs = NodeTasks.run(threads, nodes,
        node -> {
          List<PlacementWrite.Outcome> done = new ArrayList<>();
          for (ShardWrite each : byNode.get(node)) {
            done.add(PlacementWrite.run(connections.get(node), each, log, node, false, false,
                scope.valueForm()));
          }
          return done;
        });
    SQLException refused = null;
    for (int i = 0; i < nodes.size(); i++) {
      NodeAddress node = nodes.get(i);
      SQLException failure = runs.get(i).failure();
      List<ShardWrite> writes = byNode.get(node);
      if (failure == null) {
        List<PlacementWrite.Outcome> done = runs.get(i).value();
        for (int w = 0; w < writes.size(); w++) {
          ShardPlacement placement = writes.get(w).shard().finalizedPlacements().get(0);
          scope.written(writes.get(w).shard(), placement, false);
          results.record(writes.get(w), done.get(w));
        }
      } else if (Failures.isNodeFailure(failure)) {
        for (ShardWrite each : writes) {
          scope.nodeFailed(each.shard().finalizedPlacements().get(0), failure);
        }
      } else if (refused == null) {
        refused = failure;
      }
    }
    if (refused != null) {
      throw refused;
    }
  }

  /**
   * Returns whether writes to {@code shard} keep replicas in step: take the shard lock and
   * commit with two-phase commit, whose commit record is written only if no placement became
   * current that the transaction did not write. An INACTIVE replica counts, since a repair may
   * make it FINALIZED while a write waits; so does a reference table's single placement, since
   * a worker added meanwhile gets a copy that an engine routing by an older catalog would not
   * know of.
   */
  private static boolean replicated(Shard shard) {
    return shard.placements().size() > 1 || shard.reference();
  }

  /**
   * Runs a write on a shard's only placement in autocommit mode: the statement (or pgjdbc
   * batch) is atomic by itself, and there is no replica to keep in step, so no transaction
   * or lock is needed.
   */
  private WriteResult single(ShardWrite write, int statementCount, WriteScope scope)
      throws SQLException {
    ShardPlacement placement = write.shard().finalizedPlacements().get(0);
    PlacementWrite.Outcome outcome = PlacementWrite.run(
        scope.autocommitConnection(placement.node()), write, log, placement.node(), false, true,
        scope.valueForm());
    Results results = new Results(statementCount);
    results.record(write, outcome);
    return results.toResult();
  }

  /**
   * Update counts and returned rows, taken from one placement of each shard write; the rows of
   * a multi-row INSERT come back in the order of its VALUES, as PostgreSQL returns them.
   */
  private static final class Results {
    private final long[] counts;
    private final Set<ShardWrite> recorded = Collections.newSetFromMap(new IdentityHashMap<>());
    private final TreeMap<Integer, Object[]> byOrdinal = new TreeMap<>();
    private List<ColumnInfo> columns;
    private final List<Object[]> unordered = new ArrayList<>();
    private int unorderedWrites;
    private boolean skipped;

    Results(int statementCount) {
      this.counts = new long[statementCount];
    }

    void record(ShardWrite write, PlacementWrite.Outcome outcome) {
      if (!recorded.add(write)) {
        return;
      }
      for (int i = 0; i < write.statementIndexes().length; i++) {
        counts[write.statementIndexes()[i]] += outcome.counts()[i];
      }
      if (outcome.rows() == null) {
        return;
      }
      columns = outcome.rows().columns();
      List<Object[]> returned = outcome.rows().rows();
      int[] ordinals = write.rowOrdinals();
      if (ordinals != null && returned.size() == ordinals.length) {
        for (int i = 0; i < ordinals.length; i++) {
          byOrdinal.put(ordinals[i], returned.get(i));
        }
      } else if (!returned.isEmpty()) {
        // Not a multi-row INSERT, or ON CONFLICT DO NOTHING (or DO UPDATE … WHERE) skipped some
        // of this shard's rows, and the rows it returned do not say which.
        unorderedWrites++;
        unordered.addAll(returned);
        skipped |= ordinals != null;
      }
    }

    WriteResult toResult() throws SQLException {
      if (columns == null) {
        return new WriteResult(counts, null);
      }
      if (skipped && (unorderedWrites > 1 || !byOrdinal.isEmpty())) {
        throw PgErrors.error("0A000", "cannot return the rows of this INSERT … RETURNING in"
            + " the order of its VALUES", "ON CONFLICT skipped rows on a shard, and the rows"
            + " it returned do not say which; rows of other shards would fall between them.",
            "Insert rows that may conflict one statement at a time, or without RETURNING.");
      }
      List<Object[]> all = new ArrayList<>(byOrdinal.values());
      all.addAll(unordered);
      return new WriteResult(counts, new RowSet(columns, all));
    }
  }
}
