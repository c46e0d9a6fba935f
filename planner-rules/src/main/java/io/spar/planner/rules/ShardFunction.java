package io.spar.planner.rules;

/**
 * Operator that PostgreSQL itself defines and Spar passes through by name, such as a function
 * found in the coordinator's {@code pg_proc}; {@link PushableExpressions} asks it whether a
 * shard may evaluate it.
 */
public interface ShardFunction {
  /**
   * Returns whether every shard computes the same result as the coordinator would, which
   * PostgreSQL guarantees for IMMUTABLE functions.
   */
  boolean isShardEvaluable();
}
