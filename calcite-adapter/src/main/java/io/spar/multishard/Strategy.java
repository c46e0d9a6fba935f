package io.spar.multishard;

/** How a multi-shard query divides its work between the shards and the coordinator. */
public enum Strategy {
  /** Every shard runs the whole query; the coordinator only concatenates the rows. */
  PUSHDOWN("Pushdown: every shard runs the query, the coordinator concatenates"),
  /**
   * Every shard runs the query (its top rows when there is a LIMIT); the coordinator sorts,
   * removes duplicates, offsets and limits the merged rows.
   */
  MERGE("Merge: every shard runs the query, the coordinator sorts, deduplicates and limits"),
  /** Every shard aggregates its rows per group; the coordinator combines the partial groups. */
  PARTIAL_AGGREGATE("Partial aggregation: every shard aggregates, the coordinator combines"),
  /**
   * Every shard returns its filtered rows; the coordinator database runs the query over them,
   * as pg_shard did for queries it could not push down.
   */
  COORDINATOR("Coordinator: shards return rows, the coordinator database runs the query");

  private final String description;

  Strategy(String description) {
    this.description = description;
  }

  /** Returns the line EXPLAIN shows for the strategy. */
  public String description() {
    return description;
  }
}
