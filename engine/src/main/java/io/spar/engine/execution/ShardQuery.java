package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Read statement for one shard (or for the coordinator, with a null shard id), with the nodes
 * that can answer it in order of preference.
 */
public record ShardQuery(Long shardId, List<NodeAddress> nodes, String sql, List<Object> parameters) {
  public ShardQuery {
    nodes = List.copyOf(nodes);
    // Parameter values may be null, which List.copyOf refuses.
    parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
  }
}
