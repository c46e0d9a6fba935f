package io.spar.session;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-session cache of statement plans keyed by SQL text, valid for one catalog generation.
 *
 * <p>Any catalog change (through any process) or change of the search path clears it, since a
 * plan records which tables are distributed.
 */
final class PlanCache {
  private static final int CAPACITY = 256;

  private final Map<String, StatementPlan> plans = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, StatementPlan> eldest) {
      return size() > CAPACITY;
    }
  };
  private long generation = -1;

  /** Returns the plan of {@code sql} if it was prepared in catalog generation {@code current}. */
  StatementPlan get(String sql, long current) {
    if (current != generation) {
      plans.clear();
      generation = current;
      return null;
    }
    return plans.get(sql);
  }

  /** Stores the plan of {@code sql}, prepared in catalog generation {@code current}. */
  void put(String sql, long current, StatementPlan plan) {
    if (current == generation) {
      plans.put(sql, plan);
    }
  }

  /** Drops every plan. */
  void clear() {
    plans.clear();
  }
}
