package io.spar.engine.operations;

import io.spar.engine.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A partitioned coordinator table with its partitions, sub-partitions included, as the
 * distributed tables they become together: each partition is a distributed table of its own,
 * co-located with its root, and its shard <i>i</i> is a partition of its parent's shard
 * <i>i</i> on the same nodes, with the same bounds, so that PostgreSQL's partition routing and
 * pruning run on the workers under Spar's shard pruning.
 *
 * @param members the root first, then each partition after its parent
 */
public record PartitionTree(List<Member> members) {

  /**
   * One table of the tree.
   *
   * @param oid its OID on the coordinator
   * @param name its name
   * @param parent its parent's OID; 0 for the root
   * @param partitioned whether it is itself partitioned
   * @param bound its partition bound as PostgreSQL writes it ({@code FOR VALUES …} or
   *     {@code DEFAULT}); null for the root
   * @param key its partition key as PostgreSQL writes it ({@code RANGE (at)}); null for a leaf
   */
  public record Member(long oid, TableName name, long parent, boolean partitioned,
      String bound, String key) {
  }

  private static final String TREE = "WITH RECURSIVE tree (oid, parent, depth) AS ("
      + " SELECT ?::oid, 0::oid, 0"
      + " UNION ALL SELECT i.inhrelid, i.inhparent, t.depth + 1"
      + "  FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid)"
      + " SELECT t.oid::bigint, n.nspname, c.relname, t.parent::bigint, c.relkind,"
      + " c.relispartition, pg_catalog.pg_get_expr(c.relpartbound, c.oid),"
      + " CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
      // Its columns in the order of their positions, to compare with the root's.
      + " ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a"
      + "  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)"
      + " FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.oid"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " ORDER BY t.depth, t.oid";

  /**
   * Returns the tree of partitioned table {@code root}.
   *
   * @throws OperationException 0A000 if a member is an inheritance child rather than a
   *     partition, a foreign table, or has its columns in another order than the root's
   *     (statements that name no columns would put values in different columns)
   */
  public static PartitionTree of(Connection coordinator, Relations.Relation root)
      throws SQLException {
    return read(coordinator, root, false);
  }

  /**
   * Returns the tree of partition {@code root} of a distributed partitioned table, made or
   * attached after it was distributed, with its own partitions if it has any; refused as
   * {@link #of} refuses.
   */
  public static PartitionTree ofPartition(Connection coordinator, Relations.Relation root)
      throws SQLException {
    return read(coordinator, root, true);
  }

  private static PartitionTree read(Connection coordinator, Relations.Relation root,
      boolean partition) throws SQLException {
    List<Member> members = new ArrayList<>();
    List<String> rootColumns = null;
    try (PreparedStatement ps = coordinator.prepareStatement(TREE)) {
      ps.setLong(1, root.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableName name = new TableName(rs.getString(2), rs.getString(3));
          String kind = rs.getString(5);
          List<String> columns = List.of((String[]) rs.getArray(9).getArray());
          String refusal = rootColumns == null && rs.getBoolean(6) && !partition
              ? "is a partition;"
                  + " distribute the root of its partitioned table"
              : !kind.equals("r") && !kind.equals("p") ? "is not a table"
              : rs.getLong(4) != 0 && !rs.getBoolean(6) ? "inherits from its parent"
                  + " without being a partition of it"
              : rootColumns != null && !columns.equals(rootColumns) ? "has its columns in"
                  + " another order than \"" + root.name().name() + "\""
              : null;
          if (refusal != null) {
            throw new OperationException("0A000", "cannot distribute relation \""
                + root.name().name() + "\"", "\"" + name.name() + "\" " + refusal + ".",
                null);
          }
          if (rootColumns == null) {
            rootColumns = columns;
          }
          members.add(new Member(rs.getLong(1), name, rs.getLong(4), kind.equals("p"),
              rs.getString(7), rs.getString(8)));
        }
      }
    }
    return new PartitionTree(List.copyOf(members));
  }

  /** Returns the names of the columns of relation {@code oid}, in the order of their positions. */
  public static List<String> columnNames(Connection coordinator, long oid) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT attname FROM"
        + " pg_catalog.pg_attribute WHERE attrelid = ?::oid AND attnum > 0"
        + " AND NOT attisdropped ORDER BY attnum")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  /** Returns the root, the partitioned table the tree was read from. */
  public Member root() {
    return members.get(0);
  }

  /** Returns the partitions, sub-partitions included, each after its parent. */
  public List<Member> partitions() {
    return members.subList(1, members.size());
  }
}
