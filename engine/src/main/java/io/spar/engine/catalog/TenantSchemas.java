package io.spar.engine.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The distributed schemas of schema-based sharding, as {@code pgs_distribution_metadata}
 * records them: each lives whole on one worker, its tables single-shard tables
 * ({@link DistributionMethod#SINGLE}) in a co-location group of its own, so that every
 * statement on one schema's tables runs on that node.
 */
public final class TenantSchemas {
  private static final String TENANT_SCHEMA = "pgs_distribution_metadata.tenant_schema";
  /**
   * Every distributed schema with the node its tables are on: where they are placed now (a
   * shard move may have taken them elsewhere since), or the recorded one if it has none.
   */
  private static final String PLACED = "WITH placed AS (SELECT t.schema_id, t.colocation_id,"
      + " coalesce(p.node_name, t.node_name) AS node_name,"
      + " coalesce(p.node_port, t.node_port) AS node_port"
      + " FROM " + TENANT_SCHEMA + " t LEFT JOIN LATERAL (SELECT pl.node_name, pl.node_port"
      + "  FROM pgs_distribution_metadata.partition pa"
      + "  JOIN pgs_distribution_metadata.shard s ON s.relation_id = pa.relation_id"
      + "  JOIN pgs_distribution_metadata.shard_placement pl ON pl.shard_id = s.id"
      + "  WHERE pa.colocation_id = t.colocation_id AND pl.shard_state = "
      + PlacementState.FINALIZED.code() + " ORDER BY s.id LIMIT 1) p ON true)";

  private TenantSchemas() {
  }

  /**
   * A distributed schema.
   *
   * @param schemaId the schema's OID on the coordinator
   * @param colocationId the co-location group of its tables
   * @param node the worker its tables are on: where they are placed now, or the node chosen
   *     for it if it has none yet
   */
  public record TenantSchema(long schemaId, long colocationId, NodeAddress node) {
  }

  /** Returns the distributed schema of OID {@code schemaId}, if it is one. */
  public static Optional<TenantSchema> find(Connection coordinator, long schemaId)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(PLACED
        + " SELECT colocation_id, node_name, node_port FROM placed WHERE schema_id = ?::oid")) {
      ps.setLong(1, schemaId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new TenantSchema(schemaId, rs.getLong(1),
            new NodeAddress(rs.getString(2), rs.getInt(3)))) : Optional.empty();
      }
    }
  }

  /**
   * A distributed schema with its name.
   *
   * @param name the schema's name
   * @param schema the schema
   */
  public record Placed(String name, TenantSchema schema) {
  }

  /** Returns every distributed schema, by name. */
  public static List<Placed> all(Connection coordinator) throws SQLException {
    List<Placed> schemas = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(PLACED
        + " SELECT n.nspname, p.schema_id, p.colocation_id, p.node_name, p.node_port"
        + " FROM placed p JOIN pg_catalog.pg_namespace n ON n.oid = p.schema_id"
        + " ORDER BY n.nspname");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        schemas.add(new Placed(rs.getString(1), new TenantSchema(rs.getLong(2), rs.getLong(3),
            new NodeAddress(rs.getString(4), rs.getInt(5)))));
      }
    }
    return schemas;
  }

  /** The bytes of a worker's database, asked of the workers tied on their schemas. */
  @FunctionalInterface
  public interface NodeBytes {
    /** Returns the bytes of {@code node}'s database. */
    long of(NodeAddress node) throws SQLException;
  }

  /** Returns the bytes of the database of {@code node}, a connection to a worker. */
  public static long databaseBytes(Connection node) throws SQLException {
    try (PreparedStatement ps = node.prepareStatement(
        "SELECT pg_catalog.pg_database_size(pg_catalog.current_database())");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Returns the worker a new distributed schema goes to: the one that holds the fewest
   * distributed schemas, then the fewest bytes, among workers that take shards, preferring
   * those with a current copy of every reference table. Locks the schemas' catalog until the
   * transaction ends.
   */
  public static Optional<NodeAddress> leastLoaded(Connection coordinator, NodeBytes bytes)
      throws SQLException {
    try (PreparedStatement lock = coordinator.prepareStatement("LOCK TABLE " + TENANT_SCHEMA
        + " IN SHARE ROW EXCLUSIVE MODE")) {
      // Schemas made at once are placed one after the other, each seeing the others.
      lock.execute();
    }
    List<NodeAddress> fewest = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement(PLACED
        + " SELECT n.node_name, n.node_port, (SELECT count(*) FROM placed t"
        + "  WHERE t.node_name = n.node_name AND t.node_port = n.node_port) AS schemas,"
        // Whether it lacks a current copy of a reference table, which a schema's foreign
        // keys could not reference there (a worker being added, or one whose copy fell
        // behind): such workers come last.
        + " EXISTS (SELECT 1 FROM pgs_distribution_metadata.partition p"
        + "  JOIN pgs_distribution_metadata.shard s ON s.relation_id = p.relation_id"
        + "  WHERE p.partition_method = 'n' AND NOT EXISTS (SELECT 1"
        + "  FROM pgs_distribution_metadata.shard_placement pl WHERE pl.shard_id = s.id"
        + "  AND pl.node_name = n.node_name AND pl.node_port = n.node_port"
        + "  AND pl.shard_state = " + PlacementState.FINALIZED.code() + ")) AS lacking"
        + " FROM pgs_distribution_metadata.node n WHERE n.should_have_shards"
        + " ORDER BY lacking, schemas, n.node_name, n.node_port");
        ResultSet rs = ps.executeQuery()) {
      boolean first = true;
      boolean lacking = false;
      long least = 0;
      while (rs.next() && (first || rs.getBoolean(4) == lacking && rs.getLong(3) == least)) {
        first = false;
        lacking = rs.getBoolean(4);
        least = rs.getLong(3);
        fewest.add(new NodeAddress(rs.getString(1), rs.getInt(2)));
      }
    }
    if (fewest.size() < 2) {
      return fewest.stream().findFirst();
    }
    NodeAddress chosen = null;
    long chosenBytes = Long.MAX_VALUE;
    for (NodeAddress each : fewest) {
      long size;
      try {
        size = bytes.of(each);
      } catch (SQLException e) {
        // A worker that cannot answer now is not the one to place a schema on.
        size = Long.MAX_VALUE - 1;
      }
      if (size < chosenBytes) {
        chosen = each;
        chosenBytes = size;
      }
    }
    return Optional.of(chosen);
  }

  /** Records schema {@code schemaId} as distributed, on {@code node}, in a new group. */
  public static TenantSchema insert(Connection coordinator, long schemaId, NodeAddress node)
      throws SQLException {
    long group = CatalogStore.newColocationId(coordinator, false);
    try (PreparedStatement ps = coordinator.prepareStatement("INSERT INTO " + TENANT_SCHEMA
        + " (schema_id, colocation_id, node_name, node_port) VALUES (?::oid, ?, ?, ?)")) {
      ps.setLong(1, schemaId);
      ps.setLong(2, group);
      ps.setString(3, node.host());
      ps.setInt(4, node.port());
      ps.executeUpdate();
    }
    return new TenantSchema(schemaId, group, node);
  }

  /**
   * Locks the record of schema {@code schemaId} until the transaction ends: exclusively for a
   * move of the schema, shared for a table made in it, which must be placed where the schema
   * is once a concurrent move committed, not where it was.
   */
  public static void lock(Connection coordinator, long schemaId, boolean exclusive)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT 1 FROM " + TENANT_SCHEMA
        + " WHERE schema_id = ?::oid FOR " + (exclusive ? "UPDATE" : "SHARE"))) {
      ps.setLong(1, schemaId);
      ps.executeQuery().close();
    }
  }

  /**
   * Locks, as {@link #lock} does for a move, the distributed schema whose table shard
   * {@code shardId} belongs to, if it is one.
   */
  public static void lockForMove(Connection coordinator, long shardId) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT 1 FROM " + TENANT_SCHEMA
        + " t JOIN pg_catalog.pg_class c ON c.relnamespace = t.schema_id"
        + " JOIN pgs_distribution_metadata.shard s ON s.relation_id = c.oid"
        + " WHERE s.id = ? FOR UPDATE OF t")) {
      ps.setLong(1, shardId);
      ps.executeQuery().close();
    }
  }

  /** Records that schema {@code schemaId} now lives on {@code node}. */
  public static void setNode(Connection coordinator, long schemaId, NodeAddress node)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("UPDATE " + TENANT_SCHEMA
        + " SET node_name = ?, node_port = ? WHERE schema_id = ?::oid")) {
      ps.setString(1, node.host());
      ps.setInt(2, node.port());
      ps.setLong(3, schemaId);
      ps.executeUpdate();
    }
  }

  /** Forgets schema {@code schemaId}, once dropped. */
  public static void delete(Connection coordinator, long schemaId) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "DELETE FROM " + TENANT_SCHEMA + " WHERE schema_id = ?::oid")) {
      ps.setLong(1, schemaId);
      ps.executeUpdate();
    }
  }
}
