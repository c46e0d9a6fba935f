package io.spar.planner.rel;

import io.spar.planner.exec.ScanSource;
import io.spar.engine.catalog.TableName;
import io.spar.planner.sql.SparImplementor;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.TableScan;

/**
 * Scan of a PostgreSQL table in Spar's convention: of every shard of a distributed table, or of
 * the table itself on the coordinator when it is local.
 *
 * <p>Whether the table is distributed is decided at execution time from the current catalog, so
 * a plan stays correct when shards are created after the table.
 */
public final class SparTableScan extends TableScan implements SparRel {
  private final TableName tableName;
  private final ScanSource source;

  /** Creates a scan of {@code table}, named {@code tableName} in PostgreSQL. */
  public SparTableScan(RelOptCluster cluster, RelOptTable table, TableName tableName,
      ScanSource source) {
    super(cluster, cluster.traitSetOf(SparConvention.INSTANCE), List.of(), table);
    this.tableName = tableName;
    this.source = source;
  }

  /** Returns the table's name in PostgreSQL. */
  public TableName tableName() {
    return tableName;
  }

  /** Returns where the scan's rows come from; null in planner tests. */
  public ScanSource source() {
    return source;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return this;
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("relation", tableName);
  }

  @Override
  public SparImplementor.Result implement(SparImplementor implementor) {
    return implementor.implement(this);
  }
}
