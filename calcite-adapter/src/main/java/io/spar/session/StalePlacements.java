package io.spar.session;

import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Tells a statement that failed because it was routed by placements that are no longer current
 * from one that failed on its own.
 *
 * <p>A moved placement's tables are dropped on the old node in the same commit as the catalog
 * change (see the engine's {@code ShardMove}), so an engine that has not yet heard of the move
 * gets 42P01 there, never a write. The statement is stale if it failed so and the catalog's
 * placements differ from those it was planned with. The fresh catalog is read without dropping
 * the cache, so that an ordinary 42P01 (a typo) does not make every session plan anew.
 */
final class StalePlacements {
  private static final String UNDEFINED_TABLE = "42P01";

  private StalePlacements() {
  }

  /**
   * Returns whether {@code failure} came from placements that changed since {@code seen}; if
   * so, the engine's cache is dropped, so that the statement plans with the new ones.
   */
  static boolean isStale(SQLException failure, CatalogSnapshot seen, SparEngine engine) {
    if (seen == null || !UNDEFINED_TABLE.equals(failure.getSQLState())) {
      return false;
    }
    CatalogSnapshot now;
    try (Connection catalog = engine.pools().borrowInternal(engine.coordinator())) {
      now = CatalogStore.load(catalog);
    } catch (SQLException e) {
      return false;
    }
    if (samePlacements(seen, now)) {
      return false;
    }
    engine.metadata().invalidate();
    return true;
  }

  /** Returns the 40001 a statement in a transaction block gets instead of a retry. */
  static SQLException retryable(SQLException failure) {
    return new SQLException("shard placements changed while the transaction ran: "
        + failure.getMessage(), "40001", failure);
  }

  private static boolean samePlacements(CatalogSnapshot a, CatalogSnapshot b) {
    Map<Long, Object> shards = new HashMap<>();
    for (DistributedTable each : a.tables()) {
      shards.put(each.relationId(), each.shards());
    }
    int count = 0;
    for (DistributedTable each : b.tables()) {
      if (!Objects.equals(shards.get(each.relationId()), each.shards())) {
        return false;
      }
      count++;
    }
    return count == shards.size();
  }
}
