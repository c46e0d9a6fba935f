package io.spar.server;

import com.zaxxer.hikari.HikariPoolMXBean;
import io.spar.engine.SparEngine;
import io.spar.engine.catalog.NodeAddress;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * How many pooled node connections (coordinator and workers) an engine has open, and how many
 * of those are lent out. Once every remote connection is closed, none should be lent out: a
 * lent one is a leak.
 *
 * @param inUse connections lent out of the pools
 * @param open connections open, lent or idle
 */
public record PoolUsage(int inUse, int open) {
  /** Returns the usage of {@code engine}'s pools to its coordinator and workers. */
  public static PoolUsage of(SparEngine engine) throws SQLException {
    List<NodeAddress> nodes = new ArrayList<>(engine.metadata().snapshot().workers());
    nodes.add(engine.coordinator());
    int inUse = 0;
    int open = 0;
    for (NodeAddress node : nodes) {
      HikariPoolMXBean pool = engine.pools().statistics(node);
      if (pool != null) {
        inUse += pool.getActiveConnections();
        open += pool.getTotalConnections();
      }
    }
    return new PoolUsage(inUse, open);
  }

  @Override
  public String toString() {
    return inUse + " in use, " + open + " open";
  }
}
