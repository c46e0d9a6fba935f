package io.spar.engine.transactions;

import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.Failures;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.StatementLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two-phase commit of one transaction, decided in the coordinator database.
 *
 * <ol>
 *   <li>The coordinator transaction takes a txid and the in-flight lock on it: a session-level
 *       advisory lock, which tells recovery that the owner is still at work on it.
 *   <li>Every worker node runs {@code PREPARE TRANSACTION}. A node that fails loses its
 *       placements; any other error, or a shard left without a placement, aborts everything.
 *   <li>The coordinator transaction marks lost placements INACTIVE, inserts the commit record,
 *       which names every node that was sent PREPARE, and commits: this is the decision, atomic
 *       with the placement-state change (and with the transaction's own writes to coordinator
 *       tables). The record is inserted only if every FINALIZED placement of the shards written
 *       was written; otherwise a placement became current after the transaction was routed
 *       (see {@link PlacementsChanged}) and everything is rolled back.
 *   <li>Every prepared node runs {@code COMMIT PREPARED}. A node that fails now is finished by
 *       recovery, which commits what has a commit record.
 *   <li>Only then, or once the transaction is aborted, the in-flight lock is released: until
 *       then no recovery decides anything about the transaction (see
 *       {@link TransactionRecovery} for why the whole protocol is safe under any timing).
 * </ol>
 */
final class TwoPhaseCommit {
  private static final Logger LOG = LoggerFactory.getLogger(TwoPhaseCommit.class);

  private final SessionConnections connections;
  private final StatementLog log;
  private final MetadataCache cache;
  private final TransactionIds ids;

  TwoPhaseCommit(SessionConnections connections, StatementLog log, MetadataCache cache,
      TransactionIds ids) {
    this.connections = connections;
    this.log = log;
    this.cache = cache;
    this.ids = ids;
  }

  /**
   * Commits the work on {@code written} nodes, losing the {@code failed} placements, if every
   * FINALIZED placement of {@code shards} is among {@code reached}. If {@code keepsSnapshot},
   * the coordinator transaction reads by an older snapshot, so the placements are read on a
   * connection of their own.
   */
  void commit(Map<NodeAddress, List<ShardPlacement>> written, List<ShardPlacement> failed,
      Set<Long> shards, Set<Long> reached, boolean keepsSnapshot) throws SQLException {
    // The commit record and the in-flight lock (released at the end) leave no session state.
    Connection coordinator = connections.coordinatorForSpar();
    boolean implicit = coordinator.getAutoCommit();
    coordinator.setAutoCommit(false);
    try {
      long txid = begin(coordinator);
      try {
        commit(coordinator, txid, written, failed, shards, reached, keepsSnapshot);
      } finally {
        release(coordinator, txid);
      }
    } finally {
      if (implicit && !coordinator.isClosed()) {
        coordinator.setAutoCommit(true);
      }
    }
  }

  private void commit(Connection coordinator, long txid,
      Map<NodeAddress, List<ShardPlacement>> written, List<ShardPlacement> failed,
      Set<Long> shards, Set<Long> reached, boolean keepsSnapshot) throws SQLException {
    String gid = ids.gid(txid);
    FaultPoint.BEFORE_PREPARE.reach();
    Map<NodeAddress, List<ShardPlacement>> live = new LinkedHashMap<>(written);
    List<ShardPlacement> lost = new ArrayList<>(failed);
    Set<NodeAddress> sent = new TreeSet<>();
    List<NodeAddress> prepared = prepare(gid, live, lost, sent);
    for (long each : shards) {
      if (live.values().stream().noneMatch(l -> l.stream().anyMatch(p -> p.shardId() == each))) {
        abort(gid, prepared);
        throw new SQLException("could not prepare any placement of shard " + each, "08006");
      }
    }
    FaultPoint.AFTER_ALL_PREPARES.reach();
    decide(coordinator, txid, gid, prepared, sent, lost, shards, reached, keepsSnapshot);
    FaultPoint.AFTER_COMMIT_RECORD.reach();
    commitPrepared(gid, prepared);
  }

  /**
   * Takes a txid and its in-flight lock, which outlives the coordinator transaction. The txid is
   * the coordinator transaction's own id, unique for the life of the coordinator's cluster: a
   * sequence would leave {@code lastval()} set on the session's connection, which then could not
   * go back to the pool, and would answer the user's {@code lastval()} with Spar's number.
   */
  private long begin(Connection coordinator) throws SQLException {
    String sql = "SELECT id, pg_advisory_lock(" + TransactionIds.lockKey("id") + ") FROM"
        + " (SELECT pg_catalog.pg_current_xact_id()::text::bigint AS id) s";
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Prepares every live node; returns those that prepared, and adds to {@code sent} every node
   * that was sent PREPARE, since one whose reply was lost may hold a prepared transaction too.
   */
  private List<NodeAddress> prepare(String gid, Map<NodeAddress, List<ShardPlacement>> live,
      List<ShardPlacement> lost, Set<NodeAddress> sent) throws SQLException {
    List<NodeAddress> prepared = new ArrayList<>();
    for (NodeAddress node : new ArrayList<>(live.keySet())) {
      sent.add(node);
      try {
        run(connections.connection(node), node, "PREPARE TRANSACTION '" + gid + "'");
        prepared.add(node);
        if (prepared.size() == 1) {
          FaultPoint.AFTER_FIRST_PREPARE.reach();
        }
      } catch (SQLException e) {
        if (!Failures.isNodeFailure(e)) {
          abort(gid, prepared);
          throw e;
        }
        lost.addAll(live.remove(node));
        connections.release(node);
      }
    }
    return prepared;
  }

  private void decide(Connection coordinator, long txid, String gid, List<NodeAddress> prepared,
      Set<NodeAddress> sent, List<ShardPlacement> lost, Set<Long> shards, Set<Long> reached,
      boolean keepsSnapshot) throws SQLException {
    try {
      requireNoKeyedReferenceLost(coordinator, lost);
      for (ShardPlacement each : lost) {
        CatalogStore.updatePlacementState(coordinator, each.id(), PlacementState.INACTIVE);
      }
      // A placement made current after the transaction was routed (a repair, a reference
      // table copied to an added worker) that it did not write would miss its writes: the
      // copy's fence kept the transaction out until the copy ended, but not afterwards. No
      // copy can end from now on: the prepared writes hold the locks its fence needs.
      boolean missed;
      if (keepsSnapshot) {
        try (Connection catalog = connections.pools().borrowInternal(
            connections.coordinatorNode())) {
          missed = CommitRecord.missesPlacement(catalog, shards, reached);
        }
        if (!missed) {
          CommitRecord.insert(coordinator, txid, sent);
        }
      } else {
        missed = !CommitRecord.insertIfReached(coordinator, txid, sent, shards, reached);
      }
      if (missed) {
        // So that the statement, run again (by Spar or the client), is routed by them.
        cache.placementsChanged();
        throw new PlacementsChanged(shards);
      }
    } catch (SQLException e) {
      abort(gid, prepared);
      throw e;
    }
    try {
      coordinator.commit();
    } catch (SQLException e) {
      // The commit may or may not have happened; recovery decides from the commit record.
      throw new SQLException("could not commit distributed transaction " + gid
          + "; recovery will resolve it: " + e.getMessage(), "08007", e);
    }
    if (!lost.isEmpty()) {
      // Placements were marked INACTIVE: only placements changed.
      cache.placementsChanged();
    }
  }

  /**
   * Refuses to lose a copy of a reference table that foreign keys reference (tables of
   * distributed schemas, on the copy's node): a stale copy would check those keys against
   * rows the table no longer has, and miss its cascades, with no error anywhere. The write
   * fails instead, as it would on one PostgreSQL server that could not reach its disk.
   */
  private static void requireNoKeyedReferenceLost(Connection coordinator,
      List<ShardPlacement> lost) throws SQLException {
    if (lost.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT c.relname"
        + " FROM pgs_distribution_metadata.shard s"
        + " JOIN pgs_distribution_metadata.partition p ON p.relation_id = s.relation_id"
        + " JOIN pg_catalog.pg_class c ON c.oid = s.relation_id"
        + " WHERE s.id = ANY (?) AND p.partition_method = 'n' AND EXISTS (SELECT 1"
        + "  FROM pg_catalog.pg_constraint k WHERE k.confrelid = s.relation_id"
        + "  AND k.contype = 'f') LIMIT 1")) {
      ps.setArray(1, coordinator.createArrayOf("bigint",
          lost.stream().map(ShardPlacement::shardId).distinct().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new SQLException("could not write reference table \"" + rs.getString(1)
              + "\" on every worker: foreign keys reference it there, so no copy may fall"
              + " behind", "08006");
        }
      }
    }
  }

  private void commitPrepared(String gid, List<NodeAddress> prepared) {
    boolean first = true;
    for (NodeAddress node : prepared) {
      try {
        Connection connection = connections.connection(node);
        connection.setAutoCommit(true);
        run(connection, node, "COMMIT PREPARED '" + gid + "'");
      } catch (SQLException e) {
        if ("42704".equals(e.getSQLState())) {
          // Recovery committed it first: the commit record was already there.
          LOG.debug("{} on {} was already committed by recovery", gid, node);
        } else {
          LOG.warn("COMMIT PREPARED of {} on {} failed; recovery will commit it: {}", gid, node,
              e.getMessage());
          connections.release(node);
        }
      }
      if (first) {
        first = false;
        FaultPoint.AFTER_FIRST_COMMIT_PREPARED.reach();
      }
    }
  }

  /** Rolls back the prepared nodes and the coordinator transaction, which holds no record. */
  private void abort(String gid, List<NodeAddress> prepared) {
    for (NodeAddress node : prepared) {
      try {
        Connection connection = connections.connection(node);
        connection.setAutoCommit(true);
        run(connection, node, "ROLLBACK PREPARED '" + gid + "'");
      } catch (SQLException e) {
        LOG.warn("ROLLBACK PREPARED of {} on {} failed; recovery will roll it back: {}", gid,
            node, e.getMessage());
        connections.release(node);
      }
    }
    abortCoordinator();
  }

  /**
   * Ends whatever coordinator transaction is still open (after the decision none is; before it,
   * the transaction is being abandoned, so rolling it back is what the caller does anyway),
   * then releases the in-flight lock so that recovery may resolve what is left. If the
   * connection broke, its backend releases the lock as it ends.
   */
  private void release(Connection coordinator, long txid) {
    try {
      if (coordinator.isClosed()) {
        return;
      }
      boolean block = !coordinator.getAutoCommit();
      if (block) {
        coordinator.rollback();
      }
      try (Statement statement = coordinator.createStatement()) {
        statement.execute("SELECT pg_advisory_unlock("
            + TransactionIds.lockKey(Long.toString(txid)) + ")");
      }
      if (block) {
        coordinator.rollback();
      }
    } catch (SQLException e) {
      LOG.warn("could not release the in-flight lock of {}; it ends with its connection: {}",
          ids.gid(txid), e.getMessage());
    }
  }

  /** Rolls back the coordinator's open transaction, if any. */
  void abortCoordinator() {
    try {
      Connection coordinator = connections.coordinator();
      if (!coordinator.getAutoCommit()) {
        coordinator.rollback();
      }
    } catch (SQLException e) {
      LOG.warn("could not roll back the coordinator transaction: {}", e.getMessage());
    }
  }

  private void run(Connection connection, NodeAddress node, String sql) throws SQLException {
    log.record(node, null, sql);
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
