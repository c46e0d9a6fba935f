package io.spar.commands;

import io.spar.commands.DdlEvents.Event;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import io.spar.engine.hashing.ShardIntervals;
import io.spar.engine.operations.PartitionTree;
import io.spar.engine.operations.Relations;
import io.spar.engine.operations.ShardDdl;
import io.spar.engine.operations.ShellRows;
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
 * Partitions and inheritance children that DDL gives a hash-distributed table after it was
 * distributed ({@code CREATE TABLE … PARTITION OF} or {@code INHERITS}, {@code ATTACH
 * PARTITION}, {@code INHERIT}): each becomes a distributed table of the parent's co-location
 * group, and its shard <i>i</i> a partition or child of the parent's shard <i>i</i> on the same
 * nodes, in the DDL's distributed transaction, which also moves the rows of a table attached
 * with rows into them. Partitions a function attached or detached (pg_partman) reach the
 * shards too. (A DETACH statement is written for each shard by {@link AlterStatement}; the
 * table stays distributed.)
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
          + " inhparent::bigint FROM pg_catalog.pg_inherits i"
          + " WHERE i.inhrelid = ?::oid OR i.inhparent = ?::oid")) {
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

  /**
   * Returns whether distributed partitioned table {@code table}'s coordinator table still has
   * the definition of its shards (columns, their kept defaults, constraints, keys and indexes,
   * compared on its first shard's first placement): then the ALTER TABLE that a function ran on
   * it (pg_partman's ATTACH and DETACH PARTITION) changed only its partitions, which
   * {@link #carryOut} and {@link #detached} carry to the shards.
   */
  static boolean onlyPartitionsChanged(Connection shell, DistributedTable table,
      ShardChanges changes) throws SQLException {
    if (!table.hasShards() || !Relations.isPartitioned(shell,
        new Relations.Relation(table.relationId(), table.name()))) {
      return false;
    }
    Shard shard = changes.current(table).shards().get(0);
    ShardPlacement placement = shard.finalizedPlacements().get(0);
    String onShell = String.format(SHAPE, "?::oid");
    List<String> shell0 = new ArrayList<>();
    try (PreparedStatement ps = shell.prepareStatement(onShell)) {
      for (int i = 1; i <= 4; i++) {
        ps.setLong(i, table.relationId());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          shell0.add(rs.getString(1));
        }
      }
    }
    List<String> shard0 = new ArrayList<>();
    String regclass = "pg_catalog.to_regclass(" + SqlQuoting.literal(
        shard.shardName().quoted()) + ")";
    for (Object[] row : changes.query(placement, shard, String.format(SHAPE, regclass))
        .rows()) {
      shard0.add((String) row[0]);
    }
    return shell0.equals(shard0);
  }

  /**
   * A relation's definition as lines of text, the same for a table and its shard: columns in
   * order with type, NOT NULL and the default shards keep (a literal's, as {@code ShardDdl}
   * keeps only those), then its constraints other than foreign keys by definition, then how
   * many foreign keys and indexes it has. Its one argument, four times, is the relation.
   */
  private static final String SHAPE = "SELECT line FROM ("
      + " SELECT 1 AS part, a.attnum AS n, a.attname || ' ' || pg_catalog.format_type("
      + "  a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
      + "  || coalesce(' default ' || (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid)"
      + "  FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum"
      + "  AND d.adbin::text ~ '^\\{CONST'), '') AS line"
      + "  FROM pg_catalog.pg_attribute a WHERE a.attrelid = %1$s AND a.attnum > 0"
      + "  AND NOT a.attisdropped"
      + " UNION ALL SELECT 2, 0, c.contype::text || ' ' || pg_catalog.pg_get_constraintdef(c.oid)"
      + "  FROM pg_catalog.pg_constraint c WHERE c.conrelid = %1$s AND c.contype <> 'f'"
      + " UNION ALL SELECT 3, 0, 'foreign keys ' || count(*) FROM pg_catalog.pg_constraint c"
      + "  WHERE c.conrelid = %1$s AND c.contype = 'f'"
      + " UNION ALL SELECT 4, 0, 'indexes ' || count(*) FROM pg_catalog.pg_index i"
      + "  WHERE i.indrelid = %1$s) s ORDER BY part, n, line";

  /**
   * Detaches, on every placement, the shards of tables the statement detached from distributed
   * partitioned table {@code table} on the coordinator (inside a function, where Spar does not
   * see the statement): the partitions its first shard has on its first placement, found by
   * their shard ids, that are no longer its partitions on the coordinator.
   */
  static void detached(Connection shell, DistributedTable table, CatalogSnapshot catalog,
      ShardChanges changes) throws SQLException {
    DistributedTable current = changes.current(table);
    Shard first = current.shards().get(0);
    Set<Long> partitions = new HashSet<>();
    try (PreparedStatement ps = shell.prepareStatement("SELECT inhrelid::bigint"
        + " FROM pg_catalog.pg_inherits WHERE inhparent = ?::oid")) {
      ps.setLong(1, table.relationId());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          partitions.add(rs.getLong(1));
        }
      }
    }
    for (Object[] row : changes.query(first.finalizedPlacements().get(0), first,
        "SELECT c.relname::text FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c"
            + " ON c.oid = i.inhrelid WHERE i.inhparent = pg_catalog.to_regclass("
            + SqlQuoting.literal(first.shardName().quoted()) + ")")
        .rows()) {
      String name = (String) row[0];
      String suffix = name.substring(name.lastIndexOf('_') + 1);
      Optional<DistributedTable> partition = suffix.matches("\\d{1,18}")
          ? catalog.shard(Long.parseLong(suffix)).flatMap(shard -> catalog.table(shard.table()))
          : Optional.empty();
      if (partition.isEmpty() || partitions.contains(partition.get().relationId())) {
        continue;
      }
      DistributedTable child = changes.current(partition.get());
      for (int i = 0; i < current.shards().size(); i++) {
        Shard parentShard = current.shards().get(i);
        Shard childShard = child.shards().get(i);
        for (ShardPlacement placement : parentShard.finalizedPlacements()) {
          changes.run(placement, parentShard, "ALTER TABLE " + parentShard.shardName().quoted()
              + " DETACH PARTITION " + childShard.shardName().quoted());
        }
      }
    }
  }

  /** Distributes new partition or child {@code oid} (with those below it) of {@code parent}. */
  private static void distribute(Connection shell, long oid, DistributedTable parent,
      ShardChanges changes) throws SQLException {
    TableName name = name(shell, oid);
    Relations.Relation relation = new Relations.Relation(oid, name);
    PartitionTree tree = PartitionTree.ofMember(shell, relation);
    List<String> columns = PartitionTree.columnNames(shell, oid);
    List<String> parentColumns = PartitionTree.columnNames(shell, parent.relationId());
    if (columns.size() < parentColumns.size()
        || !columns.subList(0, parentColumns.size()).equals(parentColumns)
        || tree.root().bound() != null && columns.size() != parentColumns.size()) {
      throw refused(name, parent, "Its columns are in another order than the table's.");
    }
    for (PartitionTree.Member each : tree.members()) {
      UniqueIndexes.requireCovering(shell, each.oid(), parent.partitionColumn());
    }
    for (PartitionTree.Member each : tree.members()) {
      CatalogStore.insertPartition(shell, each.oid(), parent.method(),
          parent.partitionColumn());
      CatalogStore.setColocationId(shell, each.oid(), parent.colocationId());
      CatalogStore.guardShell(shell, each.name());
    }
    DistributedTable current = changes.current(parent);
    Map<Long, List<ShellRows.Target>> targets = new HashMap<>();
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
        targets.computeIfAbsent(each.oid(), key -> new ArrayList<>()).add(new ShellRows.Target(
            shardName, placements.stream().map(ShardPlacement::node).toList()));
      }
    }
    // Rows of a table attached with them move into its new shards in this transaction.
    int shardCount = current.shards().size();
    for (PartitionTree.Member each : tree.members()) {
      if (CatalogStore.shellHasRows(shell, each.name())) {
        ShellRows.moveInTransaction(shell, each.oid(), each.name(), parent.partitionColumn(),
            parent.partitionType(), targets.get(each.oid()), value ->
                ShardIntervals.shardIndexForHash(parent.partitionType().hash(value),
                    shardCount), changes::connection, changes.log());
      }
    }
  }

  private static SQLException refused(TableName name, DistributedTable parent, String detail) {
    return SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot make \"" + name.name()
        + "\" a partition or child of distributed table \"" + parent.name().name() + "\"",
        detail, null);
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
