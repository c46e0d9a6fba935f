package io.spar.planner.rel;

import io.spar.planner.sql.SparImplementor;
import org.apache.calcite.rel.RelNode;

/**
 * Relational expression that uses Spar's calling convention: it runs on shards as SQL.
 */
public interface SparRel extends RelNode {

  /** Returns the SQL fragment for this expression, built by {@code implementor}. */
  SparImplementor.Result implement(SparImplementor implementor);
}
