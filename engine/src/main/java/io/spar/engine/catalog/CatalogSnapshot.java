package io.spar.engine.catalog;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable view of the distribution metadata at one moment.
 */
public final class CatalogSnapshot {
  private final Map<TableName, DistributedTable> tables;
  private final Map<TableName, DistributedView> views;
  private final List<NodeAddress> workers;
  private final List<NodeAddress> drained;
  private final List<NodeAddress> shardWorkers;

  /** Creates a snapshot of {@code tables} and the registered {@code workers}. */
  public CatalogSnapshot(Map<TableName, DistributedTable> tables, List<NodeAddress> workers) {
    this(tables, Map.of(), workers, List.of());
  }

  /**
   * Creates a snapshot of {@code tables}, the {@code views} that read them, and the registered
   * {@code workers}, of which {@code drained} get no new shards.
   */
  public CatalogSnapshot(Map<TableName, DistributedTable> tables,
      Map<TableName, DistributedView> views, List<NodeAddress> workers,
      List<NodeAddress> drained) {
    this.tables = Map.copyOf(tables);
    this.views = Map.copyOf(views);
    this.workers = workers.stream().sorted().toList();
    this.drained = List.copyOf(drained);
    this.shardWorkers = this.workers.stream().filter(w -> !drained.contains(w)).toList();
  }

  /** Returns the distributed table called {@code name}, or empty if it is local or unknown. */
  public Optional<DistributedTable> table(TableName name) {
    return Optional.ofNullable(tables.get(name));
  }

  /** Returns the distributed table whose coordinator table has OID {@code relationId}. */
  public Optional<DistributedTable> table(long relationId) {
    return tables.values().stream().filter(t -> t.relationId() == relationId).findFirst();
  }

  /**
   * Returns the view called {@code name} if it reads a distributed table, directly or through
   * other views; such views must be expanded by Spar, never run on the coordinator.
   */
  public Optional<DistributedView> view(TableName name) {
    return Optional.ofNullable(views.get(name));
  }

  /** Returns every view that reads a distributed table. */
  public Iterable<DistributedView> views() {
    return views.values();
  }

  /** Returns every distributed table. */
  public Iterable<DistributedTable> tables() {
    return tables.values();
  }

  /** Returns the shard with id {@code shardId}, whichever table it belongs to. */
  public Optional<Shard> shard(long shardId) {
    for (DistributedTable each : tables.values()) {
      Optional<Shard> shard = each.shard(shardId);
      if (shard.isPresent()) {
        return shard;
      }
    }
    return Optional.empty();
  }

  /**
   * Returns this snapshot with the placements of the tables {@code relationIds} replaced by
   * {@code placements} (by shard id): the catalog after a change to those placements only.
   */
  public CatalogSnapshot withPlacements(Set<Long> relationIds,
      Map<Long, List<ShardPlacement>> placements) {
    Map<TableName, DistributedTable> replaced = new HashMap<>(tables);
    for (DistributedTable each : tables.values()) {
      if (relationIds.contains(each.relationId())) {
        replaced.put(each.name(), each.withPlacements(placements));
      }
    }
    return new CatalogSnapshot(replaced, views, workers, drained);
  }

  /** Returns the registered worker nodes sorted by (name, port). */
  public List<NodeAddress> workers() {
    return workers;
  }

  /**
   * Returns the workers that new and rebalanced shards may be placed on: all but those being
   * drained ({@code master_drain_node}), sorted by (name, port).
   */
  public List<NodeAddress> shardWorkers() {
    return shardWorkers;
  }
}
