package io.spar.engine.execution;

import io.spar.engine.catalog.Shard;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Modification of one shard, to run on each of its FINALIZED placements.
 */
public record ShardWrite(Shard shard, String sql, List<Object> parameters) {
  public ShardWrite {
    parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
  }
}
