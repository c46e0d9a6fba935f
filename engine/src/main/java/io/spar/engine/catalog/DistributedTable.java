package io.spar.engine.catalog;

import io.spar.engine.hashing.PartitionType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Distributed table: its partition column, distribution method and shards.
 *
 * <p>Hash shards are kept sorted by their interval so that a hash value finds its shard by
 * binary search, as Citus's sorted shard interval array does.
 */
public final class DistributedTable {
  private final long relationId;
  private final TableName name;
  private final DistributionMethod method;
  private final String partitionColumn;
  private final PartitionType partitionType;
  private final long colocationId;
  private final List<Shard> shards;
  private final int[] hashMins;
  private final int[] hashMaxes;

  /** Creates a table description in no recorded co-location group. */
  public DistributedTable(long relationId, TableName name, DistributionMethod method,
      String partitionColumn, PartitionType partitionType, List<Shard> shards) {
    this(relationId, name, method, partitionColumn, partitionType, 0, shards);
  }

  /**
   * Creates a table description; {@code shards} may be in any order.
   *
   * @param colocationId the table's co-location group (see {@link #colocationId()})
   */
  public DistributedTable(long relationId, TableName name, DistributionMethod method,
      String partitionColumn, PartitionType partitionType, long colocationId,
      List<Shard> shards) {
    this.relationId = relationId;
    this.name = name;
    this.method = method;
    this.partitionColumn = partitionColumn;
    this.partitionType = partitionType;
    this.colocationId = colocationId;
    this.shards = method == DistributionMethod.HASH
        ? shards.stream().sorted(Comparator.comparingInt(s -> Integer.parseInt(s.minValue()))).toList()
        : shards.stream().sorted(Comparator.comparingLong(Shard::id))
            .map(s -> method == DistributionMethod.REFERENCE ? s.asReference() : s).toList();
    this.hashMins = method == DistributionMethod.HASH
        ? this.shards.stream().mapToInt(s -> Integer.parseInt(s.minValue())).toArray() : new int[0];
    this.hashMaxes = method == DistributionMethod.HASH
        ? this.shards.stream().mapToInt(s -> Integer.parseInt(s.maxValue())).toArray() : new int[0];
  }

  /** Returns the coordinator OID of the table. */
  public long relationId() {
    return relationId;
  }

  /** Returns the table's name. */
  public TableName name() {
    return name;
  }

  /** Returns how rows are assigned to shards. */
  public DistributionMethod method() {
    return method;
  }

  /**
   * Returns whether this is a reference table: one shard, replicated to every worker, that
   * joins with any shard of any table on the nodes that hold both.
   */
  public boolean isReference() {
    return method == DistributionMethod.REFERENCE;
  }

  /**
   * Returns whether rows are placed by a partition column; a reference table and a table of a
   * distributed schema have none, and their one shard holds every row.
   */
  public boolean hasPartitionColumn() {
    return partitionColumn != null;
  }

  /**
   * Returns whether this is a table of a distributed schema: one shard on its schema's node,
   * co-located with the schema's other tables (see {@link DistributionMethod#SINGLE}).
   */
  public boolean isSingleShard() {
    return method == DistributionMethod.SINGLE;
  }

  /**
   * Returns the shard this table contributes to shard group {@code index} of a co-located
   * group: the shard at that index, or a reference table's one shard for every index.
   */
  public Shard shardInGroup(int index) {
    return isReference() ? shards.get(0) : shards.get(index);
  }

  /** Returns the partition column's name; null for a reference table. */
  public String partitionColumn() {
    return partitionColumn;
  }

  /**
   * Returns the partition column's type, which hashes, compares and parses its values; null
   * for a reference table.
   */
  public PartitionType partitionType() {
    return partitionType;
  }

  /**
   * Returns the table's co-location group: tables of one group have their shard {@code i} on
   * the same nodes, which moves and rebalances keep. Positive for a group that hash tables of
   * the same shard count, replication factor and column type join by default, negative for one
   * started by {@code colocate_with => 'none'}, 0 if none is recorded (tables distributed before
   * groups were, and tables whose shards are not yet created).
   */
  public long colocationId() {
    return colocationId;
  }

  /** Returns all shards: hash shards by interval, others by id. */
  public List<Shard> shards() {
    return shards;
  }

  /** Returns whether shards have been created for the table yet. */
  public boolean hasShards() {
    return !shards.isEmpty();
  }

  /** Returns the hash shard whose interval holds {@code hash}, if any. */
  public Optional<Shard> shardForHash(int hash) {
    int low = 0;
    int high = hashMins.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (hash < hashMins[mid]) {
        high = mid - 1;
      } else if (hash > hashMaxes[mid]) {
        low = mid + 1;
      } else {
        return Optional.of(shards.get(mid));
      }
    }
    return Optional.empty();
  }

  /**
   * Returns whether {@code other} is co-located with this table as shard moves and rebalances
   * take it: both hash-distributed on the same column type with the same shard intervals, so
   * that the shards at one index hold the same hash values, and in one co-location group (or
   * either in none recorded); or both tables of the same distributed schema.
   */
  public boolean isCoLocatedWith(DistributedTable other) {
    if (isSingleShard() || other.isSingleShard()) {
      // One schema's tables: its group is recorded with its first table.
      return isSingleShard() && other.isSingleShard() && colocationId != 0
          && colocationId == other.colocationId;
    }
    if (method != DistributionMethod.HASH || other.method != DistributionMethod.HASH
        || partitionType != other.partitionType) {
      return false;
    }
    if (colocationId != 0 && other.colocationId != 0 && colocationId != other.colocationId) {
      return false;
    }
    return Arrays.equals(hashMins, other.hashMins)
        && Arrays.equals(hashMaxes, other.hashMaxes);
  }

  /**
   * Returns this table with each shard's placements replaced by those {@code placements} maps
   * its id to (none if absent): what the catalog holds after a change to placements only.
   */
  public DistributedTable withPlacements(Map<Long, List<ShardPlacement>> placements) {
    List<Shard> replaced = new ArrayList<>(shards.size());
    for (Shard each : shards) {
      replaced.add(new Shard(each.id(), each.table(), each.minValue(), each.maxValue(),
          placements.getOrDefault(each.id(), List.of())));
    }
    return new DistributedTable(relationId, name, method, partitionColumn, partitionType,
        colocationId, replaced);
  }

  /** Returns the shard with id {@code shardId}, if it belongs to this table. */
  public Optional<Shard> shard(long shardId) {
    return shards.stream().filter(s -> s.id() == shardId).findFirst();
  }

  @Override
  public String toString() {
    return name + " (" + method + " on " + partitionColumn + ", " + shards.size() + " shards)";
  }
}
