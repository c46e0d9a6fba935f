package io.spar.commands;

import io.spar.commands.DdlEvents.Event;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.operations.PartitionTree;
import io.spar.engine.operations.Relations;
import io.spar.engine.operations.ShardDdl;
import io.spar.engine.operations.UniqueIndexes;
import io.spar.outcome.SparErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Partitions that DDL gives a distributed partitioned table after it was distributed
 * ({@code CREATE TABLE … PARTITION OF}, {@code ATTACH PARTITION}): each becomes a distributed
 * table of the parent's co-location group, and its shard <i>i</i> a partition of the parent's
 * shard <i>i</i> on the same nodes, in the DDL's distributed transaction. A table attached
 * with rows is refused: its rows would have to move in the same transaction. (DETACH is
 * written for each shard by {@link AlterStatement}; the table stays distributed.)
 */
final class PartitionChanges {
  private PartitionChanges() {
  }

  /**
   * Carries out the partitions the statement's {@code events} made or attached.
   *
   * @return whether the catalog of distributed tables changed
   */
  static boolean carryOut(Connection shell, List<Event> events, CatalogSnapshot catalog,
      ShardChanges changes) throws SQLException {
    boolean changed = false;
    Set<Long> done = new HashSet<>();
    for (Event each : events) {
      if (each.dropped() || !each.type().equals("table")) {
        continue;
      }
      // The event's table as a new partition, or as a parent that gained one.
      List<long[]> links = new ArrayList<>();
      try (PreparedStatement ps = shell.prepareStatement("SELECT inhrelid::bigint,"
          + " inhparent::bigint FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c"
          + " ON c.oid = i.inhrelid WHERE c.relispartition"
          + " AND (i.inhrelid = ?::oid OR i.inhparent = ?::oid)")) {
        ps.setLong(1, each.oid());
        ps.setLong(2, each.oid());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            links.add(new long[] {rs.getLong(1), rs.getLong(2)});
          }
        }
      }
      for (long[] link : links) {
        Optional<DistributedTable> parent = catalog.table(link[1]);
        if (parent.isEmpty() || catalog.table(link[0]).isPresent() || !done.add(link[0])) {
          continue;
        }
        distribute(shell, link[0], parent.get(), changes);
        changed = true;
      }
    }
    return changed;
  }

  /** Distributes new partition {@code oid} (with its own partitions) of {@code parent}. */
  private static void distribute(Connection shell, long oid, DistributedTable parent,
      ShardChanges changes) throws SQLException {
    TableName name = name(shell, oid);
    Relations.Relation relation = new Relations.Relation(oid, name);
    PartitionTree tree = PartitionTree.ofPartition(shell, relation);
    if (!PartitionTree.columnNames(shell, oid)
        .equals(PartitionTree.columnNames(shell, parent.relationId()))) {
      throw refused(name, parent, "Its columns are in another order than the table's.");
    }
    for (PartitionTree.Member each : tree.members()) {
      if (CatalogStore.shellHasRows(shell, each.name())) {
        throw refused(name, parent, "\"" + each.name().name() + "\" has rows, which would"
            + " have to move to the shards in this statement. Attach it empty, then insert"
            + " its rows through Spar.");
      }
      UniqueIndexes.requireCovering(shell, each.oid(), parent.partitionColumn());
    }
    for (PartitionTree.Member each : tree.members()) {
      CatalogStore.insertPartition(shell, each.oid(), parent.method(),
          parent.partitionColumn());
      CatalogStore.setColocationId(shell, each.oid(), parent.colocationId());
      CatalogStore.guardShell(shell, each.name());
    }
    DistributedTable current = changes.current(parent);
    for (Shard parentShard : current.shards()) {
      Map<Long, TableName> shardNames = new HashMap<>();
      shardNames.put(parent.relationId(), parentShard.shardName());
      for (PartitionTree.Member each : tree.members()) {
        long shardId = CatalogStore.insertShard(shell, each.oid(), parentShard.minValue(),
            parentShard.maxValue());
        TableName shardName = each.name().shardName(shardId);
        List<ShardPlacement> placements = new ArrayList<>();
        for (ShardPlacement at : parentShard.finalizedPlacements()) {
          long placementId = CatalogStore.insertPlacement(shell, shardId,
              PlacementState.FINALIZED, at.node());
          placements.add(new ShardPlacement(placementId, shardId, PlacementState.FINALIZED,
              at.node()));
        }
        Shard shard = new Shard(shardId, each.name(), parentShard.minValue(),
            parentShard.maxValue(), placements);
        List<String> ddl = new ArrayList<>();
        ddl.add(ShardDdl.createSchema(shardName));
        ddl.addAll(ShardDdl.createShard(shell, each, shardName, shardId,
            shardNames.get(each.oid() == oid ? parent.relationId() : each.parent())));
        for (ShardPlacement placement : placements) {
          for (String sql : ddl) {
            changes.run(placement, shard, sql);
          }
        }
        shardNames.put(each.oid(), shardName);
      }
    }
  }

  private static SQLException refused(TableName name, DistributedTable parent, String detail) {
    return SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot make \"" + name.name()
        + "\" a partition of distributed table \"" + parent.name().name() + "\"", detail, null);
  }

  private static TableName name(Connection shell, long oid) throws SQLException {
    try (PreparedStatement ps = shell.prepareStatement("SELECT n.nspname, c.relname"
        + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
        + " ON n.oid = c.relnamespace WHERE c.oid = ?::oid")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new TableName(rs.getString(1), rs.getString(2));
      }
    }
  }
}
