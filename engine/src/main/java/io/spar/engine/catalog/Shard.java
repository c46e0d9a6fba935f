package io.spar.engine.catalog;

import java.util.List;

/**
 * Horizontal slice of a distributed table, with the value interval it holds and its placements.
 *
 * <p>For hash distribution the interval bounds are int32 hash values; for range and append
 * distribution they are the partition column's values in PostgreSQL's text form, and may be
 * null while unknown.
 */
public record Shard(
    long id, TableName table, String minValue, String maxValue, List<ShardPlacement> placements) {

  public Shard {
    placements = List.copyOf(placements);
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
