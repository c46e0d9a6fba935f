package io.spar.engine.catalog;

/**
 * Copy of one shard on one worker node.
 */
public record ShardPlacement(long id, long shardId, PlacementState state, NodeAddress node) {

  /** Returns whether reads and writes should use this placement. */
  public boolean isFinalized() {
    return state == PlacementState.FINALIZED;
  }
}
