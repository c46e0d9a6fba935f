package io.spar.engine.operations;

import io.spar.engine.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

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
}
