package io.spar.planner.rules;

import java.util.List;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.rel.rules.AggregateReduceFunctionsRule;
import org.apache.calcite.rel.rules.CoreRules;

/**
 * Registry of every planner rule Spar adds, and of the Calcite default rules it replaces;
 * {@link #register} installs them.
 */
public final class SparRules {
  /** Rule that pushes a filter with a PostgreSQL-compatible condition to the shards. */
  public static final SparFilterRule FILTER = SparFilterRule.create();

  /** Rule that pushes a projection with PostgreSQL-compatible expressions to the shards. */
  public static final SparProjectRule PROJECT = SparProjectRule.create();

  /** Rule that ends a pushed-down subtree and hands its rows to Enumerable operators. */
  public static final SparToEnumerableConverterRule TO_ENUMERABLE =
      SparToEnumerableConverterRule.create();

  /** Rule that computes avg, stddev, variance and numeric sums as PostgreSQL does. */
  public static final SparAggregateNumericRule AGGREGATE_NUMERIC =
      SparAggregateNumericRule.create();

  /**
   * Calcite's reduction of avg/stddev/variance to sums, restricted to the calls
   * {@link #AGGREGATE_NUMERIC} leaves alone (those over floating-point values).
   */
  public static final AggregateReduceFunctionsRule AGGREGATE_REDUCE_FUNCTIONS =
      CoreRules.AGGREGATE_REDUCE_FUNCTIONS.config
          .withExtraCondition(c -> c.getType().getSqlTypeName()
              != org.apache.calcite.sql.type.SqlTypeName.DECIMAL)
          .withDescription("SparAggregateReduceFunctionsRule")
          .as(AggregateReduceFunctionsRule.Config.class)
          .toRule();

  /** All rules above, in the order they are registered. */
  public static final List<RelOptRule> ALL = List.of(FILTER, PROJECT, TO_ENUMERABLE,
      AGGREGATE_NUMERIC, AGGREGATE_REDUCE_FUNCTIONS);

  /** Calcite default rules that {@link #ALL} replaces, removed by {@link #register}. */
  public static final List<RelOptRule> REPLACED = List.of(CoreRules.AGGREGATE_REDUCE_FUNCTIONS);

  private SparRules() {
  }

  /** Removes {@link #REPLACED} from {@code planner} and adds {@link #ALL}; idempotent. */
  public static void register(RelOptPlanner planner) {
    for (RelOptRule each : REPLACED) {
      planner.removeRule(each);
    }
    for (RelOptRule each : ALL) {
      planner.addRule(each);
    }
  }
}
