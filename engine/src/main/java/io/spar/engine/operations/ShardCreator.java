package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creator of shards on their worker nodes, together with their metadata.
 *
 * <p>The metadata rows are written in the caller's coordinator transaction, and the caller
 * commits only after every shard table exists; if any worker fails, the shard tables made so
 * far are dropped again, so a failed call leaves neither metadata nor stray tables.
 */
final class ShardCreator {
  private static final Logger LOG = LoggerFactory.getLogger(ShardCreator.class);

  private final NodePools pools;
  private final StatementLog log;
  private final List<Created> created = new ArrayList<>();

  private record Created(NodeAddress node, TableName shardName) {
  }

  ShardCreator(NodePools pools, StatementLog log) {
    this.pools = pools;
    this.log = log;
  }

  /**
   * Records shard metadata in {@code coordinator}'s transaction and creates the shard on
   * {@code nodes}; returns the new shard id.
   */
  long create(Connection coordinator, long relationId, TableName table, String minValue,
      String maxValue, List<NodeAddress> nodes, boolean forceUnlogged) throws SQLException {
    return create(coordinator, relationId, table, minValue, maxValue, nodes,
        (shardName, shardId) -> ShardDdl.createShard(coordinator, relationId, shardName,
            shardId, forceUnlogged));
  }

  /**
   * Records the metadata of a shard of partition tree member {@code member} and creates it on
   * {@code nodes}, as a partition of {@code parentShard} there unless it is the root's; returns
   * the new shard id.
   */
  long create(Connection coordinator, PartitionTree.Member member, String minValue,
      String maxValue, List<NodeAddress> nodes, TableName parentShard) throws SQLException {
    return create(coordinator, member.oid(), member.name(), minValue, maxValue, nodes,
        (shardName, shardId) -> ShardDdl.createShard(coordinator, member, shardName, shardId,
            parentShard));
  }

  /** The DDL that makes a shard, given its name and id. */
  @FunctionalInterface
  private interface ShardTableDdl {
    List<String> of(TableName shardName, long shardId) throws SQLException;
  }

  private long create(Connection coordinator, long relationId, TableName table,
      String minValue, String maxValue, List<NodeAddress> nodes, ShardTableDdl tableDdl)
      throws SQLException {
    long shardId = CatalogStore.insertShard(coordinator, relationId, minValue, maxValue);
    TableName shardName = table.shardName(shardId);
    List<String> ddl = new ArrayList<>();
    ddl.add(ShardDdl.createSchema(shardName));
    ddl.addAll(tableDdl.of(shardName, shardId));
    for (NodeAddress node : nodes) {
      CatalogStore.insertPlacement(coordinator, shardId, PlacementState.FINALIZED, node);
      runOn(node, shardId, ddl);
      created.add(new Created(node, shardName));
    }
    return shardId;
  }

  /** Runs {@code ddl} for shard {@code shardId} on {@code node}, in a transaction of its own. */
  void runOn(NodeAddress node, long shardId, List<String> ddl) throws SQLException {
    try (Connection connection = pools.borrow(node)) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        for (String each : ddl) {
          log.record(node, shardId, each);
          statement.execute(each);
        }
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
  }

  /** Drops every shard table this creator made; used when the operation fails. */
  void undo() {
    for (Created each : created) {
      try (Connection connection = pools.borrow(each.node());
          Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + each.shardName().quoted());
      } catch (SQLException e) {
        LOG.warn("could not drop shard {} on {} after a failed operation: {}",
            each.shardName(), each.node(), e.getMessage());
      }
    }
    created.clear();
  }
}
