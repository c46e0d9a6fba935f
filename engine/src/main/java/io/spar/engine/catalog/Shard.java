package io.spar.engine.catalog;

import java.util.List;

/**
 * Horizontal slice of a distributed table, with the value interval it holds and its placements.
 *
 * <p>For hash distribution the interval bounds are int32 hash values; for range and append
 * distribution they are the partition column's values in PostgreSQL's text form, and may be
 * null while unknown.
 *
 * @param reference whether it is a reference table's one shard, which is placed on every
 *     worker and gains a placement when one is added
 */
public record Shard(long id, TableName table, String minValue, String maxValue,
    List<ShardPlacement> placements, boolean reference) {

  public Shard {
    placements = List.copyOf(placements);
  }

  /** Creates a shard of a table that is not a reference table. */
  public Shard(long id, TableName table, String minValue, String maxValue,
      List<ShardPlacement> placements) {
    this(id, table, minValue, maxValue, placements, false);
  }

  /** Returns this shard as a reference table's, which gains a placement on each new worker. */
  Shard asReference() {
    return new Shard(id, table, minValue, maxValue, placements, true);
  }

  /** Returns the name of the table that holds this shard on its workers. */
  public TableName shardName() {
    return table.shardName(id);
  }

  /** Returns the placements that hold current data, in placement order. */
  public List<ShardPlacement> finalizedPlacements() {
    return placements.stream().filter(ShardPlacement::isFinalized).toList();
  }
}
