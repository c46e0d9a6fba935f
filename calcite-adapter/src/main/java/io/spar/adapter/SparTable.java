package io.spar.adapter;

import io.spar.planner.exec.ScanSource;
import io.spar.engine.catalog.TableName;
import io.spar.planner.rel.SparTableScan;
import io.spar.planner.rules.SparRules;
import java.util.List;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractTable;

/**
 * PostgreSQL relation seen by Calcite: a distributed table, read from its shards, or a local
 * table, view or partitioned table, read on the coordinator.
 */
final class SparTable extends AbstractTable implements TranslatableTable {
  private final TableName name;
  private final List<PgColumn> columns;
  private final ScanSource source;

  /** Creates the relation {@code name} with {@code columns} in attribute order. */
  SparTable(TableName name, List<PgColumn> columns, ScanSource source) {
    this.name = name;
    this.columns = List.copyOf(columns);
    this.source = source;
  }

  @Override
  public RelDataType getRowType(RelDataTypeFactory factory) {
    RelDataTypeFactory.Builder builder = factory.builder();
    for (PgColumn each : columns) {
      builder.add(each.name(), PgColumnTypes.toCalcite(factory, each));
    }
    return builder.build();
  }

  /**
   * Returns a scan that decides at execution time whether to read shards or the coordinator,
   * and registers Spar's rules with the planner, as Calcite's JDBC adapter registers its own:
   * a Calcite connection whose model only names Spar's tables still pushes work to the shards.
   */
  @Override
  public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable relOptTable) {
    SparRules.register(context.getCluster().getPlanner());
    return new SparTableScan(context.getCluster(), relOptTable, name, source);
  }
}
