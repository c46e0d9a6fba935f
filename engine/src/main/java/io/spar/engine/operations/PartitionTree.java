package io.spar.engine.operations;

import io.spar.engine.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A coordinator table with the tables below it, distributed together: a partitioned table with
 * its partitions (sub-partitions included), or a table with its inheritance children (and
 * theirs). Each is a distributed table of its own, co-located with the root, and its shard
 * <i>i</i> is a partition or child of its parent's shard <i>i</i> on the same nodes, so that
 * PostgreSQL's partition routing and pruning, and its reads of parents with their children,
 * run on the workers under Spar's shard pruning.
 *
 * @param members the root first, then each table after its parent
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
   *     {@code DEFAULT}); null for an inheritance child, and for the root unless it is a
   *     partition
   * @param key its partition key as PostgreSQL writes it ({@code RANGE (at)}); null if it is
   *     not partitioned
   */
  public record Member(long oid, TableName name, long parent, boolean partitioned,
      String bound, String key) {
  }

  private static final String TREE = "WITH RECURSIVE tree (oid, parent, depth) AS ("
      + " SELECT ?::oid, 0::oid, 0"
      + " UNION ALL SELECT i.inhrelid, i.inhparent, t.depth + 1"
      + "  FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid)"
      + " SELECT t.oid::bigint, n.nspname, c.relname, t.parent::bigint, c.relkind,"
      + " pg_catalog.pg_get_expr(c.relpartbound, c.oid),"
      + " CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
      // Its columns in the order of their positions, to compare with its parent's.
      + " ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a"
      + "  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),"
      + " (SELECT count(*) FROM pg_catalog.pg_inherits p WHERE p.inhrelid = c.oid)"
      + " FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.oid"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " ORDER BY t.depth, t.oid";

  /**
   * Returns the tree of {@code root}, a table with no parent.
   *
   * @throws OperationException 0A000 if a member has another parent too, is not a table, or
   *     has its columns in another order than its parent's (a partition must have its parent's
   *     columns; an inheritance child may add its own after them): statements that name no
   *     columns would put values in different columns
   */
  public static PartitionTree of(Connection coordinator, Relations.Relation root)
      throws SQLException {
    return read(coordinator, root, false);
  }

  /**
   * Returns the tree of {@code root}, a partition or child made or attached after its
   * distributed parent was distributed, with the tables below it; refused as {@link #of}
   * refuses.
   */
  public static PartitionTree ofMember(Connection coordinator, Relations.Relation root)
      throws SQLException {
    return read(coordinator, root, true);
  }

  private static PartitionTree read(Connection coordinator, Relations.Relation root,
      boolean member) throws SQLException {
    List<Member> members = new ArrayList<>();
    Map<Long, List<String>> columnsOf = new HashMap<>();
    try (PreparedStatement ps = coordinator.prepareStatement(TREE)) {
      ps.setLong(1, root.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableName name = new TableName(rs.getString(2), rs.getString(3));
          long parent = rs.getLong(4);
          String kind = rs.getString(5);
          String bound = rs.getString(6);
          List<String> columns = List.of((String[]) rs.getArray(8).getArray());
          long parents = rs.getLong(9);
          List<String> parentColumns = columnsOf.get(parent);
          String refusal = parent == 0 && parents > 0 && !member
              ? "is a partition or child of another table; distribute the root of its tree"
              : parent != 0 && parents > 1 || parent == 0 && parents > 1
                  ? "inherits from more than one table"
              : !kind.equals("r") && !kind.equals("p") ? "is not a table"
              : parentColumns != null && (bound != null ? !columns.equals(parentColumns)
                  : columns.size() < parentColumns.size()
                      || !columns.subList(0, parentColumns.size()).equals(parentColumns))
                  ? "has its columns in another order than its parent's"
              : null;
          if (refusal != null) {
            throw new OperationException("0A000", "cannot distribute relation \""
                + root.name().name() + "\"", "\"" + name.name() + "\" " + refusal + ".",
                null);
          }
          columnsOf.put(rs.getLong(1), columns);
          members.add(new Member(rs.getLong(1), name, parent, kind.equals("p"), bound,
              rs.getString(7)));
        }
      }
    }
    return new PartitionTree(List.copyOf(members));
  }

  /** Returns whether {@code relation} has partitions or inheritance children. */
  public static boolean hasMembers(Connection coordinator, Relations.Relation relation)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhparent = ?::oid)")) {
      ps.setLong(1, relation.oid());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
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

  /** Returns the root, the table the tree was read from. */
  public Member root() {
    return members.get(0);
  }

  /** Returns the members below the root, each after its parent. */
  public List<Member> partitions() {
    return members.subList(1, members.size());
  }
}
