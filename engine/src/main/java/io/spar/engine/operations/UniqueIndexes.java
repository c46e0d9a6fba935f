package io.spar.engine.operations;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The uniqueness a distributed table can keep: each shard's index sees only that shard's rows,
 * so a UNIQUE, PRIMARY KEY or EXCLUDE constraint (or a unique index) holds across the table only
 * if the partition column is one of its key columns, compared by equality. Others would accept
 * duplicates that land on different shards, so they are refused, as Citus refuses them.
 */
public final class UniqueIndexes {
  /**
   * The unique and exclusion indexes of a table ({@code ?1}) whose key columns lack the column
   * numbered {@code ?2}, or whose exclusion operator for it is not equality. {@code indkey} is
   * zero-based and its first {@code indnkeyatts} entries are the key columns; INCLUDE columns
   * follow. An expression column has number 0 and never matches.
   */
  private static final String NOT_COVERING = """
      SELECT c.relname, x.conname IS NOT NULL
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
      LEFT JOIN pg_catalog.pg_constraint x
        ON x.conindid = i.indexrelid AND x.conrelid = i.indrelid AND x.contype = 'x'
      WHERE i.indrelid = ?::oid AND (i.indisunique OR x.oid IS NOT NULL)
        AND NOT EXISTS (
          SELECT 1 FROM pg_catalog.generate_series(0, i.indnkeyatts - 1) AS k
          WHERE i.indkey[k] = ?
            AND (x.oid IS NULL OR (SELECT o.oprname FROM pg_catalog.pg_operator o
                                   WHERE o.oid = x.conexclop[k + 1]) = '='))
      ORDER BY c.relname
      """;

  private UniqueIndexes() {
  }

  /**
   * Throws 0A000 if table {@code relationId} has a unique or exclusion index that does not
   * include column {@code column} by equality.
   */
  public static void requireCovering(Connection coordinator, long relationId, String column)
      throws SQLException {
    if (column == null) {
      return; // a reference table: its one shard holds every row, so every index is global
    }
    List<String> names = new ArrayList<>();
    boolean exclusion = false;
    try (PreparedStatement ps = coordinator.prepareStatement(NOT_COVERING)) {
      ps.setLong(1, relationId);
      ps.setInt(2, attributeNumber(coordinator, relationId, column));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add("\"" + rs.getString(1) + "\"");
          exclusion |= rs.getBoolean(2);
        }
      }
    }
    if (!names.isEmpty()) {
      throw new OperationException("0A000", "cannot keep " + String.join(", ", names)
          + (exclusion ? " across shards" : " unique across shards"),
          "Distributed tables cannot have UNIQUE, EXCLUDE or PRIMARY KEY constraints, or unique"
              + " indexes, that do not include the partition column \"" + column
              + "\" (with an equality operator if EXCLUDE): each shard would check only its own"
              + " rows.", "Add \"" + column + "\" to the constraint's or index's columns.");
    }
  }

  private static int attributeNumber(Connection coordinator, long relationId, String column)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT attnum FROM"
        + " pg_catalog.pg_attribute WHERE attrelid = ?::oid AND attname = ? AND NOT attisdropped")) {
      ps.setLong(1, relationId);
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new OperationException("42703", "column \"" + column + "\" does not exist");
        }
        return rs.getInt(1);
      }
    }
  }
}
