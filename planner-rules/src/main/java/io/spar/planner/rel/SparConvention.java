package io.spar.planner.rel;

import io.spar.planner.rules.SparRules;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptPlanner;

/**
 * Calling convention for relational expressions that run on every shard of one table.
 *
 * <p>One instance serves all tables: a Spar subtree always holds exactly one table scan, because
 * no rule pushes joins, so the tables never need separate conventions.
 */
public final class SparConvention extends Convention.Impl {
  /** The only instance. */
  public static final SparConvention INSTANCE = new SparConvention();

  private SparConvention() {
    super("SPAR", SparRel.class);
  }

  @Override
  public void register(RelOptPlanner planner) {
    SparRules.register(planner);
  }
}
