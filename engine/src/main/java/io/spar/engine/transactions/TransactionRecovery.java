package io.spar.engine.transactions;

import io.spar.engine.catalog.MetadataCache;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery of prepared transactions that their engine left behind: those with a commit record
 * are committed, those without are rolled back, whichever engine instance prepared them.
 *
 * <p>It is safe while other engines run: a transaction in flight holds its in-flight lock in
 * the coordinator from before its first PREPARE until its commit record commits, so recovery
 * skips every transaction whose lock it cannot take, and once it holds the lock the commit
 * record's presence is final. Commit records are removed once no node holds their prepared
 * transactions; records are read before nodes are listed, so a record whose transactions are
 * still prepared somewhere is never taken for finished.
 */
public final class TransactionRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionRecovery.class);

  private final NodePools pools;
  private final NodeAddress coordinatorNode;
  private final MetadataCache metadata;
  private final TransactionIds ids;
  private final StatementLog log;

  /** Creates recovery for the coordinator at {@code coordinatorNode}. */
  public TransactionRecovery(NodePools pools, NodeAddress coordinatorNode, MetadataCache metadata,
      TransactionIds ids, StatementLog log) {
    this.pools = pools;
    this.coordinatorNode = coordinatorNode;
    this.metadata = metadata;
    this.ids = ids;
    this.log = log;
  }

  /** Resolves every prepared transaction that is no longer in flight; returns how many. */
  public int recover() throws SQLException {
    return recover(0);
  }

  /**
   * Resolves the prepared transactions that are no longer in flight and were prepared at least
   * {@code minAgeSeconds} ago; returns how many. The background run leaves young ones alone,
   * since their owners are most likely committing them right now.
   */
  public synchronized int recover(int minAgeSeconds) throws SQLException {
    int resolved = 0;
    try (Connection coordinator = pools.borrow(coordinatorNode)) {
      Set<Long> records = records(coordinator);
      Set<Long> stillPrepared = new HashSet<>();
      boolean everyNodeListed = true;
      for (NodeAddress node : metadata.snapshot().workers()) {
        try (Connection worker = pools.borrow(node)) {
          for (String gid : prepared(worker, minAgeSeconds)) {
            OptionalLong txid = ids.txid(gid);
            if (txid.isPresent() && resolve(coordinator, worker, node, gid, txid.getAsLong())) {
              resolved++;
            } else if (txid.isPresent()) {
              stillPrepared.add(txid.getAsLong());
            }
          }
        } catch (SQLException e) {
          everyNodeListed = false;
          LOG.debug("recovery skipped {}: {}", node, e.getMessage());
        }
      }
      if (everyNodeListed) {
        forgetRecords(coordinator, records, stillPrepared);
      }
    }
    return resolved;
  }

  private Set<Long> records(Connection coordinator) throws SQLException {
    Set<Long> records = new HashSet<>();
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT transaction_id FROM pgs_distribution_metadata.transaction")) {
      while (rs.next()) {
        records.add(rs.getLong(1));
      }
    }
    return records;
  }

  private List<String> prepared(Connection worker, int minAgeSeconds) throws SQLException {
    List<String> gids = new ArrayList<>();
    try (PreparedStatement statement = worker.prepareStatement("SELECT gid FROM pg_prepared_xacts"
        + " WHERE gid LIKE ? AND database = current_database()"
        + " AND prepared <= now() - make_interval(secs => ?)")) {
      statement.setString(1, ids.likePattern());
      statement.setInt(2, minAgeSeconds);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          gids.add(rs.getString(1));
        }
      }
    }
    return gids;
  }

  /** Resolves {@code gid} unless its transaction is in flight; returns whether it did. */
  private boolean resolve(Connection coordinator, Connection worker, NodeAddress node, String gid,
      long txid) throws SQLException {
    coordinator.setAutoCommit(false);
    try {
      if (!tryLock(coordinator, txid)) {
        return false;
      }
      boolean committed = hasRecord(coordinator, txid);
      String sql = (committed ? "COMMIT" : "ROLLBACK") + " PREPARED '" + gid + "'";
      log.record(node, null, sql);
      try (Statement statement = worker.createStatement()) {
        statement.execute(sql);
      } catch (SQLException e) {
        // Another engine's recovery, or the owner itself, resolved it first.
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

  private static boolean hasRecord(Connection coordinator, long txid) throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT 1 FROM pgs_distribution_metadata.transaction"
            + " WHERE transaction_id = " + txid)) {
      return rs.next();
    }
  }

  private static void forgetRecords(Connection coordinator, Set<Long> records,
      Set<Long> stillPrepared) throws SQLException {
    records.removeAll(stillPrepared);
    if (records.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = coordinator.prepareStatement(
        "DELETE FROM pgs_distribution_metadata.transaction WHERE transaction_id = ANY (?)")) {
      statement.setArray(1, coordinator.createArrayOf("bigint", records.toArray()));
      statement.executeUpdate();
    }
  }
}
