package io.spar.commands;

import io.spar.commands.DdlEvents.Event;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.catalog.TenantSchemas;
import io.spar.engine.catalog.TenantSchemas.TenantSchema;
import io.spar.engine.operations.Relations;
import io.spar.engine.operations.ShardDdl;
import io.spar.outcome.SparErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Schema-based sharding, as DDL drives it: with {@code spar.enable_schema_based_sharding} on,
 * {@code CREATE SCHEMA} makes a distributed schema, placed whole on the least loaded worker,
 * and every table then created in it becomes a single-shard table of the schema's co-location
 * group, its shard created on that node in the statement's distributed transaction. Statements
 * on one schema's tables then route to that node as co-located shards do.
 *
 * <p>Checks run before any worker changes ({@link #check}), so that a refusal leaves nothing
 * behind: a table may not move into or out of a distributed schema, and a distributed schema
 * holds plain tables only.
 */
final class DistributedSchemas {
  /** The setting that makes {@code CREATE SCHEMA} distribute the schema. */
  static final String SETTING = "spar.enable_schema_based_sharding";
  private static final Set<String> ON = Set.of("on", "true", "yes", "1");

  private DistributedSchemas() {
  }

  /**
   * Refuses what the statement did to tables of distributed schemas that Spar cannot keep: a
   * table moved into or out of one. (What a table made in one must not be is checked as it is
   * made, since the statement may have made the schema too.)
   */
  static void check(Connection shell, List<Event> events, CatalogSnapshot catalog)
      throws SQLException {
    Set<Long> created = new HashSet<>();
    for (Event each : events) {
      if (!each.dropped() && each.tag().equals("CREATE TABLE")) {
        created.add(each.oid());
      }
    }
    for (Event each : events) {
      if (each.dropped() || !each.type().equals("table")) {
        continue;
      }
      Optional<DistributedTable> table = catalog.table(each.oid());
      Relation relation = relation(shell, each.oid());
      Optional<TenantSchema> schema = TenantSchemas.find(shell, relation.schemaId());
      boolean inTenantSchema = schema.isPresent();
      boolean wasSingleShard = table.isPresent() && table.get().isSingleShard();
      if (wasSingleShard && (!inTenantSchema
          || schema.get().colocationId() != table.get().colocationId())
          || !wasSingleShard && inTenantSchema && table.isPresent()
          || inTenantSchema && table.isEmpty() && !created.contains(each.oid())) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot move table \""
            + relation.name().name() + "\" into or out of a distributed schema", "The tables"
            + " of a distributed schema live on its node; others are sharded or local.", null);
      }
    }
  }

  /**
   * Refuses to make {@code relation} a table of a distributed schema if its one shard could
   * not hold what PostgreSQL keeps in it: a partitioned table, a partition or an inheritance
   * child or parent (rows would pass between it and other tables on the coordinator), or a
   * table that already has rows there (made and filled by the same statement).
   */
  private static void requireDistributable(Connection shell, Relation relation)
      throws SQLException {
    if (relation.kind() != 'r') {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot create "
          + (relation.kind() == 'p' ? "a partitioned table" : "this kind of table")
          + " \"" + relation.name().name() + "\" in a distributed schema");
    }
    if (!Relations.inheritanceLinks(shell, relation.oid()).isEmpty()) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot create table \""
          + relation.name().name() + "\" as a partition or inheritance child or parent in a"
          + " distributed schema");
    }
    if (CatalogStore.shellHasRows(shell, relation.name())) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot create table \""
          + relation.name().name() + "\" with rows in a distributed schema", null,
          "Create the table, then fill it with INSERT … SELECT.");
    }
  }

  /**
   * Carries out, on the coordinator's catalog and the workers, what the statement did to
   * distributed schemas: records each schema it created with the setting on, forgets each it
   * dropped, and makes each table it created in one a single-shard table on the schema's node.
   *
   * @param byDefault whether schemas are distributed while the session has not set
   *     {@link #SETTING}
   * @return whether the catalog of distributed tables changed
   */
  static boolean carryOut(Connection shell, List<Event> events, CatalogSnapshot catalog,
      ShardChanges changes, boolean byDefault) throws SQLException {
    boolean changed = false;
    for (Event each : events) {
      if (each.dropped() && each.type().equals("schema")) {
        TenantSchemas.delete(shell, each.oid());
      } else if (!each.dropped() && each.tag().equals("CREATE SCHEMA")
          && each.type().equals("schema") && enabled(shell, byDefault)) {
        NodeAddress node = TenantSchemas.leastLoaded(shell, changes::databaseBytes)
            .orElseThrow(() -> SparErrors.error(
            "55000", "cannot create distributed schema " + each.identity() + ": there are no"
            + " worker nodes", null, "Add a worker with master_add_node first."));
        TenantSchemas.insert(shell, each.oid(), node);
      }
    }
    for (Event each : events) {
      if (!each.dropped() && each.tag().equals("CREATE TABLE") && each.type().equals("table")
          && catalog.table(each.oid()).isEmpty()) {
        Relation relation = relation(shell, each.oid());
        TenantSchemas.lock(shell, relation.schemaId(), false);
        Optional<TenantSchema> schema = TenantSchemas.find(shell, relation.schemaId());
        if (schema.isPresent()) {
          distribute(shell, relation, schema.get(), changes);
          changed = true;
        }
      }
    }
    return changed;
  }

  /**
   * Returns whether the session's setting, or {@code byDefault} while it has none, makes
   * {@code CREATE SCHEMA} distribute schemas.
   */
  private static boolean enabled(Connection shell, boolean byDefault) throws SQLException {
    try (PreparedStatement ps = shell.prepareStatement(
        "SELECT pg_catalog.current_setting(?, true)")) {
      ps.setString(1, SETTING);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String value = rs.getString(1);
        return value == null || value.isEmpty() ? byDefault
            : ON.contains(value.trim().toLowerCase(java.util.Locale.ROOT));
      }
    }
  }

  /** Makes {@code relation} a single-shard table of {@code schema}, with its shard on its node. */
  private static void distribute(Connection shell, Relation relation, TenantSchema schema,
      ShardChanges changes) throws SQLException {
    requireDistributable(shell, relation);
    CatalogStore.insertPartition(shell, relation.oid(), DistributionMethod.SINGLE, null);
    CatalogStore.setColocationId(shell, relation.oid(), schema.colocationId());
    CatalogStore.guardShell(shell, relation.name());
    long shardId = CatalogStore.insertShard(shell, relation.oid(), null, null);
    long placementId = CatalogStore.insertPlacement(shell, shardId, PlacementState.FINALIZED,
        schema.node());
    ShardPlacement placement = new ShardPlacement(placementId, shardId,
        PlacementState.FINALIZED, schema.node());
    Shard shard = new Shard(shardId, relation.name(), null, null, List.of(placement));
    TableName shardName = relation.name().shardName(shardId);
    List<String> ddl = new ArrayList<>();
    ddl.add(ShardDdl.createSchema(shardName));
    ddl.addAll(ShardDdl.createShard(shell, relation.oid(), shardName, shardId, false));
    // Keys reference the schema's other tables, whose shards are on the same node.
    ddl.addAll(ShardDdl.foreignKeys(shell, relation.oid(), shardName, shardId, schema.node(),
        shardsOfGroup(shell, schema.colocationId())::get));
    for (String each : ddl) {
      changes.run(placement, shard, each);
    }
  }

  /** Returns the shard name of each table of co-location group {@code group}, by OID. */
  private static Map<Long, TableName> shardsOfGroup(Connection shell, long group)
      throws SQLException {
    Map<Long, TableName> shards = new HashMap<>();
    try (PreparedStatement ps = shell.prepareStatement("SELECT s.relation_id::bigint,"
        + " n.nspname, c.relname, s.id FROM pgs_distribution_metadata.shard s"
        + " JOIN pgs_distribution_metadata.partition p ON p.relation_id = s.relation_id"
        + " JOIN pg_catalog.pg_class c ON c.oid = s.relation_id"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE p.partition_method = 's' AND p.colocation_id = ?")) {
      ps.setLong(1, group);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          shards.put(rs.getLong(1),
              new TableName(rs.getString(2), rs.getString(3)).shardName(rs.getLong(4)));
        }
      }
    }
    return shards;
  }

  /** A coordinator relation: its OID, name, schema and kind ({@code pg_class.relkind}). */
  private record Relation(long oid, TableName name, long schemaId, char kind) {
  }

  private static Relation relation(Connection shell, long oid) throws SQLException {
    try (PreparedStatement ps = shell.prepareStatement("SELECT n.nspname, c.relname,"
        + " c.relnamespace::bigint, c.relkind FROM pg_catalog.pg_class c"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ?::oid")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("relation " + oid + " vanished", "XX000");
        }
        return new Relation(oid, new TableName(rs.getString(1), rs.getString(2)), rs.getLong(3),
            rs.getString(4).charAt(0));
      }
    }
  }
}
