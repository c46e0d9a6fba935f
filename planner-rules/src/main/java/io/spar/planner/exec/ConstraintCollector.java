package io.spar.planner.exec;

import io.spar.engine.routing.PartitionConstraint;
import io.spar.planner.prune.PartitionConstraintExtractor;
import io.spar.planner.rel.SparFilter;
import io.spar.planner.rel.SparProject;
import io.spar.planner.rel.SparTableScan;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;

/**
 * Collector of the partition constraint of every filter in a Spar subtree, following the
 * partition column through projections.
 */
final class ConstraintCollector {
  /** Constraint found so far and where the partition column is in the current row (-1: gone). */
  private record State(PartitionConstraint constraint, int column) {
  }

  private ConstraintCollector() {
  }

  /** Returns the conjunction of the constraints the subtree's filters put on {@code column}. */
  static PartitionConstraint collect(RelNode root, String column) {
    return visit(root, column).constraint();
  }

  private static State visit(RelNode node, String column) {
    if (node instanceof SparTableScan scan) {
      RelDataTypeField field = scan.getRowType().getField(column, true, false);
      return new State(PartitionConstraint.UNCONSTRAINED, field == null ? -1 : field.getIndex());
    }
    State input = visit(node.getInput(0), column);
    if (node instanceof SparFilter filter && input.column() >= 0) {
      PartitionConstraint own =
          PartitionConstraintExtractor.extract(filter.getCondition(), input.column());
      return new State(and(input.constraint(), own), input.column());
    }
    if (node instanceof SparProject project) {
      return new State(input.constraint(), projected(project.getProjects(), input.column()));
    }
    return input;
  }

  private static PartitionConstraint and(PartitionConstraint left, PartitionConstraint right) {
    if (left == PartitionConstraint.UNCONSTRAINED) {
      return right;
    }
    return right == PartitionConstraint.UNCONSTRAINED
        ? left : new PartitionConstraint.And(List.of(left, right));
  }

  private static int projected(List<RexNode> projects, int column) {
    for (int i = 0; i < projects.size(); i++) {
      if (projects.get(i) instanceof RexInputRef ref && ref.getIndex() == column) {
        return i;
      }
    }
    return -1;
  }
}
