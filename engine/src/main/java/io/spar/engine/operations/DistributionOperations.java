package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.catalog.TenantSchemas;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.hashing.PartitionType;
import io.spar.engine.hashing.ShardIntervals;
import io.spar.engine.operations.Relations.Relation;
import io.spar.engine.routing.ShardPruner;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pg_shard's SQL API for making tables distributed: registering workers, distributing a table
 * and creating its shards, with pg_shard's error texts.
 *
 * <p>Each operation takes the session's coordinator connection and commits its metadata in one
 * coordinator transaction.
 */
public final class DistributionOperations {
  private static final Logger LOG = LoggerFactory.getLogger(DistributionOperations.class);

  private final NodePools pools;
  private final MetadataCache metadata;
  private final StatementLog log;

  /** Creates the operations over an engine's pools, metadata cache and statement log. */
  public DistributionOperations(NodePools pools, MetadataCache metadata, StatementLog log) {
    this.pools = pools;
    this.metadata = metadata;
    this.log = log;
  }

  /**
   * Registers worker {@code node} after checking that it accepts connections, and gives it a
   * placement of every reference table, copied from a current one while writers wait (as
   * {@link PlacementRepair} copies).
   */
  public void addNode(Connection coordinator, NodeAddress node) throws SQLException {
    try (Connection probe = pools.open(node)) {
      probe.isValid(5);
    }
    List<Shard> references = new ArrayList<>();
    for (DistributedTable each : metadata.snapshot().tables()) {
      if (each.isReference() && each.hasShards()
          && each.shards().get(0).placements().stream().noneMatch(p -> p.node().equals(node)
              && p.state() == PlacementState.FINALIZED)) {
        references.add(each.shards().get(0));
      }
    }
    if (!references.isEmpty() && !coordinator.getAutoCommit()) {
      // Each copy commits on its own, after the new placement's rows have.
      throw new OperationException("25001", "master_add_node cannot copy reference tables"
          + " inside a transaction block");
    }
    CatalogStore.addNode(coordinator, node);
    metadata.invalidate();
    for (Shard each : references) {
      if (each.placements().stream().noneMatch(p -> p.node().equals(node))) {
        CatalogStore.insertPlacement(coordinator, each.id(), PlacementState.INACTIVE, node);
      }
      List<ShardPlacement> current = each.finalizedPlacements();
      if (current.isEmpty()) {
        throw new OperationException("55000", "reference table shard " + each.id()
            + " has no finalized placement to copy from");
      }
      copyShardPlacement(coordinator, each.id(), current.get(0).node(), node);
    }
  }

  /**
   * Makes table {@code tableName} a reference table: one shard, placed on every worker, that
   * any statement reads from one placement and every write changes on all of them.
   */
  public void createReferenceTable(Connection coordinator, String tableName)
      throws SQLException {
    Relation relation = Relations.resolve(coordinator, tableName);
    Relations.requireNoInheritance(coordinator, relation);
    CatalogSnapshot snapshot = metadata.snapshot();
    if (snapshot.table(relation.name()).isPresent()) {
      throw new OperationException("42P07",
          "table \"" + relation.name().name() + "\" is already distributed");
    }
    List<NodeAddress> workers = snapshot.workers();
    if (workers.isEmpty()) {
      throw new OperationException("55000", "cannot create reference table \""
          + relation.name().name() + "\": there are no worker nodes", null,
          "Add a worker with master_add_node first.");
    }
    inTransaction(coordinator, creator -> {
      CatalogStore.insertPartition(coordinator, relation.oid(), DistributionMethod.REFERENCE,
          null);
      CatalogStore.guardShell(coordinator, relation.name());
      long shardId = creator.create(coordinator, relation.oid(), relation.name(), null, null,
          workers, false);
      if (CatalogStore.shellHasRows(coordinator, relation.name())) {
        new ShellRows(pools, log).move(coordinator, relation.oid(), relation.name(), null, null,
            List.of(new ShellRows.Target(relation.name().shardName(shardId), workers)),
            value -> 0);
      }
      return null;
    });
  }

  /** Distributes table {@code tableName} by {@code column} with {@code methodName}. */
  public void createDistributedTable(Connection coordinator, String tableName, String column,
      String methodName) throws SQLException {
    createDistributedTable(coordinator, tableName, column, methodName, null);
  }

  /**
   * Distributes table {@code tableName} by {@code column} with {@code methodName}, in the
   * co-location group {@code colocateWith} names: {@code 'default'} (or null: the group of
   * earlier hash tables with the same shard count, replication factor and column type, found
   * when the shards are made), {@code 'none'} (a group of its own) or a hash table's name (that
   * table's group).
   */
  public void createDistributedTable(Connection coordinator, String tableName, String column,
      String methodName, String colocateWith) throws SQLException {
    DistributionMethod method;
    try {
      method = DistributionMethod.ofUserName(methodName);
    } catch (IllegalArgumentException e) {
      throw new OperationException("22023", e.getMessage());
    }
    Relation relation = Relations.resolve(coordinator, tableName);
    String typeName = Relations.columnType(coordinator, relation, column);
    if (PartitionType.forTypeName(typeName).isEmpty()) {
      throw method == DistributionMethod.HASH
          ? new OperationException("42883", "could not identify a hash function for type " + typeName)
          : new OperationException("42704", "data type " + typeName
              + " has no default operator class for specified partition method");
    }
    if (metadata.snapshot().table(relation.name()).isPresent()) {
      throw new OperationException("42P07",
          "table \"" + relation.name().name() + "\" is already distributed");
    }
    Relations.requireNoInheritance(coordinator, relation);
    UniqueIndexes.requireCovering(coordinator, relation.oid(), column);
    inCatalogTransaction(coordinator, () -> {
      long group = colocationGroup(coordinator, relation, method, typeName, colocateWith);
      CatalogStore.insertPartition(coordinator, relation.oid(), method, column);
      if (group != 0) {
        CatalogStore.setColocationId(coordinator, relation.oid(), group);
      }
      CatalogStore.guardShell(coordinator, relation.name());
    });
  }

  /** Returns the co-location group {@code colocateWith} names (0: decided with the shards). */
  private long colocationGroup(Connection coordinator, Relation relation,
      DistributionMethod method, String typeName, String colocateWith) throws SQLException {
    String choice = colocateWith == null ? "default"
        : colocateWith.trim().toLowerCase(java.util.Locale.ROOT);
    if (choice.equals("default")) {
      return 0;
    }
    if (method != DistributionMethod.HASH) {
      throw new OperationException("22023", "cannot distribute relation \""
          + relation.name().name() + "\"", "Currently, colocate_with option is only supported"
          + " for hash distributed tables.", null);
    }
    if (choice.equals("none")) {
      return CatalogStore.newColocationId(coordinator, false);
    }
    DistributedTable other = distributedTable(coordinator, colocateWith);
    if (other.method() != DistributionMethod.HASH || !other.hasShards()) {
      throw new OperationException("55000", "cannot colocate tables " + other.name().name()
          + " and " + relation.name().name(), "Table \"" + other.name().name()
          + "\" must be a hash distributed table with shards.", null);
    }
    if (PartitionType.forTypeName(typeName).orElseThrow() != other.partitionType()) {
      throw new OperationException("22023", "cannot colocate tables " + other.name().name()
          + " and " + relation.name().name(), "Distribution column types don't match for "
          + other.name().name() + " and " + relation.name().name() + ".", null);
    }
    if (other.colocationId() != 0) {
      return other.colocationId();
    }
    // A table distributed before groups were recorded starts one now.
    long group = CatalogStore.newColocationId(coordinator, true);
    CatalogStore.setColocationId(coordinator, other.relationId(), group);
    return group;
  }

  /** Creates {@code shardCount} hash shards of {@code tableName}, each on {@code rf} workers. */
  public void createWorkerShards(Connection coordinator, String tableName, int shardCount,
      int replicationFactor, boolean forceUnlogged) throws SQLException {
    DistributedTable table = distributedTable(coordinator, tableName);
    if (table.method() != DistributionMethod.HASH) {
      throw new OperationException("0A000", "unsupported partition method for table \""
          + table.name().name() + "\"", null, "Use master_create_empty_shard for range and"
          + " append distributed tables.");
    }
    if (table.hasShards()) {
      throw new OperationException("55000",
          "table \"" + table.name().name() + "\" has already had shards created for it");
    }
    if (shardCount <= 0) {
      throw new OperationException("22023", "shard_count must be positive");
    }
    if (replicationFactor <= 0) {
      throw new OperationException("22023", "replication_factor must be positive");
    }
    List<NodeAddress> workers = metadata.snapshot().shardWorkers();
    if (replicationFactor > workers.size()) {
      throw new OperationException("22023", "replication_factor (" + replicationFactor
          + ") exceeds number of worker nodes (" + workers.size() + ")");
    }
    List<ShardIntervals.HashInterval> intervals = ShardIntervals.split(shardCount);
    Optional<DistributedTable> partner = colocationPartner(table, shardCount, replicationFactor);
    inTransaction(coordinator, creator -> {
      long group = table.colocationId() != 0 ? table.colocationId()
          : partner.isPresent() ? partner.get().colocationId()
          : CatalogStore.newColocationId(coordinator, true);
      CatalogStore.setColocationId(coordinator, table.relationId(), group);
      List<ShellRows.Target> targets = new ArrayList<>();
      for (int i = 0; i < shardCount; i++) {
        // Shard i of a co-located table goes where its group's shard i is.
        List<NodeAddress> nodes = partner.isPresent()
            ? partner.get().shards().get(i).placements().stream().map(ShardPlacement::node)
                .toList()
            : ShardPlacementPolicy.nodesFor(i, replicationFactor, workers);
        long shardId = creator.create(coordinator, table.relationId(), table.name(),
            Integer.toString(intervals.get(i).min()), Integer.toString(intervals.get(i).max()),
            nodes, forceUnlogged);
        targets.add(new ShellRows.Target(table.name().shardName(shardId), nodes));
      }
      if (CatalogStore.shellHasRows(coordinator, table.name())) {
        new ShellRows(pools, log).move(coordinator, table.relationId(), table.name(),
            table.partitionColumn(), table.partitionType(), targets, value ->
                ShardIntervals.shardIndexForHash(table.partitionType().hash(value), shardCount));
      }
      return null;
    });
  }

  /**
   * Returns the table whose shards a new table's co-located shards join: one of its recorded
   * group that has shards, or (none recorded) the first with shards of the default group of
   * its shard count, replication factor and column type, if any.
   *
   * @throws OperationException if its recorded group's shards differ in count or replicas
   */
  private Optional<DistributedTable> colocationPartner(DistributedTable table, int shardCount,
      int replicationFactor) throws SQLException {
    List<DistributedTable> candidates = new ArrayList<>();
    for (DistributedTable each : metadata.snapshot().tables()) {
      if (each.relationId() != table.relationId() && each.method() == DistributionMethod.HASH
          && each.hasShards() && each.partitionType() == table.partitionType()
          && (table.colocationId() != 0 ? each.colocationId() == table.colocationId()
              : each.colocationId() > 0 && each.shards().size() == shardCount
                  && each.shards().get(0).placements().size() == replicationFactor)) {
        candidates.add(each);
      }
    }
    candidates.sort(java.util.Comparator.comparingLong(DistributedTable::colocationId)
        .thenComparingLong(DistributedTable::relationId));
    Optional<DistributedTable> partner = candidates.stream().findFirst();
    if (partner.isPresent() && (partner.get().shards().size() != shardCount
        || partner.get().shards().stream().anyMatch(s -> s.placements().size()
            != replicationFactor))) {
      DistributedTable other = partner.get();
      throw new OperationException("22023", "cannot colocate tables " + other.name().name()
          + " and " + table.name().name(), "\"" + other.name().name() + "\" has "
          + other.shards().size() + " shards of " + other.shards().get(0).placements().size()
          + " placements; give " + table.name().name() + " as many.", null);
    }
    return partner;
  }

  /**
   * Creates one shard of a range- or append-distributed table with an unknown interval, on
   * {@code replicationFactor} workers chosen round-robin, and returns its id.
   */
  public long createEmptyShard(Connection coordinator, String tableName, int replicationFactor)
      throws SQLException {
    DistributedTable table = distributedTable(coordinator, tableName);
    if (table.method() == DistributionMethod.HASH) {
      throw new OperationException("0A000", "relation \"" + table.name().name()
          + "\" is a hash partitioned table", null, "Use master_create_worker_shards instead.");
    }
    if (!table.hasPartitionColumn()) {
      throw new OperationException("0A000", "relation \"" + table.name().name() + "\" is a "
          + (table.isReference() ? "reference table" : "table of a distributed schema"),
          "Such a table has exactly one shard.", null);
    }
    List<NodeAddress> workers = metadata.snapshot().shardWorkers();
    if (replicationFactor <= 0 || replicationFactor > workers.size()) {
      throw new OperationException("22023", "replication_factor (" + replicationFactor
          + ") exceeds number of worker nodes (" + workers.size() + ")");
    }
    int index = table.shards().size();
    List<NodeAddress> nodes = ShardPlacementPolicy.nodesFor(index, replicationFactor, workers);
    return inTransaction(coordinator, creator -> {
      boolean rows = CatalogStore.shellHasRows(coordinator, table.name());
      // The table's earlier rows all go to its first shard, whose interval covers them.
      String[] bounds = rows ? ShellRows.bounds(coordinator, table.name(),
          table.partitionColumn()) : new String[] {null, null};
      long shardId = creator.create(coordinator, table.relationId(), table.name(), bounds[0],
          bounds[1], nodes, false);
      if (rows) {
        new ShellRows(pools, log).move(coordinator, table.relationId(), table.name(),
            table.partitionColumn(), table.partitionType(),
            List.of(new ShellRows.Target(table.name().shardName(shardId), nodes)), value -> 0);
      }
      return shardId;
    });
  }

  /** Returns the id of the shard of {@code tableName} that holds partition value {@code value}. */
  public Optional<Long> shardIdForValue(Connection coordinator, String tableName, Object value)
      throws SQLException {
    DistributedTable table = distributedTable(coordinator, tableName);
    if (value == null) {
      throw new OperationException("22004", "distribution value cannot be NULL");
    }
    try {
      return ShardPruner.shardForValue(table, value).map(Shard::id);
    } catch (IllegalArgumentException e) {
      throw new OperationException("22P02", e.getMessage());
    }
  }

  /**
   * Repairs the INACTIVE placement of shard {@code shardId} on {@code target} by copying it
   * from its FINALIZED placement on {@code source}; see {@link PlacementRepair}.
   */
  public void copyShardPlacement(Connection coordinator, long shardId, NodeAddress source,
      NodeAddress target) throws SQLException {
    new PlacementRepair(pools, metadata, log).copyShardPlacement(coordinator, shardId, source,
        target);
  }

  /**
   * Appends the rows of {@code sourceTable} on {@code source} to every placement of shard
   * {@code shardId} in {@code transaction}, which the coordinator joins for the shard's new
   * interval, and returns the shard's fill ratio, as a {@code real}
   * and in PostgreSQL's text form; see {@link ShardAppend}.
   */
  public Object[] appendTableToShard(DistributedTransaction transaction, long shardId,
      String sourceTable, NodeAddress source) throws SQLException {
    ShardAppend.Fill fill = new ShardAppend(pools, log).append(transaction, metadata.snapshot(),
        shardId, sourceTable, source);
    return new Object[] {fill.value(), fill.text()};
  }

  /**
   * Moves the placement of shard {@code shardId} on {@code source}, with those of its
   * co-located shards, to {@code target}, switching over in {@code transaction}, one
   * statement's implicit transaction; {@code transferMode} is {@code 'auto'} (or null),
   * {@code 'logical'} or {@code 'block_writes'}. Returns the mode used; see {@link ShardMove}.
   */
  public String moveShardPlacement(DistributedTransaction transaction, long shardId,
      NodeAddress source, NodeAddress target, String transferMode) throws SQLException {
    try {
      return new ShardMove(pools, log).move(transaction, shardId, source, target, transferMode)
          .name().toLowerCase(java.util.Locale.ROOT);
    } finally {
      metadata.placementsChanged();
    }
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
  public void distributeSchema(Connection coordinator, String schemaName) throws SQLException {
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
    inTransaction(coordinator, creator -> {
      NodeAddress node = TenantSchemas.leastLoaded(coordinator).orElseThrow(() ->
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
            shardNames.get(each.oid()), shardId, shardNames::get));
      }
      return null;
    });
  }

  /**
   * Returns a row per distributed schema ({@code spar_schemas()}): its name, the host and port
   * of its node, its number of tables, and their bytes on the node (tables, indexes, TOAST).
   */
  public List<Object[]> schemas(Connection coordinator) throws SQLException {
    CatalogSnapshot catalog = metadata.snapshot();
    List<Object[]> rows = new ArrayList<>();
    for (TenantSchemas.Placed each : TenantSchemas.all(coordinator)) {
      List<String> shards = new ArrayList<>();
      for (DistributedTable table : catalog.tables()) {
        if (table.isSingleShard() && table.colocationId() == each.schema().colocationId()) {
          shards.add(table.shards().get(0).shardName().quoted());
        }
      }
      long bytes = 0;
      if (!shards.isEmpty()) {
        try (Connection node = pools.borrow(each.schema().node());
            PreparedStatement ps = node.prepareStatement("SELECT coalesce(sum("
                + "pg_catalog.pg_total_relation_size(pg_catalog.to_regclass(n))), 0)::bigint"
                + " FROM unnest(?::text[]) AS n")) {
          ps.setArray(1, node.createArrayOf("text", shards.toArray()));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            bytes = rs.getLong(1);
          }
        }
      }
      rows.add(new Object[] {each.name(), each.schema().node().host(),
          each.schema().node().port(), (long) shards.size(), bytes});
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
  public void undistributeSchema(DistributedTransaction transaction, String schemaName)
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
   * {@code transaction} as {@link #moveShardPlacement} does: its tables are one co-location
   * group, so their shards move together. Returns the mode used ({@code 'none'} if the schema
   * has no tables yet, or is on {@code target} already).
   */
  public String moveSchema(DistributedTransaction transaction, String schemaName,
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
      mode = moveShardPlacement(transaction, any.get().id(), schema.node(), target,
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

  /**
   * Evens out the placements of {@code relationId}'s co-location group (every table's if
   * empty) across the workers, at most {@code maxMoves} moves, each run by {@code mover}; or
   * resumes an unfinished rebalance. Returns the number of shards moved; see
   * {@link Rebalancer}.
   */
  public int rebalance(NodeAddress coordinatorNode, Optional<Long> relationId, int maxMoves,
      String transferMode, Rebalancer.Mover mover) throws SQLException {
    try {
      return new Rebalancer(pools, coordinatorNode).run(
          snapshot -> RebalancePlanner.rebalance(snapshot, relationId, maxMoves), transferMode,
          mover);
    } finally {
      metadata.placementsChanged();
    }
  }

  /** Returns the moves {@link #rebalance} would make now. */
  public List<RebalancePlanner.Move> rebalancePlan(NodeAddress coordinatorNode,
      Optional<Long> relationId) throws SQLException {
    return new Rebalancer(pools, coordinatorNode).plan(
        snapshot -> RebalancePlanner.rebalance(snapshot, relationId, Integer.MAX_VALUE));
  }

  /** Moves every placement off {@code node}, each move run by {@code mover}. */
  public int drainNode(NodeAddress coordinatorNode, NodeAddress node, String transferMode,
      Rebalancer.Mover mover) throws SQLException {
    // No new shard goes to the node from now on, nor a rebalanced one.
    try (Connection coordinator = pools.borrowInternal(coordinatorNode)) {
      CatalogStore.setShouldHaveShards(coordinator, node, false);
    }
    metadata.workersChanged();
    try {
      return new Rebalancer(pools, coordinatorNode).run(
          snapshot -> RebalancePlanner.drain(snapshot, node), transferMode, mover);
    } finally {
      metadata.placementsChanged();
    }
  }

  /**
   * Removes worker {@code node} from the catalog, with its placements of reference tables
   * (whose tables on it are dropped too).
   *
   * @throws OperationException if a placement of another table, in any state, is still on it
   */
  public void removeNode(Connection coordinator, NodeAddress node) throws SQLException {
    List<Shard> references = new ArrayList<>();
    for (DistributedTable each : metadata.snapshot().tables()) {
      if (each.isReference() && each.hasShards() && each.shards().get(0).placements().stream()
          .anyMatch(p -> p.node().equals(node))) {
        references.add(each.shards().get(0));
      }
    }
    long placements = CatalogStore.placementsOn(coordinator, node) - references.size();
    if (placements > 0) {
      throw new OperationException("55000", "cannot remove node " + node + ": it holds "
          + placements + " shard placements", null, "Drain it with master_drain_node first.");
    }
    for (TenantSchemas.Placed each : TenantSchemas.all(coordinator)) {
      if (each.schema().node().equals(node)) {
        // A schema without tables yet: its next table would be placed on the removed node.
        throw new OperationException("55000", "cannot remove node " + node + ": distributed"
            + " schema \"" + each.name() + "\" is placed there", null,
            "Move it with spar_schema_move first.");
      }
    }
    inCatalogTransaction(coordinator, () -> {
      // Its reference placements go with it; the other workers keep theirs.
      for (Shard each : references) {
        for (ShardPlacement placement : each.placements()) {
          if (placement.node().equals(node)) {
            CatalogStore.deletePlacement(coordinator, placement.id());
          }
        }
      }
      if (!CatalogStore.removeNode(coordinator, node)) {
        throw new OperationException("22023", "node " + node + " is not a worker");
      }
    });
    dropQuietly(node, references);
  }

  /**
   * Drops the tables of {@code shards} on a removed node, so that an engine still routing by
   * the old catalog fails there (and refreshes) instead of reading rows no write reaches.
   */
  private void dropQuietly(NodeAddress node, List<Shard> shards) {
    if (shards.isEmpty()) {
      return;
    }
    try (Connection connection = pools.open(node);
        java.sql.Statement statement = connection.createStatement()) {
      for (Shard each : shards) {
        log.record(node, each.id(), "DROP TABLE IF EXISTS " + each.shardName().quoted());
        statement.execute("DROP TABLE IF EXISTS " + each.shardName().quoted());
      }
    } catch (SQLException e) {
      LOG.warn("could not drop reference table placements on removed node {}: {}", node,
          e.getMessage());
    }
  }

  /** Returns the distributed table {@code tableName} denotes, or fails as pg_shard did. */
  public DistributedTable distributedTable(Connection coordinator, String tableName)
      throws SQLException {
    Relation relation = Relations.resolve(coordinator, tableName);
    CatalogSnapshot snapshot = metadata.snapshot();
    return snapshot.table(relation.name()).orElseThrow(() -> new OperationException("55000",
        "relation \"" + relation.name().name() + "\" is not a distributed table"));
  }

  private interface CatalogWork {
    void run() throws SQLException;
  }

  /** Runs {@code work} in one coordinator transaction, then drops the cached catalog. */
  private void inCatalogTransaction(Connection coordinator, CatalogWork work)
      throws SQLException {
    boolean autoCommit = coordinator.getAutoCommit();
    coordinator.setAutoCommit(false);
    try {
      work.run();
      coordinator.commit();
    } catch (SQLException | RuntimeException e) {
      coordinator.rollback();
      throw e;
    } finally {
      coordinator.setAutoCommit(autoCommit);
      metadata.invalidate();
    }
  }

  private interface ShardWork<T> {
    T run(ShardCreator creator) throws SQLException;
  }

  private <T> T inTransaction(Connection coordinator, ShardWork<T> work) throws SQLException {
    ShardCreator creator = new ShardCreator(pools, log);
    coordinator.setAutoCommit(false);
    try {
      T result = work.run(creator);
      coordinator.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      coordinator.rollback();
      creator.undo();
      throw e;
    } finally {
      coordinator.setAutoCommit(true);
      metadata.invalidate();
    }
  }
}
