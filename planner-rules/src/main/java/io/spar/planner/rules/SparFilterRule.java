package io.spar.planner.rules;

import io.spar.planner.rel.SparConvention;
import io.spar.planner.rel.SparFilter;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rex.RexUtil;

/**
 * Rule that converts a logical filter whose condition PostgreSQL evaluates identically to a
 * {@link SparFilter}, so that every shard applies it.
 */
public final class SparFilterRule extends ConverterRule {
  /** Default configuration: logical filters with pushable, uncorrelated conditions. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(Filter.class, SparFilterRule::isPushable, Convention.NONE,
          SparConvention.INSTANCE, "SparFilterRule")
      .withRuleFactory(SparFilterRule::new);

  /** Creates a rule from {@code config}. */
  private SparFilterRule(Config config) {
    super(config);
  }

  /** Creates the rule with the default configuration. */
  public static SparFilterRule create() {
    return (SparFilterRule) DEFAULT_CONFIG.toRule();
  }

  /** Returns whether a shard may evaluate {@code filter}'s condition. */
  static boolean isPushable(Filter filter) {
    return filter.getVariablesSet().isEmpty()
        && !RexUtil.containsCorrelation(filter.getCondition())
        && PushableExpressions.test(filter.getCondition());
  }

  @Override
  public RelNode convert(RelNode rel) {
    Filter filter = (Filter) rel;
    return new SparFilter(rel.getCluster(), rel.getTraitSet().replace(SparConvention.INSTANCE),
        convert(filter.getInput(), filter.getInput().getTraitSet().replace(SparConvention.INSTANCE)),
        filter.getCondition());
  }
}
