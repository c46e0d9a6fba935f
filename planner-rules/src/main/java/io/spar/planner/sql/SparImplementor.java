package io.spar.planner.sql;

import io.spar.engine.catalog.TableName;
import io.spar.planner.rel.SparTableScan;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Converter of a Spar subtree to SQL that reads one physical relation in place of the logical
 * table: a shard, or the table itself on the coordinator.
 *
 * <p>Public because {@link RelToSqlConverter} finds its {@code visit} methods by reflection.
 */
public final class SparImplementor extends RelToSqlConverter {
  private final TableName target;

  /** Creates an implementor that reads {@code target} wherever the subtree scans its table. */
  public SparImplementor(TableName target) {
    super(SparSqlDialect.INSTANCE);
    this.target = target;
  }

  /** Returns the SQL fragment for {@code node}. */
  public Result implement(RelNode node) {
    return dispatch(node);
  }

  /** Visits a table scan, naming the target relation; called by reflection. */
  @Override
  public Result visit(TableScan e) {
    if (!(e instanceof SparTableScan)) {
      return super.visit(e);
    }
    SqlIdentifier identifier =
        new SqlIdentifier(List.of(target.schema(), target.name()), SqlParserPos.ZERO);
    return result(identifier, List.of(Clause.FROM), e, null);
  }
}
