package io.spar.engine.operations;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generator of the DDL that recreates a coordinator table as one of its shards: the same
 * columns, defaults, constraints and indexes, with constraint and index names suffixed by the
 * shard id, as pg_shard and Citus name them.
 *
 * <p>A shard keeps only the column defaults that PostgreSQL itself proves IMMUTABLE on the
 * coordinator ({@link #COLUMNS}): expressions of constants, casts and operators whose functions
 * are all IMMUTABLE. Every other default ({@code now()}, {@code clock_timestamp()},
 * {@code random()}, {@code gen_random_uuid()}, {@code nextval}, identity columns, a user's
 * VOLATILE function) would run separately on each placement and store a different value on
 * each, so Spar evaluates it once per row at the coordinator and sends the value to every
 * placement, as Citus does. Leaving these defaults out of the shard, rather than keeping them as
 * a fallback, makes a write that ever omitted such a column store NULL (or fail NOT NULL) the
 * same way on every placement instead of diverging silently; no path does omit one: routed
 * INSERTs get the column added with its value, {@code DEFAULT} in VALUES and SET is replaced by
 * the value (or refused), and rows that move into or between shards ({@code ShellRows},
 * placement repair) carry every column. Foreign keys are left out, because the shard they
 * reference may not be on the worker yet; {@link #foreignKeys} makes them once it is.
 */
public final class ShardDdl {
  /**
   * The catalog query for a relation's columns as shards and writes need them; its one
   * parameter is the relation's oid. Each row, in column order, holds the column name, its
   * type as {@code format_type} writes it, the expression that fills it when a write omits it
   * or null (the column's default, {@code nextval} of an identity column's sequence, or its
   * domain's default), whether shards keep that expression as their own default, whether the
   * column is generated (its expression then being the generation expression), and whether it
   * is NOT NULL.
   */
  public static final String COLUMNS = "SELECT a.attname::text,"
      + " pg_catalog.format_type(a.atttypid, a.atttypmod),"
      + " CASE WHEN a.attidentity <> '' THEN pg_catalog.format('nextval(%L::regclass)',"
      + "  pg_catalog.pg_get_serial_sequence(a.attrelid::regclass::text, a.attname))"
      + " WHEN d.adbin IS NOT NULL THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid)"
      + " ELSE (SELECT pg_catalog.pg_get_expr(t.typdefaultbin, 0) FROM pg_catalog.pg_type t"
      + "  WHERE t.oid = a.atttypid) END,"
      + " a.attidentity = '' AND a.attgenerated = '' AND d.adbin IS NOT NULL"
      // Every node of the stored tree is one that calls no function or names its function...
      + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.regexp_matches(d.adbin::text,"
      + "  '\\{([A-Z_]+)', 'g') AS n(m) WHERE n.m[1] <> ALL (ARRAY['CONST', 'FUNCEXPR',"
      + "  'OPEXPR', 'DISTINCTEXPR', 'NULLIFEXPR', 'SCALARARRAYOPEXPR', 'BOOLEXPR',"
      + "  'RELABELTYPE', 'COERCETODOMAIN', 'ARRAYEXPR', 'ROWEXPR', 'CASEEXPR', 'CASEWHEN',"
      + "  'CASETESTEXPR', 'COALESCEEXPR', 'NULLTEST', 'BOOLEANTEST', 'COLLATEEXPR',"
      + "  'FIELDSELECT']))"
      // ...and every function it names is IMMUTABLE.
      + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.regexp_matches(d.adbin::text,"
      + "  ':[a-z]*funcid (\\d+)', 'g') AS f(m) JOIN pg_catalog.pg_proc p"
      + "  ON p.oid = f.m[1]::oid WHERE p.provolatile <> 'i'),"
      + " a.attgenerated <> '', a.attnotnull"
      + " FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d"
      + " ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
      + " WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

  private static final Pattern INDEX_DEF = Pattern.compile(
      "^(CREATE (?:UNIQUE )?INDEX )(\"(?:[^\"]|\"\")+\"|\\S+) ON (?:ONLY )?(.+?) USING (.*)$",
      Pattern.DOTALL);

  private ShardDdl() {
  }

  /** Returns the statements that create shard {@code shardId} of relation {@code relationId}. */
  public static List<String> createShard(Connection coordinator, long relationId,
      TableName shardName, long shardId, boolean forceUnlogged) throws SQLException {
    requireUnpartitioned(coordinator, relationId);
    List<String> statements = new ArrayList<>();
    statements.add(createTable(coordinator, relationId, shardName, forceUnlogged));
    statements.addAll(constraints(coordinator, relationId, shardName, shardId, false));
    for (String each : indexDefinitions(coordinator, relationId, List.of())) {
      statements.add(indexForShard(each, shardName, shardId));
    }
    return statements;
  }

  /**
   * Returns the statements that create shard {@code shardName} of a member of a partition
   * tree: the root's shard as a partitioned table with the root's key, a partition's as a
   * partition of {@code parentShard} (its parent's shard on the same node) with its bounds.
   * A partition's shard takes its parent's columns, constraints and indexes from
   * PostgreSQL, as a partition does; only its own are added.
   */
  public static List<String> createShard(Connection coordinator, PartitionTree.Member member,
      TableName shardName, long shardId, TableName parentShard) throws SQLException {
    List<String> statements = new ArrayList<>();
    String key = member.partitioned() ? " PARTITION BY " + member.key() : "";
    if (parentShard == null) {
      statements.add(createTable(coordinator, member.oid(), shardName, false) + key);
    } else if (member.bound() == null) {
      // Its own columns; those it inherits, with their NOT NULL and CHECKs, come from the
      // parent's shard, as a child's come from its parent.
      statements.add(createTable(coordinator, member.oid(), shardName, false, true)
          + " INHERITS (" + parentShard.quoted() + ")" + key);
    } else {
      statements.add("CREATE TABLE " + shardName.quoted() + " PARTITION OF "
          + parentShard.quoted() + " " + member.bound() + key);
    }
    boolean partition = parentShard != null;
    statements.addAll(constraints(coordinator, member.oid(), shardName, shardId, partition));
    for (String each : indexDefinitions(coordinator, member.oid(), List.of(), partition)) {
      statements.add(indexForShard(each, shardName, shardId));
    }
    return statements;
  }

  /**
   * Refuses to make a lone shard of a table with partitions or inheritance children, or of
   * one of those, whose shards are made together with their tree's ({@link #createShard(Connection, PartitionTree.Member,
   * TableName, long, TableName)}); copies and moves of them are not built yet.
   */
  private static void requireUnpartitioned(Connection coordinator, long relationId)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT relname FROM pg_class"
        + " WHERE oid = ?::oid AND (relkind = 'p' OR EXISTS (SELECT 1 FROM pg_inherits i"
        + " WHERE i.inhrelid = pg_class.oid OR i.inhparent = pg_class.oid))")) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new OperationException("0A000", "cannot copy or move a shard of \""
              + rs.getString(1) + "\"", "It belongs to a distributed partitioned table or"
              + " a table with inheritance children, whose shards Spar cannot yet copy or"
              + " move.", null);
        }
      }
    }
  }

  /**
   * Returns the statement that makes sure the schema of {@code shardName} exists on a worker:
   * a schema made on the coordinator without Spar is not on the workers yet.
   */
  public static String createSchema(TableName shardName) {
    return "CREATE SCHEMA IF NOT EXISTS " + SqlQuoting.identifier(shardName.schema());
  }

  private static String createTable(Connection coordinator, long relationId, TableName shardName,
      boolean forceUnlogged) throws SQLException {
    return createTable(coordinator, relationId, shardName, forceUnlogged, false);
  }

  /** As above; if {@code ownOnly}, with only the columns the table does not inherit. */
  private static String createTable(Connection coordinator, long relationId, TableName shardName,
      boolean forceUnlogged, boolean ownOnly) throws SQLException {
    List<String> inherited = new ArrayList<>();
    if (ownOnly) {
      try (PreparedStatement ps = coordinator.prepareStatement("SELECT attname FROM"
          + " pg_catalog.pg_attribute WHERE attrelid = ?::oid AND attnum > 0"
          + " AND attinhcount > 0")) {
        ps.setLong(1, relationId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            inherited.add(rs.getString(1));
          }
        }
      }
    }
    List<String> columns = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(COLUMNS)) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!inherited.contains(rs.getString(1))) {
            columns.add(column(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getBoolean(4), rs.getBoolean(5), rs.getBoolean(6)));
          }
        }
      }
    }
    String persistence = forceUnlogged || isUnlogged(coordinator, relationId) ? "UNLOGGED " : "";
    return "CREATE " + persistence + "TABLE " + shardName.quoted() + " ("
        + String.join(", ", columns) + ")";
  }

  private static String column(String name, String type, String expression, boolean kept,
      boolean generated, boolean notNull) {
    StringBuilder result = new StringBuilder(SqlQuoting.identifier(name)).append(' ').append(type);
    if (generated) {
      result.append(" GENERATED ALWAYS AS (").append(expression).append(") STORED");
    } else if (kept) {
      result.append(" DEFAULT ").append(expression);
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

  /**
   * Returns the statements that add {@code relationId}'s constraints to its shard; for a
   * partition only its own, not those it has from its parent, which the shard has from its
   * parent's shard.
   */
  private static List<String> constraints(Connection coordinator, long relationId,
      TableName shardName, long shardId, boolean ownOnly) throws SQLException {
    List<String> statements = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            + " WHERE conrelid = ?::oid AND contype IN ('p', 'u', 'c', 'x')"
            + (ownOnly ? " AND conparentid = 0 AND coninhcount = 0" : "") + " ORDER BY oid")) {
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
   * A foreign key of a distributed table, as the coordinator's table holds it.
   *
   * @param relationId the referencing table
   * @param name the constraint's name there
   * @param definition its {@code pg_get_constraintdef}
   * @param referencedId the referenced table
   */
  public record ForeignKey(long relationId, String name, String definition, long referencedId) {
    /**
     * Returns the statement that adds this key to shard {@code shardName} (of id
     * {@code shardId}), referencing the shard table {@code referenced}. It is added NOT VALID:
     * callers copy rows the constraint already held for, and a check of every row would only
     * lengthen the write block; new writes are checked all the same.
     */
    public String onShard(TableName shardName, long shardId, TableName referenced) {
      String onShard = definition.replaceFirst("REFERENCES .*?\\(",
          java.util.regex.Matcher.quoteReplacement("REFERENCES " + referenced.quoted() + "("));
      return "ALTER TABLE " + shardName.quoted() + " ADD CONSTRAINT "
          + SqlQuoting.identifier(name + "_" + shardId) + " " + onShard
          + (onShard.endsWith(" NOT VALID") ? "" : " NOT VALID");
    }
  }

  /**
   * Returns the statements that give shard {@code shardName} of {@code relationId} its
   * table's foreign keys, each referencing the shard {@code referencedShard} names for the
   * referenced table's OID (a co-located shard on the same node; null if there is none, which
   * is refused with 0A000), or the one shard of a referenced reference table, whose current
   * copy on {@code node}, the shard's, it references; see {@link ForeignKey#onShard}.
   */
  public static List<String> foreignKeys(Connection coordinator, long relationId,
      TableName shardName, long shardId, NodeAddress node,
      LongFunction<TableName> referencedShard) throws SQLException {
    List<String> statements = new ArrayList<>();
    for (ForeignKey each : foreignKeys(coordinator, "conrelid", relationId)) {
      TableName referenced = referencedShard.apply(each.referencedId());
      if (referenced == null) {
        referenced = referenceShard(coordinator, each.referencedId(), node);
      }
      if (referenced == null) {
        throw new OperationException("0A000", "cannot place foreign key \"" + each.name()
            + "\" on shard " + shardId, "The table it references has no co-located shard"
            + " there.", null);
      }
      statements.add(each.onShard(shardName, shardId, referenced));
    }
    return statements;
  }

  /**
   * Returns the name of reference table {@code relationId}'s shard; null if it is none.
   *
   * @throws OperationException 55000 if {@code node} has no current copy of it, which a key
   *     could not reference without missing its writes
   */
  private static TableName referenceShard(Connection coordinator, long relationId,
      NodeAddress node) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT n.nspname, c.relname,"
        + " s.id, EXISTS (SELECT 1 FROM pgs_distribution_metadata.shard_placement pl"
        + "  WHERE pl.shard_id = s.id AND pl.node_name = ? AND pl.node_port = ?"
        + "  AND pl.shard_state = " + PlacementState.FINALIZED.code() + ")"
        + " FROM pgs_distribution_metadata.partition p"
        + " JOIN pgs_distribution_metadata.shard s ON s.relation_id = p.relation_id"
        + " JOIN pg_catalog.pg_class c ON c.oid = p.relation_id"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE p.relation_id = ?::oid AND p.partition_method = 'n'")) {
      ps.setString(1, node.host());
      ps.setInt(2, node.port());
      ps.setLong(3, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        if (!rs.getBoolean(4)) {
          throw new OperationException("55000", "reference table \"" + rs.getString(2)
              + "\" has no current copy on " + node, "A foreign key to it from a table on"
              + " that node needs one.", "Repair its copy there with"
              + " master_copy_shard_placement first.");
        }
        return new TableName(rs.getString(1), rs.getString(2)).shardName(rs.getLong(3));
      }
    }
  }

  /** Returns the foreign keys of other tables that reference {@code relationId}. */
  public static List<ForeignKey> foreignKeysTo(Connection coordinator, long relationId)
      throws SQLException {
    return foreignKeys(coordinator, "confrelid", relationId).stream()
        .filter(each -> each.relationId() != relationId).toList();
  }

  private static List<ForeignKey> foreignKeys(Connection coordinator, String column,
      long relationId) throws SQLException {
    List<ForeignKey> keys = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT conrelid::bigint, conname,"
        + " pg_get_constraintdef(oid), confrelid::bigint FROM pg_constraint"
        + " WHERE " + column + " = ?::oid AND contype = 'f' ORDER BY oid")) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(new ForeignKey(rs.getLong(1), rs.getString(2), rs.getString(3),
              rs.getLong(4)));
        }
      }
    }
    return keys;
  }

  /**
   * Returns {@code pg_get_indexdef} of the indexes of {@code relationId} that do not back a
   * constraint, leaving out the index OIDs in {@code except}.
   */
  public static List<String> indexDefinitions(Connection coordinator, long relationId,
      List<Long> except) throws SQLException {
    return indexDefinitions(coordinator, relationId, except, false);
  }

  /** As above; if {@code ownOnly}, without the indexes a partition has from its parent. */
  private static List<String> indexDefinitions(Connection coordinator, long relationId,
      List<Long> except, boolean ownOnly) throws SQLException {
    List<String> definitions = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT i.indexrelid::bigint, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            + " WHERE i.indrelid = ?::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            + " WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"
            + (ownOnly ? " AND NOT EXISTS (SELECT 1 FROM pg_inherits h"
                + " WHERE h.inhrelid = i.indexrelid)" : "")
            + " ORDER BY i.indexrelid")) {
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
