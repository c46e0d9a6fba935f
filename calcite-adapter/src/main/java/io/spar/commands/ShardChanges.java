package io.spar.commands;

import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TenantSchemas;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.outcome.SparErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DDL on shard placements and worker nodes inside the session's distributed transaction, so
 * that it commits (with two-phase commit) or rolls back together with the coordinator's part.
 * A worker's error fails the statement as it is: nothing is committed anywhere.
 *
 * <p>The placements are read when the statement has run on the coordinator, not from the
 * snapshot it was planned with: its lock on the table there waited for any shard move (or
 * repair) of the table to commit, and a change committed meanwhile must be seen, or the DDL
 * would reach the moved-away placement and miss the new one.
 */
final class ShardChanges {
  /** The statement for one shard, or null if that shard needs none. */
  interface PerShard {
    String sql(Shard shard) throws SQLException;
  }

  private final DistributedTransaction transaction;
  private final StatementLog log;
  private final Map<Long, DistributedTable> current = new HashMap<>();

  ShardChanges(DistributedTransaction transaction, StatementLog log) {
    this.transaction = transaction;
    this.log = log;
  }

  /**
   * Returns {@code table} with its placements as the catalog holds them now, in the
   * transaction; call it only once the statement holds its lock on the coordinator's table.
   */
  DistributedTable current(DistributedTable table) throws SQLException {
    DistributedTable known = current.get(table.relationId());
    if (known == null) {
      Set<Long> id = Set.of(table.relationId());
      Map<Long, List<ShardPlacement>> placements =
          CatalogStore.placementsOf(transaction.coordinator(true), id);
      if (transaction.mode().keepsSnapshot()) {
        // The transaction reads the catalog by its first snapshot; a change committed since
        // is a concurrent update, as PostgreSQL reports one at these isolation levels. (None
        // there: the table was distributed in this transaction.)
        Map<Long, List<ShardPlacement>> committed;
        try (Connection catalog = transaction.catalogConnection()) {
          committed = CatalogStore.placementsOf(catalog, id);
        }
        if (!committed.isEmpty() && !committed.equals(placements)) {
          throw SparErrors.error("40001", "could not serialize access due to concurrent"
              + " change of the placements of table \"" + table.name().name() + "\"");
        }
      }
      known = table.withPlacements(placements);
      current.put(table.relationId(), known);
    }
    return known;
  }

  /**
   * Runs the statement {@code sql} gives each shard of {@code table} on each of the shard's
   * placements that hold current data; the others are rebuilt from the shell when repaired.
   */
  void onPlacements(DistributedTable table, PerShard sql) throws SQLException {
    for (Shard shard : current(table).shards()) {
      String statement = sql.sql(shard);
      if (statement == null) {
        continue;
      }
      for (ShardPlacement placement : shard.finalizedPlacements()) {
        run(placement, shard, statement);
      }
    }
  }

  /** Runs {@code sql} for {@code shard} on {@code placement}. */
  void run(ShardPlacement placement, Shard shard, String sql) throws SQLException {
    execute(transaction.connection(placement), placement.node(), shard.id(), sql);
    transaction.written(shard, placement, true);
  }

  /** Returns the rows of the catalog query {@code sql} on {@code placement}, in the transaction. */
  RowSet query(ShardPlacement placement, Shard shard, String sql) throws SQLException {
    log.record(placement.node(), shard.id(), sql);
    try (Statement statement = transaction.connection(placement).createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      return RowSet.read(rs);
    } catch (SQLException e) {
      throw ShardDdlRunner.failureOn(placement.node(), e);
    }
  }

  /** Returns the transaction's connection to {@code node}, for writes of its own. */
  Connection connection(NodeAddress node) throws SQLException {
    return transaction.join(node);
  }

  /** Returns the log of the statements this transaction sends to nodes. */
  StatementLog log() {
    return log;
  }

  /** Returns the bytes of {@code node}'s database, read outside the transaction. */
  long databaseBytes(NodeAddress node) throws SQLException {
    return TenantSchemas.databaseBytes(
        transaction.autocommitConnection(node));
  }

  /** Runs {@code sql} on every worker in {@code workers}. */
  void onWorkers(List<NodeAddress> workers, String sql) throws SQLException {
    for (NodeAddress each : workers) {
      execute(transaction.join(each), each, null, sql);
      transaction.changed(each);
    }
  }

  private void execute(Connection connection, NodeAddress node, Long shardId, String sql)
      throws SQLException {
    log.record(node, shardId, sql);
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw ShardDdlRunner.failureOn(node, e);
    }
  }
}
