package io.spar.engine.transactions;

import java.sql.SQLException;
import java.util.Set;

/**
 * A distributed transaction aborted at its commit because a shard it wrote gained a current
 * placement that it did not write: it was routed by a catalog older than that placement. Nothing
 * of it was committed; run again by the new catalog, it writes every placement. SQLState 40001,
 * so that a client may retry it as PostgreSQL's serialization failures.
 */
public final class PlacementsChanged extends SQLException {
  private static final long serialVersionUID = 1L;

  private final transient Set<Long> shards;

  PlacementsChanged(Set<Long> shards) {
    super("shard placements changed while the transaction ran; it was rolled back", "40001");
    this.shards = Set.copyOf(shards);
  }

  /** Returns the shards the transaction wrote, one of which gained a placement. */
  public Set<Long> shards() {
    return shards;
  }
}
