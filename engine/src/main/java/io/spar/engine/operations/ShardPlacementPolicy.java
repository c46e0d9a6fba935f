package io.spar.engine.operations;

import io.spar.engine.catalog.NodeAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * pg_shard's deterministic placement: shard {@code i}'s first placement is on worker
 * {@code i mod n} of the workers sorted by (name, port), and its replicas on the next workers.
 */
public final class ShardPlacementPolicy {
  private ShardPlacementPolicy() {
  }

  /** Returns the nodes for shard index {@code shardIndex}, first placement first. */
  public static List<NodeAddress> nodesFor(int shardIndex, int replicationFactor,
      List<NodeAddress> sortedWorkers) {
    List<NodeAddress> nodes = new ArrayList<>(replicationFactor);
    for (int replica = 0; replica < replicationFactor; replica++) {
      nodes.add(sortedWorkers.get((shardIndex + replica) % sortedWorkers.size()));
    }
    return nodes;
  }
}
