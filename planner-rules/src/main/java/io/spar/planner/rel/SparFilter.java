package io.spar.planner.rel;

import io.spar.planner.sql.SparImplementor;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexNode;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Filter in Spar's convention: a WHERE clause evaluated by every shard.
 */
public final class SparFilter extends Filter implements SparRel {

  /** Creates a filter of {@code input} by {@code condition}. */
  public SparFilter(RelOptCluster cluster, RelTraitSet traitSet, RelNode input,
      RexNode condition) {
    super(cluster, traitSet, input, condition);
  }

  @Override
  public SparFilter copy(RelTraitSet traitSet, RelNode input, RexNode condition) {
    return new SparFilter(getCluster(), traitSet, input, condition);
  }

  @Override
  public @Nullable RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    // Cheaper than the same filter at the coordinator: shards filter in parallel and ship less.
    RelOptCost cost = super.computeSelfCost(planner, mq);
    return cost == null ? null : cost.multiplyBy(0.5);
  }

  @Override
  public SparImplementor.Result implement(SparImplementor implementor) {
    return implementor.implement(this);
  }
}
