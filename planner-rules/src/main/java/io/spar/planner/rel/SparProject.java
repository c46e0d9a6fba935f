package io.spar.planner.rel;

import io.spar.planner.sql.SparImplementor;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexNode;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Projection in Spar's convention: a SELECT list evaluated by every shard.
 */
public final class SparProject extends Project implements SparRel {

  /** Creates a projection of {@code input} to {@code projects}. */
  public SparProject(RelOptCluster cluster, RelTraitSet traitSet, RelNode input,
      List<? extends RexNode> projects, RelDataType rowType) {
    super(cluster, traitSet, List.of(), input, projects, rowType, java.util.Set.of());
  }

  @Override
  public SparProject copy(RelTraitSet traitSet, RelNode input, List<RexNode> projects,
      RelDataType rowType) {
    return new SparProject(getCluster(), traitSet, input, projects, rowType);
  }

  @Override
  public @Nullable RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    // Cheaper than the same projection at the coordinator: shards ship fewer columns.
    RelOptCost cost = super.computeSelfCost(planner, mq);
    return cost == null ? null : cost.multiplyBy(0.5);
  }

  @Override
  public SparImplementor.Result implement(SparImplementor implementor) {
    return implementor.implement(this);
  }
}
