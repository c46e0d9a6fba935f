package io.spar.engine.transactions;

import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery of the prepared transactions that two-phase commits left behind: those with a commit
 * record are committed, those without are rolled back, whichever engine instance prepared them,
 * and a commit record is deleted once none of its prepared transactions is left anywhere.
 *
 * <h2>Why it is safe under any timing</h2>
 *
 * <p>What {@link TwoPhaseCommit} guarantees, for a distributed transaction T:
 * <ul>
 *   <li><b>(F1) In-flight lock.</b> The owner takes T's lock (a session-level advisory lock on
 *       its coordinator connection) before its first {@code PREPARE TRANSACTION} and releases it
 *       only after its last {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED} has returned or
 *       failed. If the owner dies, the lock goes with its coordinator backend, which PostgreSQL
 *       releases only after that backend's transaction has ended (committed or not).
 *   <li><b>(F2) Decision.</b> T's commit record is inserted in the owner's coordinator
 *       transaction, which commits after every PREPARE and before any COMMIT PREPARED. The owner
 *       sends COMMIT PREPARED only after that commit returned, and ROLLBACK PREPARED only when
 *       the record was never committed.
 *   <li><b>(F3) Participants.</b> The record names every node that was sent PREPARE for T, also
 *       those where it seemed to fail; no other node can hold a prepared transaction of T.
 *   <li><b>(F4) Only fewer.</b> Once T's record has committed, no prepared transaction of T is
 *       created anywhere (every PREPARE came first); they only disappear. The one exception is a
 *       PREPARE whose reply was lost, so the owner took the node for failed: it may still land
 *       later, but only on a node whose placements T wrote were marked INACTIVE in the same
 *       coordinator transaction as the record. There committing and rolling back are equally
 *       right, and the prepared transaction's locks keep a repair from copying over the
 *       placement until it is resolved.
 * </ul>
 *
 * <p>What a run of {@link #recover(int)} does:
 * <ul>
 *   <li><b>(R1)</b> It takes the recovery lock, so runs of all engines follow one another.
 *       Safety does not depend on this; it makes an explicit run wait for a background run
 *       instead of skipping the transactions that run is resolving, so that afterwards nothing
 *       abandoned is left.
 *   <li><b>(R2)</b> It reads every commit record first, then the nodes to list (those the
 *       catalog names and every record's participants), then lists each node's prepared
 *       transactions, all of them, whatever their age.
 *   <li><b>(R3)</b> It resolves a listed prepared transaction only if it is at least the minimum
 *       age old and T's lock is free ({@code pg_try_advisory_xact_lock}), and decides from the
 *       record as read again while it holds that lock.
 *   <li><b>(R4)</b> Every listed prepared transaction that it did not resolve itself (too young,
 *       locked, or its COMMIT/ROLLBACK PREPARED failed) counts as still prepared.
 *   <li><b>(R5)</b> It deletes a record read in (R2) only if each of its participants (each node
 *       the catalog names, for a record without them) was listed completely in this run, and no
 *       listed node still holds T.
 * </ul>
 *
 * <p><b>Decisions are right.</b> Holding T's lock (R3) means by (F1) that the owner is finished
 * or gone and its coordinator transaction has ended, so the record's presence is final: present
 * means the owner decided to commit; absent means it never did and, by (F2), never sent COMMIT
 * PREPARED, so rolling back is right, provided no recovery deleted the record while T was still
 * prepared, which the next paragraph shows. And because the lock is held until the owner's last
 * COMMIT PREPARED, recovery never decides about a transaction whose owner is still running it.
 * (One case remains: the owner's coordinator connection breaks while the owner runs on. Its
 * backend ends and the lock with it; recovery then decides from the final record, which is the
 * owner's own decision, and the owner's COMMIT PREPARED of a node recovery got to first fails
 * harmlessly with 42704.)
 *
 * <p><b>Deletions are right.</b> Say the record of T was read at time t0 (R2). Each participant
 * was listed after t0 and showed no prepared T, or only ones this run resolved itself (R4). By
 * (F4) none has come back since, and by (F3) no other node holds one: when the record is
 * deleted, T is resolved everywhere, and no later run can find a prepared T without its record
 * and roll it back. An unreachable participant keeps the record; a participant that has left the
 * catalog is still listed, from the record.
 *
 * <p><b>Interleavings with a committing owner.</b>
 * <ul>
 *   <li>Between its first PREPARE and its record's commit: the lock is held, so nothing of T is
 *       decided (R3) and its prepared transactions count as still prepared (R4); its record did
 *       not exist at t0, so this run cannot delete it.
 *   <li>Between its record's commit and its last COMMIT PREPARED: the lock is held, so nothing is
 *       decided. If the record was read, a participant listed before the owner's COMMIT PREPARED
 *       reached it still holds T and keeps the record; the record goes only when every listing
 *       came after the owner's COMMIT PREPARED of that node. (The former bug: a run with a
 *       minimum age did not list young prepared transactions at all, so it deleted the record of
 *       a T still prepared, and a later run rolled T back although it had committed. The minimum
 *       age now only postpones decisions (R3); it never hides a prepared transaction from (R4).)
 *   <li>Killed at any point: its backend's transaction ends, then the lock is freed (F1); the
 *       next run decides from the final record (R3).
 * </ul>
 *
 * <p><b>Two runs at once</b> (within an engine, {@code synchronized}; across engines, (R1)) do
 * not happen; if they did, each would still be right: both take T's lock without waiting, so at
 * most one resolves T at a time and the other counts T as still prepared or no longer sees it;
 * both decide from the final record; a COMMIT PREPARED that fails because the other run came
 * first counts as still prepared (R4), which only delays the deletion; and each run deletes only
 * on the strength of its own listings, all made after its own reading of the record (R5).
 */
public final class TransactionRecovery {
  /** Key of the coordinator advisory lock that lets one recovery run at a time ("sprc"). */
  static final long RUN_LOCK_KEY = 0x73707263L;
  private static final Logger LOG = LoggerFactory.getLogger(TransactionRecovery.class);

  private final NodePools pools;
  private final NodeAddress coordinatorNode;
  private final TransactionIds ids;
  private final StatementLog log;

  /** Creates recovery for the coordinator at {@code coordinatorNode}. */
  public TransactionRecovery(NodePools pools, NodeAddress coordinatorNode, TransactionIds ids,
      StatementLog log) {
    this.pools = pools;
    this.coordinatorNode = coordinatorNode;
    this.ids = ids;
    this.log = log;
  }

  /** Resolves every prepared transaction that is no longer in flight; returns how many. */
  public int recover() throws SQLException {
    return recover(0);
  }

  /**
   * Resolves the prepared transactions that are no longer in flight and were prepared at least
   * {@code minAgeSeconds} ago, after waiting for any other engine's run to finish; returns how
   * many. The minimum age keeps the background run from contending for the locks of
   * transactions that their owners are most likely still committing.
   */
  public synchronized int recover(int minAgeSeconds) throws SQLException {
    // A connection of its own, so that closing it frees the recovery lock whatever happens.
    try (Connection coordinator = pools.open(coordinatorNode)) {
      lockRun(coordinator);
      List<CommitRecord> records = CommitRecord.readAll(coordinator);
      Set<NodeAddress> nodes = new TreeSet<>(CatalogStore.namedNodes(coordinator));
      for (CommitRecord each : records) {
        if (each.nodes() != null) {
          nodes.addAll(each.nodes());
        }
      }
      Pass pass = new Pass();
      for (NodeAddress node : nodes) {
        // Unpooled: a pool that saw the node fail may refuse connections for a while after
        // it is back, and a run must list every node that is up.
        try (Connection worker = pools.open(node)) {
          resolveOn(coordinator, worker, node, minAgeSeconds, pass);
          pass.listed.add(node);
        } catch (SQLException e) {
          LOG.info("recovery could not list {}, so it keeps the commit records naming it: {}",
              node, e.getMessage());
        }
      }
      CommitRecord.delete(coordinator, finished(records, nodes, pass));
      return pass.resolved;
    }
  }

  /** What one run learned: the nodes listed completely, what is left, what it resolved. */
  private static final class Pass {
    final Set<NodeAddress> listed = new HashSet<>();
    final Set<Long> stillPrepared = new HashSet<>();
    int resolved;
  }

  private static void lockRun(Connection coordinator) throws SQLException {
    try (Statement statement = coordinator.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(" + RUN_LOCK_KEY + ")");
    }
  }

  private void resolveOn(Connection coordinator, Connection worker, NodeAddress node,
      int minAgeSeconds, Pass pass) throws SQLException {
    for (Prepared each : prepared(worker, minAgeSeconds)) {
      if (each.oldEnough() && resolve(coordinator, worker, node, each.gid(), each.txid())) {
        pass.resolved++;
      } else {
        pass.stillPrepared.add(each.txid());
      }
    }
  }

  /** One of this coordinator's prepared transactions on a node. */
  private record Prepared(String gid, long txid, boolean oldEnough) {
  }

  /** Returns every prepared transaction of this coordinator on {@code worker}, of any age. */
  private List<Prepared> prepared(Connection worker, int minAgeSeconds) throws SQLException {
    List<Prepared> prepared = new ArrayList<>();
    try (PreparedStatement statement = worker.prepareStatement("SELECT gid,"
        + " prepared <= now() - make_interval(secs => ?) FROM pg_prepared_xacts"
        + " WHERE gid LIKE ? AND database = current_database()")) {
      statement.setInt(1, minAgeSeconds);
      statement.setString(2, ids.likePattern());
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          OptionalLong txid = ids.txid(rs.getString(1));
          if (txid.isPresent()) {
            prepared.add(new Prepared(rs.getString(1), txid.getAsLong(), rs.getBoolean(2)));
          }
        }
      }
    }
    return prepared;
  }

  /** Resolves {@code gid} unless its transaction is in flight; returns whether it did. */
  private boolean resolve(Connection coordinator, Connection worker, NodeAddress node, String gid,
      long txid) throws SQLException {
    coordinator.setAutoCommit(false);
    try {
      if (!tryLock(coordinator, txid)) {
        return false;
      }
      boolean committed = CommitRecord.exists(coordinator, txid);
      String sql = (committed ? "COMMIT" : "ROLLBACK") + " PREPARED '" + gid + "'";
      log.record(node, null, sql);
      try (Statement statement = worker.createStatement()) {
        statement.execute(sql);
      } catch (SQLException e) {
        // Resolved by someone else first, or the node failed: either way not by this run.
        return false;
      }
      LOG.info("recovery: {} on {}", sql, node);
      return true;
    } finally {
      coordinator.rollback();
      coordinator.setAutoCommit(true);
    }
  }

  private static boolean tryLock(Connection coordinator, long txid) throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_try_advisory_xact_lock("
            + TransactionIds.lockKey(Long.toString(txid)) + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** Returns the records whose transactions this run saw resolved on every node they name. */
  private static List<Long> finished(List<CommitRecord> records, Set<NodeAddress> nodes,
      Pass pass) {
    List<Long> finished = new ArrayList<>();
    for (CommitRecord each : records) {
      Set<NodeAddress> participants = each.nodes() != null ? each.nodes() : nodes;
      if (pass.listed.containsAll(participants) && !pass.stillPrepared.contains(each.txid())) {
        finished.add(each.txid());
      }
    }
    return finished;
  }
}
