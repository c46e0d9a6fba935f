package io.spar.commands;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.operations.Relations;
import io.spar.engine.operations.UniqueIndexes;
import io.spar.outcome.SparErrors;
import io.spar.router.RouterPlanner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What DDL may not do to a distributed table, checked on the coordinator after the statement
 * ran there and before any worker changes, so that a refusal rolls back the coordinator's part
 * and nothing else has changed: the distribution column stays, with its type; uniqueness
 * includes it; and foreign keys join co-located tables on their distribution columns.
 */
final class DistributionRules {
  /**
   * The distribution column of a table as it was before the statement.
   *
   * @param table the table
   * @param number its attribute number
   * @param type its type, as format_type writes it
   */
  record PartitionColumn(DistributedTable table, int number, String type) {
    /** Reads the distribution column of {@code table}. */
    static PartitionColumn read(Connection coordinator, DistributedTable table)
        throws SQLException {
      if (!table.hasPartitionColumn()) {
        return new PartitionColumn(table, 0, null); // no column to keep
      }
      try (PreparedStatement ps = coordinator.prepareStatement("SELECT attnum,"
          + " pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute"
          + " WHERE attrelid = ?::oid AND attname = ? AND NOT attisdropped")) {
        ps.setLong(1, table.relationId());
        ps.setString(2, table.partitionColumn());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("distribution column \"" + table.partitionColumn()
                + "\" of \"" + table.name().name() + "\" is missing", "XX000");
          }
          return new PartitionColumn(table, rs.getInt(1), rs.getString(2));
        }
      }
    }

    /**
     * Refuses a statement that dropped the column or changed its type; follows a rename in the
     * catalog, which names the distribution column.
     */
    void requireKept(Connection coordinator) throws SQLException {
      if (!table.hasPartitionColumn()) {
        return;
      }
      String name = table.name().name();
      try (PreparedStatement ps = coordinator.prepareStatement("SELECT attname,"
          + " pg_catalog.format_type(atttypid, atttypmod), attisdropped"
          + " FROM pg_catalog.pg_attribute WHERE attrelid = ?::oid AND attnum = ?")) {
        ps.setLong(1, table.relationId());
        ps.setInt(2, number);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return; // the table itself was dropped
          }
          if (rs.getBoolean(3)) {
            throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot drop the"
                + " distribution column \"" + table.partitionColumn() + "\" of distributed"
                + " table \"" + name + "\"");
          }
          if (!rs.getString(2).equals(type)) {
            throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot alter the type"
                + " of the distribution column \"" + table.partitionColumn()
                + "\" of distributed table \"" + name + "\"", "Rows are placed in shards by"
                + " the hash of the column's value as type " + type + ".", null);
          }
          if (!rs.getString(1).equals(table.partitionColumn())) {
            CatalogStore.renamePartitionColumn(coordinator, table.relationId(),
                rs.getString(1));
          }
        }
      }
    }
  }

  private static final String FOREIGN_KEYS = "SELECT c.conname, c.conrelid::bigint,"
      + " c.confrelid::bigint,"
      + " ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)"
      + "  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n"
      + "  ORDER BY k.i),"
      + " ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)"
      + "  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n"
      + "  ORDER BY k.i),"
      // Whether the referencing table is in a distributed schema, whose node holds all its
      // tables, and the referenced one in the same schema or a reference table, which every
      // worker holds.
      + " EXISTS (SELECT 1 FROM pg_catalog.pg_class r JOIN pg_catalog.pg_class f"
      + "  ON f.oid = c.confrelid"
      + "  JOIN pgs_distribution_metadata.tenant_schema t ON t.schema_id = r.relnamespace"
      + "  WHERE r.oid = c.conrelid AND (f.relnamespace = r.relnamespace"
      + "  OR EXISTS (SELECT 1 FROM pgs_distribution_metadata.partition p"
      + "   WHERE p.relation_id = f.oid AND p.partition_method = 'n')))"
      + " FROM pg_catalog.pg_constraint c"
      + " WHERE c.contype = 'f' AND (c.conrelid = ?::oid OR c.confrelid = ?::oid)";

  private DistributionRules() {
  }

  /**
   * Refuses unique constraints and indexes of {@code table} that do not include its
   * distribution column, whose name the statement may have changed.
   */
  static void requireCoveringUniqueness(Connection coordinator, DistributedTable table)
      throws SQLException {
    String column;
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT key FROM"
        + " pgs_distribution_metadata.partition WHERE relation_id = ?::oid")) {
      ps.setLong(1, table.relationId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        column = rs.getString(1);
      }
    }
    UniqueIndexes.requireCovering(coordinator, table.relationId(), column);
  }

  /**
   * Refuses foreign keys from or to table {@code relationId} that involve a distributed table
   * and do not join two co-located distributed tables on their distribution columns, with
   * each referencing placement beside a placement of the referenced shard, or a table of a
   * distributed schema and another of the schema or a reference table.
   */
  static void requireColocatedForeignKeys(Connection coordinator, long relationId,
      CatalogSnapshot catalog) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(FOREIGN_KEYS)) {
      ps.setLong(1, relationId);
      ps.setLong(2, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Optional<DistributedTable> from = catalog.table(rs.getLong(2));
          Optional<DistributedTable> to = catalog.table(rs.getLong(3));
          if (from.isEmpty() && to.isEmpty() || rs.getBoolean(6)) {
            continue;
          }
          List<String> columns = Arrays.asList((String[]) rs.getArray(4).getArray());
          List<String> referenced = Arrays.asList((String[]) rs.getArray(5).getArray());
          if (from.isEmpty() || to.isEmpty()
              || !joinsDistributionColumns(from.get(), to.get(), columns, referenced)
              || !coPlaced(from.get(), to.get())) {
            throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot create foreign key"
                + " constraint \"" + rs.getString(1) + "\"", "Foreign keys of distributed"
                + " tables must join two co-located distributed tables (hash-distributed on"
                + " the same type into as many shards, with their placements on the same"
                + " nodes) and include their distribution columns.", null);
          }
        }
      }
    }
  }

  /**
   * Refuses partitions and inheritance between table {@code relationId} and a distributed
   * table: the shards are plain tables, so reads of a parent would miss the rows of its
   * partitions and children, and the coordinator's table would hold rows of its own.
   */
  static void requireNoInheritance(Connection coordinator, long relationId,
      CatalogSnapshot catalog) throws SQLException {
    for (Relations.InheritanceLink each : Relations.inheritanceLinks(coordinator, relationId)) {
      Optional<DistributedTable> parent = catalog.table(each.parent());
      Optional<DistributedTable> child = catalog.table(each.child());
      if (parent.isPresent() && child.isEmpty()
          && parent.get().method() == DistributionMethod.HASH) {
        // A new partition or child of a hash-distributed table: PartitionChanges distributes
        // it with shards below the table's.
        continue;
      }
      if (parent.isPresent() && child.isPresent() && parent.get().isCoLocatedWith(child.get())) {
        // Distributed with its parent: its shards are partitions or children of the parent's
        // (ATTACH and INHERIT of a distributed table are refused as ALTER TABLE).
        continue;
      }
      Optional<DistributedTable> distributed = parent.or(() -> child);
      if (distributed.isPresent()) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot make \""
            + each.childName() + "\" a partition or child of \"" + each.parentName() + "\"",
            "\"" + distributed.get().name().name() + "\" is a distributed table.",
            "Spar does not yet keep partitions and inheritance children with their parent's"
            + " shards.");
      }
    }
  }

  private static boolean joinsDistributionColumns(DistributedTable from, DistributedTable to,
      List<String> columns, List<String> referenced) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).equals(from.partitionColumn())
          && referenced.get(i).equals(to.partitionColumn())) {
        // One co-location group, so that moves keep the two shards of each pair together.
        return RouterPlanner.sameLayout(from, to) && from.isCoLocatedWith(to);
      }
    }
    return false;
  }

  /**
   * Returns whether every placement of {@code from} has a placement of the shard it references
   * on its node. Placements in any state count: an INACTIVE one is rebuilt with its keys when
   * it is repaired, and DDL of either table must not be refused meanwhile.
   */
  private static boolean coPlaced(DistributedTable from, DistributedTable to) {
    for (int i = 0; i < from.shards().size(); i++) {
      Shard referenced = to.shards().get(i);
      List<NodeAddress> nodes = referenced.placements().stream()
          .map(ShardPlacement::node).toList();
      for (ShardPlacement each : from.shards().get(i).placements()) {
        if (!nodes.contains(each.node())) {
          return false;
        }
      }
    }
    return true;
  }
}
