package io.spar.engine.operations;

import io.spar.engine.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Lookup of coordinator relations by the names users write, with PostgreSQL's own resolution
 * ({@code to_regclass}: search path, case folding, quoting).
 */
public final class Relations {
  private Relations() {
  }

  /** Relation OID with its resolved name. */
  public record Relation(long oid, TableName name) {
  }

  /**
   * Returns the relation that {@code name} denotes.
   *
   * @throws OperationException {@code relation "x" does not exist} (42P01) if there is none
   */
  public static Relation resolve(Connection coordinator, String name) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT c.oid::bigint, n.nspname, c.relname FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new OperationException("42P01", "relation \"" + name + "\" does not exist");
        }
        return new Relation(rs.getLong(1), new TableName(rs.getString(2), rs.getString(3)));
      }
    }
  }

  /**
   * Returns the base type name ({@code pg_type.typname}, domains resolved) of column
   * {@code column} of {@code relation}.
   *
   * @throws OperationException {@code column "c" of relation "t" does not exist} (42703)
   */
  public static String columnType(Connection coordinator, Relation relation, String column)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT bt.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            + " JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype"
            + " ELSE t.oid END"
            + " WHERE a.attrelid = ?::oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped")) {
      ps.setLong(1, relation.oid());
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new OperationException("42703", "column \"" + column + "\" of relation \""
              + relation.name().name() + "\" does not exist");
        }
        return rs.getString(1);
      }
    }
  }

  /**
   * An inheritance link between two coordinator relations: a partition and its partitioned
   * table, or a table and a parent it inherits from.
   *
   * @param child the partition or inheriting table
   * @param childName its name as {@code regclass} writes it
   * @param parent the partitioned table or parent
   * @param parentName its name as {@code regclass} writes it
   */
  public record InheritanceLink(long child, String childName, long parent, String parentName) {
  }

  /** Returns the inheritance links of relation {@code oid}, as child and as parent. */
  public static List<InheritanceLink> inheritanceLinks(Connection coordinator, long oid)
      throws SQLException {
    List<InheritanceLink> links = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT inhrelid::bigint,"
        + " inhrelid::regclass::text, inhparent::bigint, inhparent::regclass::text"
        + " FROM pg_catalog.pg_inherits WHERE inhrelid = ?::oid OR inhparent = ?::oid"
        + " ORDER BY 1, inhseqno")) {
      ps.setLong(1, oid);
      ps.setLong(2, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          links.add(new InheritanceLink(rs.getLong(1), rs.getString(2), rs.getLong(3),
              rs.getString(4)));
        }
      }
    }
    return links;
  }

  /** Returns whether {@code relation} is a partitioned table. */
  public static boolean isPartitioned(Connection coordinator, Relation relation)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT relkind = 'p' FROM pg_catalog.pg_class WHERE oid = ?::oid")) {
      ps.setLong(1, relation.oid());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** Returns whether {@code relation} is a partition of a partitioned table. */
  public static boolean isPartition(Connection coordinator, Relation relation)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT relispartition FROM pg_catalog.pg_class WHERE oid = ?::oid")) {
      ps.setLong(1, relation.oid());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /**
   * Refuses to distribute {@code relation} if it is partitioned, a partition, or inherits or is
   * inherited from. Its shards would be plain tables: reads of a parent would miss the rows of
   * partitions and children, which stay on the coordinator, and writes would skip PostgreSQL's
   * partition bounds.
   *
   * @throws OperationException with SQLState 0A000 if it is one of these
   */
  public static void requireNoInheritance(Connection coordinator, Relation relation)
      throws SQLException {
    String detail = isPartitioned(coordinator, relation) ? "It is a partitioned table." : null;
    for (InheritanceLink each : inheritanceLinks(coordinator, relation.oid())) {
      if (detail == null) {
        detail = each.child() == relation.oid()
            ? "It is a partition or child of \"" + each.parentName() + "\"."
            : "\"" + each.childName() + "\" is a partition or child of it.";
      }
    }
    if (detail != null) {
      throw new OperationException("0A000", "cannot distribute relation \""
          + relation.name().name() + "\"", detail, "Spar does not yet keep partitions and"
          + " inheritance children with their parent's shards.");
    }
  }
}
