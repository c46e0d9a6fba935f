package io.spar.planner.rules;

import java.util.List;
import org.apache.calcite.plan.RelOptRule;

/**
 * Registry of every planner rule Spar adds; {@code SparConvention.register} adds {@link #ALL}.
 */
public final class SparRules {
  /** Rule that pushes a filter with a PostgreSQL-compatible condition to the shards. */
  public static final SparFilterRule FILTER = SparFilterRule.create();

  /** Rule that pushes a projection with PostgreSQL-compatible expressions to the shards. */
  public static final SparProjectRule PROJECT = SparProjectRule.create();

  /** Rule that ends a pushed-down subtree and hands its rows to Enumerable operators. */
  public static final SparToEnumerableConverterRule TO_ENUMERABLE =
      SparToEnumerableConverterRule.create();

  /** All rules above, in the order they are registered. */
  public static final List<RelOptRule> ALL = List.of(FILTER, PROJECT, TO_ENUMERABLE);

  private SparRules() {
  }
}
