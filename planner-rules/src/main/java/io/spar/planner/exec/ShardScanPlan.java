package io.spar.planner.exec;

import io.spar.engine.catalog.TableName;
import io.spar.engine.routing.PartitionConstraint;
import io.spar.planner.rel.SparTableScan;
import io.spar.planner.sql.ShardSql;
import io.spar.planner.sql.ShardSqlGenerator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexVisitorImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Execution plan of one pushed-down subtree: the table it reads, its SQL per relation, the
 * parameters it binds and how its result columns convert; stashed into generated code.
 */
public final class ShardScanPlan {
  private final RelNode root;
  private final SparTableScan scan;
  private final ShardSqlGenerator sql;
  private final Map<Integer, SqlTypeName> parameterTypes;
  private final List<UnaryOperator<Object>> converters;
  private final Map<String, PartitionConstraint> constraints = new ConcurrentHashMap<>();

  private ShardScanPlan(RelNode root, SparTableScan scan) {
    this.root = root;
    this.scan = scan;
    this.sql = new ShardSqlGenerator(root);
    this.parameterTypes = parameterTypes(root);
    this.converters = root.getRowType().getFieldList().stream()
        .map(RelDataTypeField::getType)
        .map(type -> InternalValues.converter(type.getSqlTypeName()))
        .toList();
  }

  /** Creates the plan of the Spar subtree {@code root}. */
  public static ShardScanPlan of(RelNode root) {
    return new ShardScanPlan(root, findScan(root));
  }

  private static SparTableScan findScan(RelNode node) {
    RelNode current = node;
    while (!(current instanceof SparTableScan)) {
      current = current.getInput(0);
    }
    return (SparTableScan) current;
  }

  /** Returns where the plan's rows come from. */
  ScanSource source() {
    return scan.source();
  }

  /** Returns the logical table the plan reads. */
  public TableName tableName() {
    return scan.tableName();
  }

  /** Returns the SQL that evaluates the subtree over relation {@code target}. */
  public ShardSql sql(TableName target) {
    return sql.render(target);
  }

  /** Returns the constraint the subtree's filters put on partition column {@code column}. */
  public PartitionConstraint constraint(String column) {
    return constraints.computeIfAbsent(column, c -> ConstraintCollector.collect(root, c));
  }

  /** Returns the SQL type of each statement parameter the subtree uses, by index. */
  public Map<Integer, SqlTypeName> parameterTypes() {
    return parameterTypes;
  }

  /** Returns the number of result columns. */
  int fieldCount() {
    return converters.size();
  }

  /** Returns the internal form of value {@code value} of result column {@code column}. */
  Object internal(int column, Object value) {
    return value == null ? null : converters.get(column).apply(value);
  }

  private static Map<Integer, SqlTypeName> parameterTypes(RelNode root) {
    Map<Integer, SqlTypeName> result = new TreeMap<>();
    RexVisitorImpl<Void> visitor = new RexVisitorImpl<>(true) {
      @Override
      public Void visitDynamicParam(RexDynamicParam param) {
        result.put(param.getIndex(), param.getType().getSqlTypeName());
        return null;
      }
    };
    for (RelNode node = root; node != null;
        node = node.getInputs().isEmpty() ? null : node.getInput(0)) {
      if (node instanceof Filter filter) {
        filter.getCondition().accept(visitor);
      } else if (node instanceof Project project) {
        project.getProjects().forEach((RexNode each) -> each.accept(visitor));
      }
    }
    return Map.copyOf(result);
  }
}
