package io.spar.engine.transactions;

import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.execution.WriteScope;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One session's transaction across the coordinator and worker nodes.
 *
 * <p>It holds one connection per node it wrote to (the session's), remembers which placements
 * it wrote and which nodes failed, and commits with one-phase commit when a single worker
 * holds all its work, otherwise with {@link TwoPhaseCommit}. Replicated writes and placement
 * failures always take two-phase commit, so that a failed placement is marked INACTIVE
 * atomically with the commit decision.
 */
public final class DistributedTransaction implements WriteScope {
  private final SessionConnections connections;
  private final TwoPhaseCommit twoPhaseCommit;
  private final boolean implicit;
  private final Map<NodeAddress, List<ShardPlacement>> written = new LinkedHashMap<>();
  private final Set<NodeAddress> failedNodes = new HashSet<>();
  private final List<ShardPlacement> failed = new ArrayList<>();
  private final Set<Long> shards = new HashSet<>();
  private boolean replicated;
  private SQLException firstNodeFailure;

  DistributedTransaction(SessionConnections connections, TwoPhaseCommit twoPhaseCommit,
      boolean implicit) {
    this.connections = connections;
    this.twoPhaseCommit = twoPhaseCommit;
    this.implicit = implicit;
  }

  /** Creates the transaction of one statement in autocommit mode, or of a transaction block. */
  public static DistributedTransaction begin(SessionConnections connections, StatementLog log,
      MetadataCache cache, TransactionIds ids, boolean implicit) {
    return new DistributedTransaction(connections, new TwoPhaseCommit(connections, log, cache,
        ids), implicit);
  }

  @Override
  public boolean allowsAutocommit() {
    return implicit && written.isEmpty() && failed.isEmpty();
  }

  @Override
  public Connection connection(NodeAddress node) throws SQLException {
    return connections.transactional(node);
  }

  @Override
  public Connection autocommitConnection(NodeAddress node) throws SQLException {
    Connection connection = connections.worker(node);
    if (!connection.getAutoCommit()) {
      connection.setAutoCommit(true);
    }
    return connection;
  }

  @Override
  public boolean hasFailed(NodeAddress node) {
    return failedNodes.contains(node);
  }

  @Override
  public void written(ShardPlacement placement, boolean replicatedShard) {
    written.computeIfAbsent(placement.node(), k -> new ArrayList<>()).add(placement);
    shards.add(placement.shardId());
    replicated |= replicatedShard;
  }

  @Override
  public void nodeFailed(ShardPlacement placement, SQLException cause) {
    NodeAddress node = placement.node();
    failedNodes.add(node);
    failed.add(placement);
    shards.add(placement.shardId());
    List<ShardPlacement> lost = written.remove(node);
    if (lost != null) {
      failed.addAll(lost);
    }
    connections.releaseWorker(node);
    firstNodeFailure = firstNodeFailure == null ? cause : firstNodeFailure;
  }

  @Override
  public void skipped(ShardPlacement placement) {
    failed.add(placement);
    shards.add(placement.shardId());
  }

  @Override
  public boolean hasLivePlacement(long shardId) {
    return written.values().stream()
        .anyMatch(list -> list.stream().anyMatch(p -> p.shardId() == shardId));
  }

  @Override
  public void checkPlacementsUnchanged(Shard shard) throws SQLException {
    Map<Long, PlacementState> now = CatalogStore.placementStates(connections.coordinator(),
        shard.id());
    for (ShardPlacement each : shard.placements()) {
      if (now.get(each.id()) != each.state()) {
        throw new SQLException("placements of shard " + shard.id() + " changed while the"
            + " statement waited for it; retry the statement", "40001");
      }
    }
  }

  @Override
  public SQLException firstNodeFailure() {
    return firstNodeFailure;
  }

  /**
   * Commits: nothing to do without writes; one-phase commit when one worker holds all the work
   * and nothing else must change with it; otherwise two-phase commit.
   *
   * @throws SQLException if the transaction was rolled back instead
   */
  public void commit(boolean coordinatorWrites) throws SQLException {
    try {
      for (long each : shards) {
        if (!hasLivePlacement(each)) {
          throw firstNodeFailure != null ? firstNodeFailure : new SQLException(
              "could not find any healthy placement for shard " + each, "XX000");
        }
      }
      boolean onePhase = written.size() <= 1 && !replicated && failed.isEmpty()
          && !(coordinatorWrites && !written.isEmpty());
      if (onePhase) {
        for (NodeAddress each : written.keySet()) {
          connections.worker(each).commit();
        }
        if (coordinatorWrites) {
          connections.coordinator().commit();
        }
      } else {
        twoPhaseCommit.commit(written, failed, shards);
      }
    } catch (SQLException | RuntimeException e) {
      rollback();
      throw e;
    } finally {
      connections.releaseWorkers();
    }
  }

  /** Rolls back every node's part of the transaction. */
  public void rollback() {
    connections.releaseWorkers();
    twoPhaseCommit.abortCoordinator();
  }
}
