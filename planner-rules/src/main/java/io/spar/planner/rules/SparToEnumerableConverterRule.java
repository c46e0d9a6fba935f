package io.spar.planner.rules;

import io.spar.planner.rel.SparConvention;
import io.spar.planner.rel.SparToEnumerableConverter;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;

/**
 * Rule that puts a {@link SparToEnumerableConverter} on top of a Spar subtree, where the plan
 * leaves the shards and continues at the coordinator.
 */
public final class SparToEnumerableConverterRule extends ConverterRule {
  /** Default configuration: any relational expression in Spar's convention. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(RelNode.class, SparConvention.INSTANCE, EnumerableConvention.INSTANCE,
          "SparToEnumerableConverterRule")
      .withRuleFactory(SparToEnumerableConverterRule::new);

  /** Creates a rule from {@code config}. */
  private SparToEnumerableConverterRule(Config config) {
    super(config);
  }

  /** Creates the rule with the default configuration. */
  public static SparToEnumerableConverterRule create() {
    return (SparToEnumerableConverterRule) DEFAULT_CONFIG.toRule();
  }

  @Override
  public RelNode convert(RelNode rel) {
    return new SparToEnumerableConverter(rel.getCluster(),
        rel.getTraitSet().replace(EnumerableConvention.INSTANCE), rel);
  }
}
