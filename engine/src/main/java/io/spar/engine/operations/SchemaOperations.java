package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.catalog.TenantSchemas;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.operations.Relations.Relation;
import io.spar.engine.transactions.DistributedTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL API of schema-based sharding: {@code spar_schema_distribute},
 * {@code spar_schema_undistribute}, {@code spar_schema_move} and {@code spar_schemas()}. A
 * distributed schema's tables are single-shard tables of one co-location group
 * ({@link TenantSchemas}), so a move of one of them, which takes its co-located shards along,
 * moves the schema; the DDL that makes schemas and their tables is in Spar's commands.
 */
final class SchemaOperations {
  private final NodePools pools;
  private final MetadataCache metadata;
  private final StatementLog log;
  private final DistributionOperations shards;

  SchemaOperations(NodePools pools, MetadataCache metadata, StatementLog log,
      DistributionOperations shards) {
    this.pools = pools;
    this.metadata = metadata;
    this.log = log;
    this.shards = shards;
  }

  /**
   * Makes existing schema {@code schemaName} a distributed schema ({@code
   * spar_schema_distribute}): it is placed on the least loaded worker and each of its tables
   * becomes a single-shard table there, with its rows and then the keys between them, in one
   * coordinator transaction whose commit makes it all visible. Writes to the tables wait for
   * it, and are then routed to the node.
   *
   * @throws OperationException 0A000 for {@code public} and system schemas, and for a schema
   *     whose tables are already distributed, partitioned, inherited, or keyed to tables
   *     outside it; 55000 if it is distributed already
   */
  void distribute(Connection coordinator, String schemaName) throws SQLException {
    Schema resolved = schema(coordinator, schemaName);
    long schemaId = resolved.oid();
    String name = resolved.name();
    if (name.equals("public") || name.startsWith("pg_") || name.equals("information_schema")
        || name.equals("pgs_distribution_metadata")) {
      throw new OperationException("0A000", "cannot distribute schema \"" + name + "\"", null,
          "Only schemas of your own can be distributed; public and system schemas stay on the"
          + " coordinator.");
    }
    if (TenantSchemas.find(coordinator, schemaId).isPresent()) {
      throw new OperationException("55000", "schema \"" + name + "\" is already distributed");
    }
    CatalogSnapshot snapshot = metadata.snapshot();
    List<Relation> tables = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT c.oid::bigint, c.relname,"
        + " c.relkind = 'r', EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
        + "  JOIN pg_catalog.pg_class o ON o.oid = CASE WHEN k.conrelid = c.oid"
        + "  THEN k.confrelid ELSE k.conrelid END"
        + "  WHERE k.contype = 'f' AND (k.conrelid = c.oid OR k.confrelid = c.oid)"
        + "  AND o.relnamespace <> c.relnamespace)"
        + " FROM pg_catalog.pg_class c WHERE c.relnamespace = ?::oid"
        + " AND c.relkind IN ('r', 'p', 'f') ORDER BY c.oid")) {
      ps.setLong(1, schemaId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Relation table = new Relation(rs.getLong(1), new TableName(name, rs.getString(2)));
          String refusal = snapshot.table(table.name()).isPresent() ? "it is distributed"
              : !rs.getBoolean(3) ? "it is a partitioned or foreign table"
              : rs.getBoolean(4) ? "it has a foreign key to or from a table outside the schema"
              : null;
          if (refusal != null) {
            throw new OperationException("0A000", "cannot distribute schema \"" + name
                + "\"", "Table \"" + table.name().name() + "\" cannot move to its node: "
                + refusal + ".", null);
          }
          Relations.requireNoInheritance(coordinator, table);
          tables.add(table);
        }
      }
    }
    shards.inTransaction(coordinator, creator -> {
      NodeAddress node = TenantSchemas.leastLoaded(coordinator, this::databaseBytes)
          .orElseThrow(() ->
          new OperationException("55000", "cannot distribute schema \"" + name + "\": there"
              + " are no worker nodes", null, "Add a worker with master_add_node first."));
      TenantSchemas.TenantSchema schema = TenantSchemas.insert(coordinator, schemaId, node);
      Map<Long, TableName> shardNames = new HashMap<>();
      Map<Long, Long> shardIds = new HashMap<>();
      for (Relation each : tables) {
        CatalogStore.insertPartition(coordinator, each.oid(), DistributionMethod.SINGLE, null);
        CatalogStore.setColocationId(coordinator, each.oid(), schema.colocationId());
        // Takes a lock that makes writes to the table wait for this transaction.
        CatalogStore.guardShell(coordinator, each.name());
        long shardId = creator.create(coordinator, each.oid(), each.name(), null, null,
            List.of(node), false);
        shardIds.put(each.oid(), shardId);
        shardNames.put(each.oid(), each.name().shardName(shardId));
      }
      // Rows leave the coordinator's tables referencing ones first, so that its keys hold.
      List<Long> order = new ArrayList<>(referencedFirst(coordinator,
          tables.stream().map(Relation::oid).toList()));
      java.util.Collections.reverse(order);
      for (long oid : order) {
        TableName table = tables.stream().filter(each -> each.oid() == oid).findFirst()
            .orElseThrow().name();
        if (CatalogStore.shellHasRows(coordinator, table)) {
          new ShellRows(pools, log).move(coordinator, oid, table, null, null,
              List.of(new ShellRows.Target(shardNames.get(oid), List.of(node))), value -> 0);
        }
      }
      // The keys once every table has its rows: they are added NOT VALID, and held already.
      for (Relation each : tables) {
        long shardId = shardIds.get(each.oid());
        creator.runOn(node, shardId, ShardDdl.foreignKeys(coordinator, each.oid(),
            shardNames.get(each.oid()), shardId, node, shardNames::get));
      }
      return null;
    });
  }

  private long databaseBytes(NodeAddress node) throws SQLException {
    try (Connection connection = pools.borrow(node)) {
      return TenantSchemas.databaseBytes(connection);
    }
  }

  /**
   * Returns a row per distributed schema ({@code spar_schemas()}): its name, the host and port
   * of its node, its number of tables, and their bytes on the node (tables, indexes, TOAST).
   */
  List<Object[]> list(Connection coordinator) throws SQLException {
    CatalogSnapshot catalog = metadata.snapshot();
    List<TenantSchemas.Placed> schemas = TenantSchemas.all(coordinator);
    Map<Long, List<String>> shardsOfGroup = new HashMap<>();
    Map<NodeAddress, List<String>> shardsOnNode = new HashMap<>();
    for (TenantSchemas.Placed each : schemas) {
      List<String> shards = new ArrayList<>();
      for (DistributedTable table : catalog.tables()) {
        if (table.isSingleShard() && table.colocationId() == each.schema().colocationId()) {
          shards.add(table.shards().get(0).shardName().quoted());
        }
      }
      shardsOfGroup.put(each.schema().colocationId(), shards);
      shardsOnNode.computeIfAbsent(each.schema().node(), node -> new ArrayList<>())
          .addAll(shards);
    }
    // One query per node for the bytes of all its schemas' shards.
    Map<String, Long> bytes = new HashMap<>();
    for (Map.Entry<NodeAddress, List<String>> each : shardsOnNode.entrySet()) {
      if (each.getValue().isEmpty()) {
        continue;
      }
      try (Connection node = pools.borrow(each.getKey());
          PreparedStatement ps = node.prepareStatement("SELECT n, coalesce("
              + "pg_catalog.pg_total_relation_size(pg_catalog.to_regclass(n)), 0)"
              + " FROM unnest(?::text[]) AS n")) {
        ps.setArray(1, node.createArrayOf("text", each.getValue().toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            bytes.put(each.getKey() + " " + rs.getString(1), rs.getLong(2));
          }
        }
      }
    }
    List<Object[]> rows = new ArrayList<>();
    for (TenantSchemas.Placed each : schemas) {
      List<String> shards = shardsOfGroup.get(each.schema().colocationId());
      long total = 0;
      for (String shard : shards) {
        total += bytes.getOrDefault(each.schema().node() + " " + shard, 0L);
      }
      rows.add(new Object[] {each.name(), each.schema().node().host(),
          each.schema().node().port(), (long) shards.size(), total});
    }
    return rows;
  }

  /**
   * Brings distributed schema {@code schemaName} back to the coordinator ({@code
   * spar_schema_undistribute}), in {@code transaction}: each table's shard is locked on its
   * node (writers routed to it wait), its rows are copied into the coordinator's table, whose
   * guard goes, and the shard is dropped as the catalog forgets it, all committed together.
   * A writer that waited then finds the shard gone and runs again, on the coordinator.
   */
  void undistribute(DistributedTransaction transaction, String schemaName)
      throws SQLException {
    Connection coordinator = transaction.coordinator(true);
    long schemaId = schema(coordinator, schemaName).oid();
    TenantSchemas.lock(coordinator, schemaId, true);
    TenantSchemas.TenantSchema schema = TenantSchemas.find(coordinator, schemaId)
        .orElseThrow(() -> new OperationException("22023", "schema \"" + schemaName
            + "\" is not a distributed schema"));
    CatalogSnapshot catalog = CatalogStore.load(coordinator);
    List<DistributedTable> tables = new ArrayList<>();
    for (DistributedTable each : catalog.tables()) {
      if (each.isSingleShard() && each.colocationId() == schema.colocationId()) {
        tables.add(each);
      }
    }
    Map<Long, DistributedTable> byId = new HashMap<>();
    tables.forEach(each -> byId.put(each.relationId(), each));
    requireNoKeyToReferenceTables(coordinator, schemaId, schemaName);
    // Referenced rows first, so that each copy's keys find theirs.
    for (long id : referencedFirst(coordinator, List.copyOf(byId.keySet()))) {
      DistributedTable each = byId.get(id);
      Shard shard = each.shards().get(0);
      ShardPlacement placement = shard.finalizedPlacements().stream().findFirst()
          .orElseThrow(() -> new OperationException("55000", "shard " + shard.id()
              + " of \"" + each.name().name() + "\" has no placement to copy from"));
      Connection worker = transaction.connection(placement);
      String lock = "LOCK TABLE " + shard.shardName().quoted() + " IN ACCESS EXCLUSIVE MODE";
      log.record(placement.node(), shard.id(), lock);
      try (java.sql.Statement statement = worker.createStatement()) {
        statement.execute(lock);
      }
      String columns = String.join(", ", ShellRows.columns(coordinator, each.relationId())
          .stream().map(io.spar.engine.catalog.SqlQuoting::identifier).toList());
      java.nio.file.Path spool = null;
      try {
        spool = java.nio.file.Files.createTempFile("spar-undistribute", ".copy");
        String out = "COPY " + shard.shardName().quoted() + " (" + columns + ") TO STDOUT";
        log.record(placement.node(), shard.id(), out);
        try (java.io.OutputStream file = java.nio.file.Files.newOutputStream(spool)) {
          worker.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut(out, file);
        }
        try (java.sql.Statement statement = coordinator.createStatement()) {
          statement.execute(ShellRows.BYPASS);
        }
        try (java.io.InputStream file = java.nio.file.Files.newInputStream(spool)) {
          coordinator.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn("COPY "
              + each.name().quoted() + " (" + columns + ") FROM STDIN", file);
        }
        try (java.sql.Statement statement = coordinator.createStatement()) {
          // Only these copies pass the guard, not the rest of the transaction.
          statement.execute("SELECT set_config('spar.shell_write', 'off', true)");
        }
      } catch (java.io.IOException e) {
        throw new SQLException("could not spool the rows of " + each.name() + ": "
            + e.getMessage(), "58030", e);
      } finally {
        if (spool != null) {
          spool.toFile().delete();
        }
      }
      try (java.sql.Statement statement = coordinator.createStatement()) {
        statement.execute("DROP TRIGGER spar_shell_guard ON " + each.name().quoted());
      }
      CatalogStore.deleteTable(coordinator, each.relationId());
      String drop = "DROP TABLE " + shard.shardName().quoted() + " CASCADE";
      log.record(placement.node(), shard.id(), drop);
      try (java.sql.Statement statement = worker.createStatement()) {
        statement.execute(drop);
      }
      transaction.written(shard, placement, true);
    }
    TenantSchemas.delete(coordinator, schemaId);
  }

  /**
   * Refuses to bring back a schema whose tables reference a reference table: on the coordinator
   * their rows would reference its table there, which holds none of its rows.
   */
  private static void requireNoKeyToReferenceTables(Connection coordinator, long schemaId,
      String schemaName) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT k.conname, r.relname"
        + " FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class r ON r.oid = k.conrelid"
        + " JOIN pgs_distribution_metadata.partition p ON p.relation_id = k.confrelid"
        + " WHERE k.contype = 'f' AND r.relnamespace = ?::oid AND p.partition_method = 'n'"
        + " ORDER BY k.oid LIMIT 1")) {
      ps.setLong(1, schemaId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new OperationException("0A000", "cannot undistribute schema \"" + schemaName
              + "\"", "Foreign key \"" + rs.getString(1) + "\" of table \"" + rs.getString(2)
              + "\" references a reference table, whose rows are not on the coordinator.",
              "Drop the foreign key first.");
        }
      }
    }
  }

  /**
   * Returns the relations {@code relationIds} with each after the relations its foreign keys
   * reference (in a cycle of keys, in the order given).
   */
  private static List<Long> referencedFirst(Connection coordinator, List<Long> relationIds)
      throws SQLException {
    Map<Long, List<Long>> references = new HashMap<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT conrelid::bigint,"
        + " confrelid::bigint FROM pg_catalog.pg_constraint WHERE contype = 'f'"
        + " AND conrelid <> confrelid AND conrelid = ANY (?::oid[])"
        + " AND confrelid = ANY (?::oid[])")) {
      java.sql.Array ids = coordinator.createArrayOf("bigint", relationIds.toArray());
      ps.setArray(1, ids);
      ps.setArray(2, ids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          references.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getLong(2));
        }
      }
    }
    List<Long> ordered = new ArrayList<>();
    List<Long> left = new ArrayList<>(relationIds);
    while (!left.isEmpty()) {
      Long next = left.stream().filter(each -> ordered.containsAll(
          references.getOrDefault(each, List.of()))).findFirst().orElse(left.get(0));
      ordered.add(next);
      left.remove(next);
    }
    return ordered;
  }

  /** Returns the shard of one table of distributed schema {@code schema}, if it has any. */
  private static Optional<Shard> firstShard(CatalogSnapshot catalog,
      TenantSchemas.TenantSchema schema) {
    return java.util.stream.StreamSupport.stream(catalog.tables().spliterator(), false)
        .filter(each -> each.isSingleShard() && each.colocationId() == schema.colocationId())
        .map(each -> each.shards().get(0)).min(java.util.Comparator.comparingLong(Shard::id));
  }

  /** A schema as a name given by a user resolves: its OID and its name. */
  private record Schema(long oid, String name) {
  }

  private static Schema schema(Connection coordinator, String schemaName) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT oid::bigint, nspname"
        + " FROM pg_catalog.pg_namespace WHERE oid = pg_catalog.to_regnamespace(?)")) {
      ps.setString(1, schemaName);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new OperationException("3F000", "schema \"" + schemaName + "\" does not exist");
        }
        return new Schema(rs.getLong(1), rs.getString(2));
      }
    }
  }

  /**
   * Moves distributed schema {@code schemaName} to {@code target}, switching over in
   * {@code transaction} as {@link DistributionOperations#moveShardPlacement} does: its tables are one co-location
   * group, so their shards move together. Returns the mode used ({@code 'none'} if the schema
   * has no tables yet, or is on {@code target} already).
   */
  String move(DistributedTransaction transaction, String schemaName,
      NodeAddress target, String transferMode) throws SQLException {
    Connection coordinator = transaction.coordinator(true);
    long schemaId = schema(coordinator, schemaName).oid();
    TenantSchemas.TenantSchema schema = TenantSchemas.find(coordinator, schemaId)
        .orElseThrow(() -> new OperationException("22023", "schema \"" + schemaName
            + "\" is not a distributed schema"));
    if (!metadata.snapshot().workers().contains(target)) {
      throw new OperationException("22023", "node " + target + " is not a worker",
          null, "Add it with master_add_node first.");
    }
    String mode = "none";
    Optional<Shard> any = firstShard(CatalogStore.load(coordinator), schema);
    if (any.isPresent() && !schema.node().equals(target)) {
      // The move locks the schema, and takes every table of it as it is then.
      mode = shards.moveShardPlacement(transaction, any.get().id(), schema.node(), target,
          transferMode);
    } else if (any.isEmpty()) {
      TenantSchemas.lock(coordinator, schemaId, true);
      if (firstShard(CatalogStore.load(coordinator), schema).isPresent()) {
        throw new OperationException("40001", "could not move schema \"" + schemaName
            + "\": a table was created in it meanwhile", null, "Run the move again.");
      }
    }
    TenantSchemas.setNode(coordinator, schemaId, target);
    return mode;
  }
}
