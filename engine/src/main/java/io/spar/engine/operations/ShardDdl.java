package io.spar.engine.operations;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generator of the DDL that recreates a coordinator table as one of its shards: the same
 * columns, defaults, constraints and indexes, with constraint and index names suffixed by the
 * shard id, as pg_shard and Citus name them.
 *
 * <p>Defaults that call {@code nextval} are left out, because the sequence lives only on the
 * coordinator; foreign keys are left out, because their referenced table is not on the worker.
 */
public final class ShardDdl {
  private static final Pattern INDEX_DEF = Pattern.compile(
      "^(CREATE (?:UNIQUE )?INDEX )(\"(?:[^\"]|\"\")+\"|\\S+) ON (?:ONLY )?(.+?) USING (.*)$",
      Pattern.DOTALL);

  private ShardDdl() {
  }

  /** Returns the statements that create shard {@code shardId} of relation {@code relationId}. */
  public static List<String> createShard(Connection coordinator, long relationId,
      TableName shardName, long shardId, boolean forceUnlogged) throws SQLException {
    List<String> statements = new ArrayList<>();
    statements.add(createTable(coordinator, relationId, shardName, forceUnlogged));
    statements.addAll(constraints(coordinator, relationId, shardName, shardId));
    for (String each : indexDefinitions(coordinator, relationId, List.of())) {
      statements.add(indexForShard(each, shardName, shardId));
    }
    return statements;
  }

  private static String createTable(Connection coordinator, long relationId, TableName shardName,
      boolean forceUnlogged) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid),"
            + " a.attnotnull, a.attgenerated FROM pg_attribute a LEFT JOIN pg_attrdef d"
            + " ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(column(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
              rs.getString(5)));
        }
      }
    }
    String persistence = forceUnlogged || isUnlogged(coordinator, relationId) ? "UNLOGGED " : "";
    return "CREATE " + persistence + "TABLE " + shardName.quoted() + " ("
        + String.join(", ", columns) + ")";
  }

  private static String column(String name, String type, String defaultExpr, boolean notNull,
      String generated) {
    StringBuilder result = new StringBuilder(SqlQuoting.identifier(name)).append(' ').append(type);
    if (defaultExpr != null && "s".equals(generated)) {
      result.append(" GENERATED ALWAYS AS (").append(defaultExpr).append(") STORED");
    } else if (defaultExpr != null && !defaultExpr.contains("nextval(")) {
      result.append(" DEFAULT ").append(defaultExpr);
    }
    if (notNull) {
      result.append(" NOT NULL");
    }
    return result.toString();
  }

  private static boolean isUnlogged(Connection coordinator, long relationId) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT relpersistence = 'u' FROM pg_class WHERE oid = ?::oid")) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static List<String> constraints(Connection coordinator, long relationId,
      TableName shardName, long shardId) throws SQLException {
    List<String> statements = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            + " WHERE conrelid = ?::oid AND contype IN ('p', 'u', 'c', 'x') ORDER BY oid")) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          statements.add("ALTER TABLE " + shardName.quoted() + " ADD CONSTRAINT "
              + SqlQuoting.identifier(rs.getString(1) + "_" + shardId) + " " + rs.getString(2));
        }
      }
    }
    return statements;
  }

  /**
   * Returns {@code pg_get_indexdef} of the indexes of {@code relationId} that do not back a
   * constraint, leaving out the index OIDs in {@code except}.
   */
  public static List<String> indexDefinitions(Connection coordinator, long relationId,
      List<Long> except) throws SQLException {
    List<String> definitions = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT i.indexrelid::bigint, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            + " WHERE i.indrelid = ?::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            + " WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) ORDER BY i.indexrelid")) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!except.contains(rs.getLong(1))) {
            definitions.add(rs.getString(2));
          }
        }
      }
    }
    return definitions;
  }

  /** Returns the OIDs of all indexes of {@code relationId}. */
  public static List<Long> indexOids(Connection coordinator, long relationId) throws SQLException {
    List<Long> oids = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT indexrelid::bigint FROM pg_index WHERE indrelid = ?::oid")) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          oids.add(rs.getLong(1));
        }
      }
    }
    return oids;
  }

  /** Returns an index definition rewritten for shard {@code shardId}. */
  public static String indexForShard(String indexDefinition, TableName shardName, long shardId) {
    Matcher matcher = INDEX_DEF.matcher(indexDefinition);
    if (!matcher.matches()) {
      throw new IllegalStateException("unexpected index definition: " + indexDefinition);
    }
    String indexName = unquote(matcher.group(2));
    return matcher.group(1) + SqlQuoting.identifier(indexName + "_" + shardId) + " ON "
        + shardName.quoted() + " USING " + matcher.group(4);
  }

  private static String unquote(String identifier) {
    return identifier.startsWith("\"")
        ? identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"") : identifier;
  }
}
