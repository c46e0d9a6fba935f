package io.spar.planner.rel;

import io.spar.engine.catalog.TableName;
import io.spar.planner.exec.ShardScanPlan;
import io.spar.planner.exec.SparRuntime;
import io.spar.planner.sql.ShardSqlGenerator;
import java.util.List;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.ConventionTraitDef;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.convert.ConverterImpl;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.sql.SqlExplainLevel;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Relational expression that runs a Spar subtree on the shards and hands its rows, in Calcite's
 * internal representation, to the Enumerable operators above it.
 */
public final class SparToEnumerableConverter extends ConverterImpl implements EnumerableRel {

  /** Creates a converter of the Spar subtree {@code input}. */
  public SparToEnumerableConverter(RelOptCluster cluster, RelTraitSet traits, RelNode input) {
    super(cluster, ConventionTraitDef.INSTANCE, traits, input);
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new SparToEnumerableConverter(getCluster(), traitSet, sole(inputs));
  }

  @Override
  public @Nullable RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    RelOptCost cost = super.computeSelfCost(planner, mq);
    return cost == null ? null : cost.multiplyBy(0.1);
  }

  /**
   * Shows, in EXPLAIN, the SQL each shard receives; digests leave it out, since rendering it is
   * not free and the input already identifies the subtree.
   */
  @Override
  public RelWriter explainTerms(RelWriter pw) {
    RelWriter writer = super.explainTerms(pw);
    if (pw.getDetailLevel() == SqlExplainLevel.DIGEST_ATTRIBUTES) {
      return writer;
    }
    TableName table = ShardScanPlan.of(getInput()).tableName();
    String sql = new ShardSqlGenerator(getInput())
        .render(new TableName(table.schema(), table.name() + "_<shardid>")).sql();
    return writer.item("sqlPerShard", sql.replace('\n', ' '));
  }

  /**
   * Generates {@code return SparRuntime.scan(plan, root);} with the plan stashed in the data
   * context, so that shards are chosen when the statement runs, with its parameter values.
   */
  @Override
  public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(),
        JavaRowFormat.ARRAY.optimize(getRowType()));
    Expression plan = implementor.stash(ShardScanPlan.of(getInput()), ShardScanPlan.class);
    BlockBuilder builder = new BlockBuilder();
    builder.add(Expressions.return_(null,
        Expressions.call(SparRuntime.class, "scan", plan, DataContext.ROOT)));
    return implementor.result(physType, builder.toBlock());
  }
}
