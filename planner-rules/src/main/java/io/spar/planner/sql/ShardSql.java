package io.spar.planner.sql;

import java.util.List;

/**
 * SQL text for one shard, with the statement parameter index of each {@code ?} in order.
 */
public record ShardSql(String sql, List<Integer> parameterIndexes) {
  public ShardSql {
    parameterIndexes = List.copyOf(parameterIndexes);
  }
}
