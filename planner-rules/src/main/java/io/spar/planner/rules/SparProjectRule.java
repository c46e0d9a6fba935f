package io.spar.planner.rules;

import io.spar.planner.rel.SparConvention;
import io.spar.planner.rel.SparProject;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rex.RexUtil;

/**
 * Rule that converts a logical projection whose expressions PostgreSQL evaluates identically to
 * a {@link SparProject}, so that shards return only the columns the coordinator needs.
 */
public final class SparProjectRule extends ConverterRule {
  /** Default configuration: logical projections with pushable, uncorrelated expressions. */
  public static final Config DEFAULT_CONFIG = Config.INSTANCE
      .withConversion(Project.class, SparProjectRule::isPushable, Convention.NONE,
          SparConvention.INSTANCE, "SparProjectRule")
      .withRuleFactory(SparProjectRule::new);

  /** Creates a rule from {@code config}. */
  private SparProjectRule(Config config) {
    super(config);
  }

  /** Creates the rule with the default configuration. */
  public static SparProjectRule create() {
    return (SparProjectRule) DEFAULT_CONFIG.toRule();
  }

  /**
   * Returns whether a shard may evaluate {@code project}; an empty projection stays at the
   * coordinator because it has no SELECT-list spelling.
   */
  static boolean isPushable(Project project) {
    return !project.getProjects().isEmpty() && project.getVariablesSet().isEmpty()
        && !project.containsOver()
        && project.getProjects().stream().noneMatch(RexUtil::containsCorrelation)
        && PushableExpressions.all(project.getProjects());
  }

  @Override
  public RelNode convert(RelNode rel) {
    Project project = (Project) rel;
    return new SparProject(rel.getCluster(), rel.getTraitSet().replace(SparConvention.INSTANCE),
        convert(project.getInput(),
            project.getInput().getTraitSet().replace(SparConvention.INSTANCE)),
        project.getProjects(), project.getRowType());
  }
}
