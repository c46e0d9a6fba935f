package io.spar.commands;

import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.operations.ShardDdl;
import io.spar.outcome.SparErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runner of DDL on the placements of distributed tables and on worker nodes.
 */
public final class ShardDdlRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ShardDdlRunner.class);

  private final NodePools pools;
  private final StatementLog log;

  /** Creates a runner that borrows connections from {@code pools}. */
  public ShardDdlRunner(NodePools pools, StatementLog log) {
    this.pools = pools;
    this.log = log;
  }

  /** Runs {@code sql} on worker {@code node}. */
  public void runOnNode(NodeAddress node, String sql, List<Object> parameters)
      throws SQLException {
    run(node, null, sql, parameters);
  }

  /** Runs {@code sql} on worker {@code node} for shard {@code shardId}. */
  public void runOnShard(NodeAddress node, long shardId, String sql) throws SQLException {
    run(node, shardId, sql, List.of());
  }

  /** Creates the index {@code definition} (from pg_get_indexdef) on every placement. */
  public void createIndexOnShards(DistributedTable table, String definition) throws SQLException {
    for (Shard shard : table.shards()) {
      String sql = ShardDdl.indexForShard(definition, shard.shardName(), shard.id());
      for (ShardPlacement placement : shard.placements()) {
        run(placement.node(), shard.id(), sql, List.of());
      }
    }
  }

  /** Empties every FINALIZED placement of {@code table}. */
  public void truncateShards(DistributedTable table) throws SQLException {
    for (Shard shard : table.shards()) {
      for (ShardPlacement placement : shard.finalizedPlacements()) {
        run(placement.node(), shard.id(), "TRUNCATE TABLE " + shard.shardName().quoted(), List.of());
      }
    }
  }

  /**
   * Drops every placement of a table whose metadata is already gone; a placement on a node that
   * is down is left behind and logged, since the table no longer exists for Spar.
   */
  public void dropShards(DistributedTable table) {
    for (Shard shard : table.shards()) {
      for (ShardPlacement placement : shard.placements()) {
        try {
          run(placement.node(), shard.id(),
              "DROP TABLE IF EXISTS " + shard.shardName().quoted() + " CASCADE", List.of());
        } catch (SQLException e) {
          LOG.warn("could not drop shard {} on {}: {}", shard.shardName(), placement.node(),
              e.getMessage());
        }
      }
    }
  }

  private void run(NodeAddress node, Long shardId, String sql, List<Object> parameters)
      throws SQLException {
    log.record(node, shardId, sql);
    try (Connection connection = pools.borrow(node);
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      statement.execute();
    } catch (SQLException e) {
      throw failureOn(node, e);
    }
  }

  /** Returns {@code e} from worker {@code node}, naming the worker if it could not be reached. */
  static SQLException failureOn(NodeAddress node, SQLException e) {
    if (e.getSQLState() != null && !e.getSQLState().startsWith("08")) {
      return e;
    }
    return SparErrors.error(e.getSQLState() == null ? "08006" : e.getSQLState(),
        "could not reach worker " + node + ": " + e.getMessage());
  }

  /** Returns DDL statements to run in one transaction per worker node. */
  NodeTransactions transactions() {
    return new NodeTransactions(pools, log);
  }
}
