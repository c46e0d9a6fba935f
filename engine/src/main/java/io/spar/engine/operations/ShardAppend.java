package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.transactions.DistributedTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * pg_shard's and CitusDB's {@code master_append_table_to_shard(shard_id, source_table,
 * source_host, source_port)}: appends the rows of a table on any PostgreSQL server to every
 * placement of one shard of an append-distributed table, and answers the shard's fill ratio
 * (its size over {@value #SHARD_MAX_SIZE} bytes, their default {@code shard_max_size}), as a
 * {@code real} and in PostgreSQL's text form of it.
 *
 * <p>The rows go to the placements, and the shard's interval (the minimum and maximum of the
 * distribution column, which pruning reads) to the catalog, in the statement's distributed
 * transaction: every replica and the catalog commit together, or none does. Each placement
 * reads the source in one repeatable-read snapshot, so the replicas get the same rows.
 */
final class ShardAppend {
  /** pg_shard's and CitusDB's default {@code shard_max_size}, 1 GB. */
  static final long SHARD_MAX_SIZE = 1L << 30;

  private final NodePools pools;
  private final StatementLog log;

  ShardAppend(NodePools pools, StatementLog log) {
    this.pools = pools;
    this.log = log;
  }

  /** The fill ratio of the shard after the append. */
  record Fill(float value, String text) {
  }

  /** Appends; see the class comment. */
  Fill append(DistributedTransaction transaction, CatalogSnapshot snapshot, long shardId,
      String sourceTable, NodeAddress source)
      throws SQLException {
    Shard shard = shard(snapshot, shardId);
    DistributedTable table = snapshot.table(shard.table()).orElseThrow();
    if (table.method() != DistributionMethod.APPEND) {
      throw new OperationException("0A000", "cannot append to shard " + shardId, "Shard "
          + shardId + " belongs to " + table.method().name().toLowerCase(java.util.Locale.ROOT)
          + "-distributed table \"" + table.name().name() + "\"; only shards of"
          + " append-distributed tables take appended tables.", null);
    }
    List<ShardPlacement> placements = shard.finalizedPlacements();
    if (placements.isEmpty()) {
      throw new OperationException("55000", "shard " + shardId + " has no healthy placement");
    }
    TableName target = shard.shardName();
    try (Connection from = pools.open(source, "spar append")) {
      // One snapshot for every placement's copy; read only.
      from.setAutoCommit(false);
      from.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      from.setReadOnly(true);
      String quoted = resolve(from, sourceTable, source);
      long rows = -1;
      for (ShardPlacement placement : placements) {
        Connection to = transaction.connection(placement);
        transaction.written(shard, placement, shard.placements().size() > 1);
        log.record(placement.node(), shardId, "COPY " + target.quoted() + " FROM STDIN");
        long copied = ShardCopy.stream(from, "COPY " + quoted + " TO STDOUT", to,
            "COPY " + target.quoted() + " FROM STDIN");
        if (rows >= 0 && copied != rows) {
          throw new SQLException("appended " + copied + " rows to one placement of shard "
              + shardId + " and " + rows + " to another", "XX000");
        }
        rows = copied;
      }
      from.rollback();
    }
    Connection placement = transaction.connection(placements.get(0));
    String[] bounds = ShellRows.bounds(placement, target, table.partitionColumn());
    // The coordinator's change commits with the transaction's commit record.
    CatalogStore.updateShardBounds(transaction.coordinator(true), shardId, bounds[0], bounds[1]);
    return fill(placement, target);
  }

  private static Shard shard(CatalogSnapshot snapshot, long shardId) throws SQLException {
    for (DistributedTable each : snapshot.tables()) {
      Optional<Shard> shard = each.shard(shardId);
      if (shard.isPresent()) {
        return shard.get();
      }
    }
    throw new OperationException("XX000", "could not find valid entry for shard " + shardId);
  }

  /** Returns the quoted name of {@code name} on the source, as its search path resolves it. */
  private static String resolve(Connection from, String name, NodeAddress source)
      throws SQLException {
    try (PreparedStatement statement = from.prepareStatement(
        "SELECT pg_catalog.to_regclass(?)::text")) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        if (rs.getString(1) == null) {
          throw new OperationException("42P01", "relation \"" + name + "\" does not exist on "
              + source);
        }
        return rs.getString(1);
      }
    }
  }

  private static Fill fill(Connection connection, TableName table) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT f, f::text FROM"
        + " (SELECT (pg_catalog.pg_total_relation_size(?::regclass)::float8 / " + SHARD_MAX_SIZE
        + ")::float4) AS s(f)")) {
      statement.setString(1, table.quoted());
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return new Fill(rs.getFloat(1), rs.getString(2));
      }
    }
  }
}
