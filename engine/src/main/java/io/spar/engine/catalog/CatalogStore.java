package io.spar.engine.catalog;

import io.spar.engine.hashing.PartitionType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the distribution metadata tables in the coordinator database.
 *
 * <p>Every method works on a connection the caller supplies, so that metadata changes commit
 * in the caller's transaction together with whatever else that transaction does.
 */
public final class CatalogStore {
  private static final String SCHEMA = "pgs_distribution_metadata";
  private static final String PARTITION = new TableName(SCHEMA, "partition").quoted();
  private static final String SHARD = new TableName(SCHEMA, "shard").quoted();
  private static final String PLACEMENT = new TableName(SCHEMA, "shard_placement").quoted();
  private static final String NODE = new TableName(SCHEMA, "node").quoted();
  /** Views that read distributed tables: rewrite-rule dependencies, closed over views. */
  private static final String VIEWS_SQL = "WITH RECURSIVE reads AS ("
      + " SELECT DISTINCT r.ev_class AS view, d.refobjid AS relation"
      + " FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d"
      + " ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid"
      + " AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
      + " WHERE d.refobjid <> r.ev_class),"
      + " distributed_views AS ("
      + " SELECT view FROM reads WHERE relation IN"
      + " (SELECT relation_id::pg_catalog.oid FROM " + PARTITION + ")"
      + " UNION SELECT reads.view FROM reads JOIN distributed_views d ON reads.relation = d.view)"
      + " SELECT n.nspname, c.relname, pg_catalog.pg_get_viewdef(c.oid), c.relkind = 'm'"
      + " FROM distributed_views v JOIN pg_catalog.pg_class c ON c.oid = v.view"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE c.relkind IN ('v', 'm')";

  private CatalogStore() {
  }

  /** Loads a snapshot of all distributed tables, shards, placements and nodes. */
  public static CatalogSnapshot load(Connection coordinator) throws SQLException {
    Map<Long, List<ShardPlacement>> placements = loadPlacements(coordinator);
    Map<Long, List<Shard>> shardsByRelation = new HashMap<>();
    Map<Long, TableName> names = new HashMap<>();
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT s.id, s.relation_id::oid, n.nspname, c.relname, s.min_value, s.max_value"
                + " FROM " + SHARD + " s JOIN pg_class c ON c.oid = s.relation_id"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace")) {
      while (rs.next()) {
        long relationId = rs.getLong(2);
        TableName table = new TableName(rs.getString(3), rs.getString(4));
        names.put(relationId, table);
        shardsByRelation.computeIfAbsent(relationId, k -> new ArrayList<>()).add(new Shard(
            rs.getLong(1), table, rs.getString(5), rs.getString(6),
            placements.getOrDefault(rs.getLong(1), List.of())));
      }
    }
    Map<TableName, DistributedTable> tables = loadTables(coordinator, shardsByRelation);
    List<NodeAddress> drained = new ArrayList<>();
    List<NodeAddress> nodes = loadNodes(coordinator, drained);
    return new CatalogSnapshot(tables, loadViews(coordinator), nodes, drained);
  }

  /**
   * Returns {@code snapshot} with the placements of the tables {@code relationIds} read anew,
   * after a change that touched only their placements.
   */
  public static CatalogSnapshot reloadPlacements(Connection coordinator,
      CatalogSnapshot snapshot, Set<Long> relationIds) throws SQLException {
    return snapshot.withPlacements(relationIds, placementsOf(coordinator, relationIds));
  }

  /** Returns the placements of the shards of the tables {@code relationIds}, by shard id. */
  public static Map<Long, List<ShardPlacement>> placementsOf(Connection coordinator,
      Set<Long> relationIds) throws SQLException {
    Map<Long, List<ShardPlacement>> placements = new HashMap<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT p.id, p.shard_id,"
        + " p.shard_state, p.node_name, p.node_port FROM " + PLACEMENT + " p JOIN " + SHARD
        + " s ON s.id = p.shard_id WHERE s.relation_id::oid::bigint = ANY (?) ORDER BY p.id")) {
      ps.setArray(1, coordinator.createArrayOf("bigint", relationIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          add(placements, rs);
        }
      }
    }
    return placements;
  }

  private static void add(Map<Long, List<ShardPlacement>> placements, ResultSet rs)
      throws SQLException {
    ShardPlacement placement = new ShardPlacement(rs.getLong(1), rs.getLong(2),
        PlacementState.of(rs.getInt(3)), new NodeAddress(rs.getString(4), rs.getInt(5)));
    placements.computeIfAbsent(placement.shardId(), k -> new ArrayList<>()).add(placement);
  }

  private static Map<TableName, DistributedTable> loadTables(
      Connection coordinator, Map<Long, List<Shard>> shardsByRelation) throws SQLException {
    Map<TableName, DistributedTable> tables = new HashMap<>();
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT p.relation_id::oid, n.nspname, c.relname, p.partition_method, p.key,"
                + " bt.typname, coalesce(p.colocation_id, 0) FROM " + PARTITION + " p"
                + " JOIN pg_class c ON c.oid = p.relation_id"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = p.key"
                + " LEFT JOIN pg_type t ON t.oid = a.atttypid"
                + " LEFT JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd'"
                + " THEN t.typbasetype ELSE t.oid END")) {
      while (rs.next()) {
        long relationId = rs.getLong(1);
        TableName name = new TableName(rs.getString(2), rs.getString(3));
        // A reference table has no partition column, so no type.
        PartitionType type = rs.getString(5) == null ? null
            : PartitionType.forTypeName(rs.getString(6)).orElseThrow(() ->
                new IllegalStateException("unsupported partition column type for " + name));
        tables.put(name, new DistributedTable(relationId, name,
            DistributionMethod.ofCode(rs.getString(4).charAt(0)), rs.getString(5), type,
            rs.getLong(7), shardsByRelation.getOrDefault(relationId, List.of())));
      }
    }
    return tables;
  }

  /**
   * Loads the views that read distributed tables, through any depth of other views, from the
   * dependencies of their rewrite rules.
   */
  private static Map<TableName, DistributedView> loadViews(Connection coordinator)
      throws SQLException {
    Map<TableName, DistributedView> views = new HashMap<>();
    boolean autoCommit = coordinator.getAutoCommit();
    String searchPath;
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT current_setting('search_path')")) {
      rs.next();
      searchPath = rs.getString(1);
    }
    coordinator.setAutoCommit(false);
    try (Statement statement = coordinator.createStatement()) {
      // With an empty search path, pg_get_viewdef qualifies every name outside pg_catalog, so
      // the definition means the same in any session.
      statement.execute("SELECT set_config('search_path', '', true)");
      try (ResultSet rs = statement.executeQuery(VIEWS_SQL)) {
        while (rs.next()) {
          TableName name = new TableName(rs.getString(1), rs.getString(2));
          String definition = rs.getString(3).strip();
          if (definition.endsWith(";")) {
            definition = definition.substring(0, definition.length() - 1);
          }
          views.put(name, new DistributedView(name, definition, rs.getBoolean(4)));
        }
      }
    } finally {
      if (autoCommit) {
        coordinator.rollback();
        coordinator.setAutoCommit(true);
      } else {
        try (PreparedStatement restore =
            coordinator.prepareStatement("SELECT set_config('search_path', ?, true)")) {
          restore.setString(1, searchPath);
          restore.execute();
        }
      }
    }
    return views;
  }

  private static Map<Long, List<ShardPlacement>> loadPlacements(Connection coordinator)
      throws SQLException {
    Map<Long, List<ShardPlacement>> placements = new HashMap<>();
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT id, shard_id, shard_state, node_name, node_port FROM " + PLACEMENT
                + " ORDER BY id")) {
      while (rs.next()) {
        add(placements, rs);
      }
    }
    return placements;
  }

  /** Returns the registered nodes, adding those that get no new shards to {@code drained}. */
  private static List<NodeAddress> loadNodes(Connection coordinator, List<NodeAddress> drained)
      throws SQLException {
    List<NodeAddress> nodes = new ArrayList<>();
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT node_name, node_port, should_have_shards FROM " + NODE)) {
      while (rs.next()) {
        NodeAddress node = new NodeAddress(rs.getString(1), rs.getInt(2));
        nodes.add(node);
        if (!rs.getBoolean(3)) {
          drained.add(node);
        }
      }
    }
    return nodes;
  }

  /** Sets whether new shards, and rebalanced ones, may be placed on {@code node}. */
  public static void setShouldHaveShards(Connection coordinator, NodeAddress node,
      boolean shouldHaveShards) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("UPDATE " + NODE
        + " SET should_have_shards = ? WHERE node_name = ? AND node_port = ?")) {
      ps.setBoolean(1, shouldHaveShards);
      ps.setString(2, node.host());
      ps.setInt(3, node.port());
      ps.executeUpdate();
    }
  }

  /**
   * Returns every node the catalog names: the registered ones and any that holds a placement,
   * in whatever state, read now rather than from a cached snapshot.
   */
  public static List<NodeAddress> namedNodes(Connection coordinator) throws SQLException {
    List<NodeAddress> nodes = new ArrayList<>();
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT node_name, node_port FROM " + NODE
            + " UNION SELECT node_name, node_port FROM " + PLACEMENT)) {
      while (rs.next()) {
        nodes.add(new NodeAddress(rs.getString(1), rs.getInt(2)));
      }
    }
    return nodes;
  }

  /**
   * Registers a worker node, or lets a drained one have shards again; returns false if it was
   * registered and had them already.
   */
  public static boolean addNode(Connection coordinator, NodeAddress node) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("INSERT INTO " + NODE
        + " (node_name, node_port) VALUES (?, ?) ON CONFLICT (node_name, node_port) DO UPDATE"
        + " SET should_have_shards = true WHERE NOT " + NODE + ".should_have_shards")) {
      ps.setString(1, node.host());
      ps.setInt(2, node.port());
      return ps.executeUpdate() == 1;
    }
  }

  /** Returns how many shard placements, in any state, are on {@code node}. */
  public static long placementsOn(Connection coordinator, NodeAddress node)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT count(*) FROM " + PLACEMENT
        + " WHERE node_name = ? AND node_port = ?")) {
      ps.setString(1, node.host());
      ps.setInt(2, node.port());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Unregisters a worker node; returns false if it was not registered. */
  public static boolean removeNode(Connection coordinator, NodeAddress node) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("DELETE FROM " + NODE
        + " WHERE node_name = ? AND node_port = ?")) {
      ps.setString(1, node.host());
      ps.setInt(2, node.port());
      return ps.executeUpdate() == 1;
    }
  }

  /** Records that relation {@code relationId} is distributed by {@code key}. */
  public static void insertPartition(Connection coordinator, long relationId,
      DistributionMethod method, String key) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("INSERT INTO " + PARTITION
        + " (relation_id, partition_method, key) VALUES (?::oid, ?::\"char\", ?)")) {
      ps.setLong(1, relationId);
      ps.setString(2, String.valueOf(method.code()));
      ps.setString(3, key);
      ps.executeUpdate();
    }
  }

  /**
   * Returns whether the coordinator's table {@code table} holds rows of its own (not counting
   * inheritance children): for a distributed table, rows it held before it had shards.
   */
  public static boolean shellHasRows(Connection coordinator, TableName table)
      throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT EXISTS (SELECT 1 FROM ONLY " + table.quoted() + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Makes {@code table}'s coordinator table refuse writes that do not come through Spar's
   * routing (see the guard trigger in {@link CatalogMigrations}).
   */
  public static void guardShell(Connection coordinator, TableName table) throws SQLException {
    try (Statement statement = coordinator.createStatement()) {
      statement.execute("CREATE TRIGGER spar_shell_guard BEFORE INSERT OR UPDATE OR DELETE"
          + " OR TRUNCATE ON " + table.quoted() + " FOR EACH STATEMENT"
          + " EXECUTE FUNCTION " + SCHEMA + ".refuse_shell_write()");
    }
  }

  /** Inserts a shard of relation {@code relationId} and returns its new id. */
  public static long insertShard(Connection coordinator, long relationId, String minValue,
      String maxValue) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("INSERT INTO " + SHARD
        + " (relation_id, min_value, max_value) VALUES (?::oid, ?, ?) RETURNING id")) {
      ps.setLong(1, relationId);
      ps.setString(2, minValue);
      ps.setString(3, maxValue);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Sets the interval of shard {@code shardId} (the text of its distribution values). */
  public static void updateShardBounds(Connection coordinator, long shardId, String minValue,
      String maxValue) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("UPDATE " + SHARD
        + " SET min_value = ?, max_value = ? WHERE id = ?")) {
      ps.setString(1, minValue);
      ps.setString(2, maxValue);
      ps.setLong(3, shardId);
      ps.executeUpdate();
    }
  }

  /** Inserts a placement of shard {@code shardId} on {@code node} and returns its new id. */
  public static long insertPlacement(Connection coordinator, long shardId, PlacementState state,
      NodeAddress node) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("INSERT INTO " + PLACEMENT
        + " (shard_id, shard_state, node_name, node_port) VALUES (?, ?, ?, ?)"
        + " RETURNING id")) {
      ps.setLong(1, shardId);
      ps.setInt(2, state.code());
      ps.setString(3, node.host());
      ps.setInt(4, node.port());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Deletes placement {@code placementId}; returns whether it existed. */
  public static boolean deletePlacement(Connection coordinator, long placementId)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "DELETE FROM " + PLACEMENT + " WHERE id = ?")) {
      ps.setLong(1, placementId);
      return ps.executeUpdate() == 1;
    }
  }

  /** Sets the state of placement {@code placementId}. */
  public static void updatePlacementState(Connection coordinator, long placementId,
      PlacementState state) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "UPDATE " + PLACEMENT + " SET shard_state = ? WHERE id = ?")) {
      ps.setInt(1, state.code());
      ps.setLong(2, placementId);
      ps.executeUpdate();
    }
  }

  /** Returns the current state of each placement of shard {@code shardId}, by placement id. */
  public static Map<Long, PlacementState> placementStates(Connection coordinator, long shardId)
      throws SQLException {
    Map<Long, PlacementState> states = new HashMap<>();
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT id, shard_state FROM " + PLACEMENT + " WHERE shard_id = ?")) {
      ps.setLong(1, shardId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          states.put(rs.getLong(1), PlacementState.of(rs.getInt(2)));
        }
      }
    }
    return states;
  }

  /** Records that the partition column of relation {@code relationId} is now {@code column}. */
  public static void renamePartitionColumn(Connection coordinator, long relationId,
      String column) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "UPDATE " + PARTITION + " SET key = ? WHERE relation_id = ?::oid")) {
      ps.setString(1, column);
      ps.setLong(2, relationId);
      ps.executeUpdate();
    }
  }

  /** Puts relation {@code relationId} in co-location group {@code colocationId}. */
  public static void setColocationId(Connection coordinator, long relationId, long colocationId)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "UPDATE " + PARTITION + " SET colocation_id = ? WHERE relation_id = ?::oid")) {
      ps.setLong(1, colocationId);
      ps.setLong(2, relationId);
      ps.executeUpdate();
    }
  }

  /**
   * Returns a new co-location group id: positive for a group that later tables of the same
   * layout join by default, negative for one started by {@code colocate_with => 'none'}.
   */
  public static long newColocationId(Connection coordinator, boolean joinedByDefault)
      throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT nextval('" + SCHEMA
            + ".colocation_id_sequence')")) {
      rs.next();
      return joinedByDefault ? rs.getLong(1) : -rs.getLong(1);
    }
  }

  /** Removes all metadata of relation {@code relationId}: partition, shards and placements. */
  public static void deleteTable(Connection coordinator, long relationId) throws SQLException {
    try (PreparedStatement shards = coordinator.prepareStatement(
            "DELETE FROM " + SHARD + " WHERE relation_id = ?::oid");
        PreparedStatement partition = coordinator.prepareStatement(
            "DELETE FROM " + PARTITION + " WHERE relation_id = ?::oid")) {
      shards.setLong(1, relationId);
      shards.executeUpdate();
      partition.setLong(1, relationId);
      partition.executeUpdate();
    }
  }
}
