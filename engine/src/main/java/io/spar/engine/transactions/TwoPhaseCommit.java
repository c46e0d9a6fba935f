package io.spar.engine.transactions;

import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.Failures;
import io.spar.engine.execution.NodeTasks;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.StatementLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two-phase commit of one transaction, decided in the coordinator database.
 *
 * <ol>
 *   <li>The coordinator transaction takes a txid and the in-flight lock on it: a session-level
 *       advisory lock, which tells recovery that the owner is still at work on it.
 *   <li>Every worker node runs {@code PREPARE TRANSACTION}, all at once. A node that fails
 *       loses its placements; any other error, or a shard left without a placement, aborts
 *       everything.
 *   <li>The coordinator transaction marks lost placements INACTIVE, inserts the commit record,
 *       which names every node that was sent PREPARE, and commits: this is the decision, atomic
 *       with the placement-state change (and with the transaction's own writes to coordinator
 *       tables). The record is inserted only if every FINALIZED placement of the shards written
 *       was written; otherwise a placement became current after the transaction was routed
 *       (see {@link PlacementsChanged}) and everything is rolled back. When the coordinator
 *       transaction holds nothing else, the record's INSERT and its COMMIT share a round trip.
 *   <li>Every prepared node runs {@code COMMIT PREPARED}, all at once. A node that fails now is
 *       finished by recovery, which commits what has a commit record.
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
  private final Executor threads;

  TwoPhaseCommit(SessionConnections connections, StatementLog log, MetadataCache cache,
      TransactionIds ids, Executor threads) {
    this.connections = connections;
    this.log = log;
    this.cache = cache;
    this.ids = ids;
    this.threads = threads;
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
        commit(coordinator, txid, written, failed, shards, reached, keepsSnapshot, implicit);
      } finally {
        release(coordinator, txid);
      }
    } finally {
      if (!coordinator.isClosed()) {
        coordinator.setAutoCommit(implicit);
      }
    }
  }

  private void commit(Connection coordinator, long txid,
      Map<NodeAddress, List<ShardPlacement>> written, List<ShardPlacement> failed,
      Set<Long> shards, Set<Long> reached, boolean keepsSnapshot, boolean implicit)
      throws SQLException {
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
    decide(coordinator, txid, gid, prepared, sent, lost, shards, reached,
        keepsSnapshot ? Decision.OWN_SNAPSHOT : implicit && lost.isEmpty() ? Decision.RECORD_ONLY
            : Decision.WITH_CHANGES);
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
    SQLException refused = null;
    boolean reachedFirst = false;
    for (List<NodeAddress> step : steps(live.keySet())) {
      sent.addAll(step);
      List<NodeTasks.Outcome<Void>> outcomes = onEach(step, "PREPARE TRANSACTION '" + gid + "'");
      for (int i = 0; i < step.size(); i++) {
        NodeAddress node = step.get(i);
        SQLException failure = outcomes.get(i).failure();
        if (failure == null) {
          prepared.add(node);
        } else if (Failures.isNodeFailure(failure)) {
          lost.addAll(live.remove(node));
          connections.release(node);
        } else if (refused == null) {
          refused = failure;
        }
      }
      if (refused != null) {
        abort(gid, prepared);
        throw refused;
      }
      if (!prepared.isEmpty() && !reachedFirst) {
        reachedFirst = true;
        FaultPoint.AFTER_FIRST_PREPARE.reach();
      }
    }
    return prepared;
  }

  /**
   * Returns the nodes in the groups that are sent a phase's command together: all at once, or
   * one after another while a test stops at the points between them.
   */
  private static List<List<NodeAddress>> steps(Collection<NodeAddress> nodes) {
    List<NodeAddress> all = new ArrayList<>(nodes);
    if (!FaultPoint.stepwise()) {
      return all.isEmpty() ? List.of() : List.of(all);
    }
    return all.stream().map(List::of).toList();
  }

  /**
   * Runs {@code sql} on the session's connection to each of {@code nodes}, all at once, and
   * returns how each ended.
   */
  private List<NodeTasks.Outcome<Void>> onEach(List<NodeAddress> nodes, String sql) {
    // The session's connections are taken here: SessionConnections is not for several threads.
    Map<NodeAddress, Connection> byNode = new HashMap<>();
    Map<NodeAddress, SQLException> unreachable = new HashMap<>();
    for (NodeAddress each : nodes) {
      try {
        Connection connection = connections.connection(each);
        if (!sql.startsWith("PREPARE")) {
          // COMMIT and ROLLBACK PREPARED run outside a transaction, on any connection.
          connection.setAutoCommit(true);
        }
        byNode.put(each, connection);
      } catch (SQLException e) {
        unreachable.put(each, e);
      }
    }
    return NodeTasks.run(threads, nodes, node -> {
      if (unreachable.containsKey(node)) {
        throw unreachable.get(node);
      }
      run(byNode.get(node), node, sql);
      return null;
    });
  }

  /** How the commit record is written, which depends on what else the decision carries. */
  private enum Decision {
    /**
     * The coordinator transaction holds nothing but the record: inserted and committed in one
     * round trip, since committing a transaction whose insert found a placement missed commits
     * nothing.
     */
    RECORD_ONLY,
    /**
     * The coordinator transaction also holds placement-state changes or the transaction's own
     * coordinator writes, which must not commit unless the record does.
     */
    WITH_CHANGES,
    /** As {@link #WITH_CHANGES}, but placements are read by a snapshot of their own. */
    OWN_SNAPSHOT
  }

  private void decide(Connection coordinator, long txid, String gid, List<NodeAddress> prepared,
      Set<NodeAddress> sent, List<ShardPlacement> lost, Set<Long> shards, Set<Long> reached,
      Decision decision) throws SQLException {
    boolean missed;
    try {
      requireNoKeyedReferenceLost(coordinator, lost);
      for (ShardPlacement each : lost) {
        CatalogStore.updatePlacementState(coordinator, each.id(), PlacementState.INACTIVE);
      }
      // A placement made current after the transaction was routed (a repair, a reference
      // table copied to an added worker) that it did not write would miss its writes: the
      // copy's fence kept the transaction out until the copy ended, but not afterwards. No
      // copy can end from now on: the prepared writes hold the locks its fence needs.
      missed = switch (decision) {
        case RECORD_ONLY -> !insertAndCommit(coordinator, txid, gid, sent, shards, reached);
        case WITH_CHANGES -> !CommitRecord.insertIfReached(coordinator, txid, sent, shards,
            reached);
        case OWN_SNAPSHOT -> {
          boolean misses;
          try (Connection catalog = connections.pools().borrowInternal(
              connections.coordinatorNode())) {
            misses = CommitRecord.missesPlacement(catalog, shards, reached);
          }
          if (!misses) {
            CommitRecord.insert(coordinator, txid, sent);
          }
          yield misses;
        }
      };
      if (missed) {
        // So that the statement, run again (by Spar or the client), is routed by them.
        cache.placementsChanged();
        throw new PlacementsChanged(shards);
      }
    } catch (SQLException e) {
      if (!(e instanceof UndecidedCommit)) {
        abort(gid, prepared);
      }
      throw e;
    }
    if (decision != Decision.RECORD_ONLY) {
      commitDecision(coordinator, gid);
    }
    if (!lost.isEmpty()) {
      // Placements were marked INACTIVE: only placements changed.
      cache.placementsChanged();
    }
  }

  /**
   * Inserts the commit record and commits it in one round trip; returns whether the record
   * was inserted, which it is not if a placement was missed.
   *
   * @throws UndecidedCommit if the connection failed, so the commit may have happened
   */
  private boolean insertAndCommit(Connection coordinator, long txid, String gid,
      Set<NodeAddress> sent, Set<Long> shards, Set<Long> reached) throws SQLException {
    try {
      return CommitRecord.insertIfReachedAndCommit(coordinator, txid, sent, shards, reached);
    } catch (SQLException e) {
      if (Failures.isNodeFailure(e)) {
        throw undecided(gid, e);
      }
      // The insert failed, so its COMMIT never ran.
      throw e;
    }
  }

  private void commitDecision(Connection coordinator, String gid) throws SQLException {
    try {
      coordinator.commit();
    } catch (SQLException e) {
      throw undecided(gid, e);
    }
  }

  /** The commit may or may not have happened; recovery decides from the commit record. */
  private static UndecidedCommit undecided(String gid, SQLException cause) {
    return new UndecidedCommit("could not commit distributed transaction " + gid
        + "; recovery will resolve it: " + cause.getMessage(), cause);
  }

  /** A commit whose outcome the coordinator did not report: never rolled back by Spar. */
  private static final class UndecidedCommit extends SQLException {
    private static final long serialVersionUID = 1L;

    UndecidedCommit(String message, SQLException cause) {
      super(message, "08007", cause);
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
    for (List<NodeAddress> step : steps(new LinkedHashSet<>(prepared))) {
      List<NodeTasks.Outcome<Void>> outcomes = onEach(step, "COMMIT PREPARED '" + gid + "'");
      for (int i = 0; i < step.size(); i++) {
        SQLException e = outcomes.get(i).failure();
        if (e == null) {
          continue;
        }
        if ("42704".equals(e.getSQLState())) {
          // Recovery committed it first: the commit record was already there.
          LOG.debug("{} on {} was already committed by recovery", gid, step.get(i));
        } else {
          LOG.warn("COMMIT PREPARED of {} on {} failed; recovery will commit it: {}", gid,
              step.get(i), e.getMessage());
          connections.release(step.get(i));
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
    List<NodeTasks.Outcome<Void>> outcomes = onEach(prepared, "ROLLBACK PREPARED '" + gid + "'");
    for (int i = 0; i < prepared.size(); i++) {
      SQLException e = outcomes.get(i).failure();
      if (e != null) {
        LOG.warn("ROLLBACK PREPARED of {} on {} failed; recovery will roll it back: {}", gid,
            prepared.get(i), e.getMessage());
        connections.release(prepared.get(i));
      }
    }
    abortCoordinator();
  }

  /**
   * Ends whatever coordinator transaction is still open (after the decision none is; before it,
   * the transaction is being abandoned, so rolling it back is what the caller does anyway),
   * then releases the in-flight lock so that recovery may resolve what is left, outside any
   * transaction, in one round trip. If the connection broke, its backend releases the lock as
   * it ends.
   */
  private void release(Connection coordinator, long txid) {
    try {
      if (coordinator.isClosed()) {
        return;
      }
      if (!coordinator.getAutoCommit()) {
        coordinator.rollback();
        coordinator.setAutoCommit(true);
      }
      try (Statement statement = coordinator.createStatement()) {
        statement.execute("SELECT pg_advisory_unlock("
            + TransactionIds.lockKey(Long.toString(txid)) + ")");
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
