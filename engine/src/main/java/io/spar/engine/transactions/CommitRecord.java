package io.spar.engine.transactions;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One row of {@code pgs_distribution_metadata.transaction}: the decision to commit the prepared
 * transactions of {@code txid}, and the nodes that may hold them.
 *
 * @param txid the distributed transaction's id
 * @param nodes every node that was sent {@code PREPARE TRANSACTION}, or null for a record
 *     written before the coordinator kept them (any node the catalog names may hold one)
 */
record CommitRecord(long txid, Set<NodeAddress> nodes) {
  private static final String TABLE = "pgs_distribution_metadata.transaction";
  /** A FINALIZED placement of the shards {@code ?} (an array) that is none of {@code ?}. */
  private static final String UNREACHED = "SELECT 1 FROM pgs_distribution_metadata"
      + ".shard_placement WHERE shard_id = ANY (?) AND shard_state = 1 AND id <> ALL (?)";

  /** Returns every commit record of the coordinator. */
  static List<CommitRecord> readAll(Connection coordinator) throws SQLException {
    List<CommitRecord> records = new ArrayList<>();
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT transaction_id, nodes FROM " + TABLE)) {
      while (rs.next()) {
        Array nodes = rs.getArray(2);
        records.add(new CommitRecord(rs.getLong(1), nodes == null ? null
            : decode((Object[]) nodes.getArray())));
      }
    }
    return records;
  }

  /** Inserts the commit record of {@code txid} in the caller's transaction. */
  static void insert(Connection coordinator, long txid, Collection<NodeAddress> nodes)
      throws SQLException {
    insertIfReached(coordinator, txid, nodes, Set.of(), Set.of());
  }

  /**
   * Inserts the commit record of {@code txid} in the caller's transaction, unless a FINALIZED
   * placement of one of {@code shards} is none of the placements {@code reached}; returns
   * whether it did. The check and the insert are one statement, and the placements it reads
   * are those committed when it runs.
   */
  static boolean insertIfReached(Connection coordinator, long txid,
      Collection<NodeAddress> nodes, Set<Long> shards, Set<Long> reached) throws SQLException {
    try (PreparedStatement statement = insertIfReached(coordinator, "", txid, nodes, shards,
        reached)) {
      return statement.executeUpdate() == 1;
    }
  }

  /**
   * Inserts the commit record of {@code txid} as {@link #insertIfReached} does and commits the
   * caller's transaction in the same round trip; returns whether it inserted the record. If the
   * insert fails, the COMMIT does not run and the transaction is left failed.
   */
  static boolean insertIfReachedAndCommit(Connection coordinator, long txid,
      Collection<NodeAddress> nodes, Set<Long> shards, Set<Long> reached) throws SQLException {
    try (PreparedStatement statement = insertIfReached(coordinator, "; COMMIT", txid, nodes,
        shards, reached)) {
      statement.execute();
      return statement.getUpdateCount() == 1;
    }
  }

  private static PreparedStatement insertIfReached(Connection coordinator, String then,
      long txid, Collection<NodeAddress> nodes, Set<Long> shards, Set<Long> reached)
      throws SQLException {
    PreparedStatement statement = coordinator.prepareStatement(
        "INSERT INTO " + TABLE + " (transaction_id, nodes) SELECT ?, ? WHERE NOT EXISTS ("
            + UNREACHED + ")" + then);
    try {
      statement.setLong(1, txid);
      statement.setArray(2, coordinator.createArrayOf("text",
          nodes.stream().map(CommitRecord::encode).toArray()));
      statement.setArray(3, coordinator.createArrayOf("bigint", shards.toArray()));
      statement.setArray(4, coordinator.createArrayOf("bigint", reached.toArray()));
      return statement;
    } catch (SQLException e) {
      statement.close();
      throw e;
    }
  }

  /**
   * Returns whether a FINALIZED placement of one of {@code shards} is none of {@code reached},
   * as {@code catalog}'s snapshot sees the placements.
   */
  static boolean missesPlacement(Connection catalog, Set<Long> shards, Set<Long> reached)
      throws SQLException {
    try (PreparedStatement statement = catalog.prepareStatement(
        "SELECT EXISTS (" + UNREACHED + ")")) {
      statement.setArray(1, catalog.createArrayOf("bigint", shards.toArray()));
      statement.setArray(2, catalog.createArrayOf("bigint", reached.toArray()));
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** Returns whether the commit record of {@code txid} exists, as of now. */
  static boolean exists(Connection coordinator, long txid) throws SQLException {
    try (PreparedStatement statement = coordinator.prepareStatement(
        "SELECT 1 FROM " + TABLE + " WHERE transaction_id = ?")) {
      statement.setLong(1, txid);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Deletes the commit records of {@code txids}. */
  static void delete(Connection coordinator, Collection<Long> txids) throws SQLException {
    if (txids.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = coordinator.prepareStatement(
        "DELETE FROM " + TABLE + " WHERE transaction_id = ANY (?)")) {
      statement.setArray(1, coordinator.createArrayOf("bigint", txids.toArray()));
      statement.executeUpdate();
    }
  }

  private static String encode(NodeAddress node) {
    return node.host() + ":" + node.port();
  }

  private static Set<NodeAddress> decode(Object[] texts) {
    Set<NodeAddress> nodes = new TreeSet<>();
    for (Object each : texts) {
      String text = (String) each;
      // The port follows the last colon, so IPv6 host names keep theirs.
      int colon = text.lastIndexOf(':');
      nodes.add(new NodeAddress(text.substring(0, colon),
          Integer.parseInt(text.substring(colon + 1))));
    }
    return nodes;
  }
}
