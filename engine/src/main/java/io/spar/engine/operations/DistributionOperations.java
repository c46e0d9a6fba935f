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
  private final SchemaOperations schemas;

  /** Creates the operations over an engine's pools, metadata cache and statement log. */
  public DistributionOperations(NodePools pools, MetadataCache metadata, StatementLog log) {
    this.pools = pools;
    this.metadata = metadata;
    this.log = log;
    this.schemas = new SchemaOperations(pools, metadata, log, this);
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
    List<PartitionTree.Member> members = partitionTree(coordinator, relation, method);
    for (PartitionTree.Member each : members) {
      UniqueIndexes.requireCovering(coordinator, each.oid(), column);
    }
    inCatalogTransaction(coordinator, () -> {
      long group = colocationGroup(coordinator, relation, method, typeName, colocateWith);
      // A partitioned table's partitions are distributed tables of its group; their shards
      // are made with its own.
      for (PartitionTree.Member each : members) {
        CatalogStore.insertPartition(coordinator, each.oid(), method, column);
        if (group != 0) {
          CatalogStore.setColocationId(coordinator, each.oid(), group);
        }
        CatalogStore.guardShell(coordinator, each.name());
      }
    });
  }

  /**
   * Returns the tables distributing {@code relation} distributes: the relation, and if it is
   * partitioned or has inheritance children (and is distributed by hash) the tables below it.
   * Refuses a partition or child on its own.
   */
  private static List<PartitionTree.Member> partitionTree(Connection coordinator,
      Relation relation, DistributionMethod method) throws SQLException {
    boolean partitioned = Relations.isPartitioned(coordinator, relation);
    if (!partitioned && !PartitionTree.hasMembers(coordinator, relation)) {
      Relations.requireNoInheritance(coordinator, relation);
      return List.of(new PartitionTree.Member(relation.oid(), relation.name(), 0, false, null,
          null));
    }
    if (method != DistributionMethod.HASH) {
      throw new OperationException("0A000", "cannot distribute relation \""
          + relation.name().name() + "\"", (partitioned ? "It is a partitioned table"
          : "It has inheritance children") + "; Spar distributes such tables by hash only.",
          null);
    }
    return PartitionTree.of(coordinator, relation).members();
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
    Relation relation = new Relation(table.relationId(), table.name());
    if (Relations.isPartition(coordinator, relation)) {
      throw new OperationException("0A000", "cannot create shards of partition \""
          + table.name().name() + "\"", "The shards of a partition are made with its"
          + " partitioned table's.", null);
    }
    PartitionTree tree = Relations.isPartitioned(coordinator, relation)
        || PartitionTree.hasMembers(coordinator, relation)
        ? PartitionTree.of(coordinator, relation) : null;
    if (tree != null && forceUnlogged) {
      throw new OperationException("0A000", "the shards of partitioned tables and tables with"
          + " inheritance children cannot be made unlogged");
    }
    List<PartitionTree.Member> partitions = tree != null ? tree.partitions() : List.of();
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
      for (PartitionTree.Member each : partitions) {
        CatalogStore.setColocationId(coordinator, each.oid(), group);
      }
      List<ShellRows.Target> targets = new ArrayList<>();
      Map<Long, List<ShellRows.Target>> partitionTargets = new HashMap<>();
      for (int i = 0; i < shardCount; i++) {
        // Shard i of a co-located table goes where its group's shard i is.
        List<NodeAddress> nodes = partner.isPresent()
            ? partner.get().shards().get(i).placements().stream().map(ShardPlacement::node)
                .toList()
            : ShardPlacementPolicy.nodesFor(i, replicationFactor, workers);
        String min = Integer.toString(intervals.get(i).min());
        String max = Integer.toString(intervals.get(i).max());
        long shardId = tree != null ? creator.create(coordinator, tree.root(), min, max, nodes,
            null) : creator.create(coordinator, table.relationId(), table.name(), min, max,
            nodes, forceUnlogged);
        targets.add(new ShellRows.Target(table.name().shardName(shardId), nodes));
        // Shard i of each partition is a partition of its parent's shard i, beside it.
        Map<Long, TableName> shardNames = new HashMap<>();
        shardNames.put(table.relationId(), table.name().shardName(shardId));
        for (PartitionTree.Member each : partitions) {
          long partitionShard = creator.create(coordinator, each, min, max, nodes,
              shardNames.get(each.parent()));
          shardNames.put(each.oid(), each.name().shardName(partitionShard));
          partitionTargets.computeIfAbsent(each.oid(), oid -> new ArrayList<>())
              .add(new ShellRows.Target(each.name().shardName(partitionShard), nodes));
        }
      }
      moveShellRows(coordinator, table, table.relationId(), table.name(), targets, shardCount);
      for (PartitionTree.Member each : partitions) {
        moveShellRows(coordinator, table, each.oid(), each.name(),
            partitionTargets.get(each.oid()), shardCount);
      }
      return null;
    });
  }

  /** Moves the rows of the coordinator table {@code name}, if any, into its new shards. */
  private void moveShellRows(Connection coordinator, DistributedTable table, long relationId,
      TableName name, List<ShellRows.Target> targets, int shardCount) throws SQLException {
    if (CatalogStore.shellHasRows(coordinator, name)) {
      new ShellRows(pools, log).move(coordinator, relationId, name, table.partitionColumn(),
          table.partitionType(), targets, value ->
              ShardIntervals.shardIndexForHash(table.partitionType().hash(value), shardCount));
    }
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
   * Makes existing schema {@code schemaName} a distributed schema; see
   * {@link SchemaOperations#distribute}.
   */
  public void distributeSchema(Connection coordinator, String schemaName) throws SQLException {
    schemas.distribute(coordinator, schemaName);
  }

  /** Returns a row per distributed schema; see {@link SchemaOperations#list}. */
  public List<Object[]> schemas(Connection coordinator) throws SQLException {
    return schemas.list(coordinator);
  }

  /**
   * Brings distributed schema {@code schemaName} back to the coordinator in
   * {@code transaction}; see {@link SchemaOperations#undistribute}.
   */
  public void undistributeSchema(DistributedTransaction transaction, String schemaName)
      throws SQLException {
    schemas.undistribute(transaction, schemaName);
  }

  /**
   * Moves distributed schema {@code schemaName} to {@code target} in {@code transaction};
   * returns the mode used; see {@link SchemaOperations#move}.
   */
  public String moveSchema(DistributedTransaction transaction, String schemaName,
      NodeAddress target, String transferMode) throws SQLException {
    return schemas.move(transaction, schemaName, target, transferMode);
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

  /** Work on shards created in {@link #inTransaction}'s coordinator transaction. */
  interface ShardWork<T> {
    T run(ShardCreator creator) throws SQLException;
  }

  <T> T inTransaction(Connection coordinator, ShardWork<T> work) throws SQLException {
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
