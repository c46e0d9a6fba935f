package io.spar.planner.prune;

import io.spar.engine.routing.PartitionConstraint;
import io.spar.engine.routing.PartitionConstraint.And;
import io.spar.engine.routing.PartitionConstraint.Compare;
import io.spar.engine.routing.PartitionConstraint.Comparison;
import io.spar.engine.routing.PartitionConstraint.Equals;
import io.spar.engine.routing.PartitionConstraint.IsNull;
import io.spar.engine.routing.PartitionConstraint.Or;
import io.spar.engine.routing.PartitionValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUnknownAs;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.Sarg;

/**
 * Extractor of the constraint a filter condition puts on the partition column.
 *
 * <p>The result may allow more than the condition (anything not understood is unconstrained)
 * but never less, so pruning with it never drops a shard that holds a matching row.
 */
public final class PartitionConstraintExtractor {
  private final int partitionColumn;

  private PartitionConstraintExtractor(int partitionColumn) {
    this.partitionColumn = partitionColumn;
  }

  /**
   * Returns the constraint that {@code condition} puts on input field {@code partitionColumn};
   * {@link PartitionConstraint#UNCONSTRAINED} if it cannot tell.
   */
  public static PartitionConstraint extract(RexNode condition, int partitionColumn) {
    return new PartitionConstraintExtractor(partitionColumn).visit(condition);
  }

  private PartitionConstraint visit(RexNode node) {
    if (node instanceof RexLiteral literal) {
      return Boolean.FALSE.equals(literal.getValue()) || literal.isNull()
          ? PartitionConstraint.NONE : PartitionConstraint.UNCONSTRAINED;
    }
    if (!(node instanceof RexCall call)) {
      return PartitionConstraint.UNCONSTRAINED;
    }
    return switch (call.getKind()) {
      case AND -> new And(visitAll(call.getOperands()));
      case OR -> or(visitAll(call.getOperands()));
      case IS_NULL -> isPartitionColumn(call.getOperands().get(0))
          ? new IsNull() : PartitionConstraint.UNCONSTRAINED;
      case SEARCH -> search(call);
      case EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL ->
          comparison(call);
      default -> PartitionConstraint.UNCONSTRAINED;
    };
  }

  private List<PartitionConstraint> visitAll(List<RexNode> nodes) {
    List<PartitionConstraint> result = new ArrayList<>();
    for (RexNode each : nodes) {
      result.add(visit(each));
    }
    return result;
  }

  private static PartitionConstraint or(List<PartitionConstraint> terms) {
    return terms.contains(PartitionConstraint.UNCONSTRAINED)
        ? PartitionConstraint.UNCONSTRAINED : new Or(terms);
  }

  private PartitionConstraint comparison(RexCall call) {
    RexNode left = call.getOperands().get(0);
    RexNode right = call.getOperands().get(1);
    SqlKind kind = call.getKind();
    if (!isPartitionColumn(left)) {
      if (!isPartitionColumn(right)) {
        return PartitionConstraint.UNCONSTRAINED;
      }
      RexNode swap = left;
      left = right;
      right = swap;
      kind = kind.reverse();
    }
    Optional<PartitionValue> value = value(right);
    if (value.isEmpty()) {
      return PartitionConstraint.UNCONSTRAINED;
    }
    return switch (kind) {
      case EQUALS -> new Equals(value.get());
      case LESS_THAN -> new Compare(Comparison.LESS, value.get());
      case LESS_THAN_OR_EQUAL -> new Compare(Comparison.LESS_OR_EQUAL, value.get());
      case GREATER_THAN -> new Compare(Comparison.GREATER, value.get());
      case GREATER_THAN_OR_EQUAL -> new Compare(Comparison.GREATER_OR_EQUAL, value.get());
      default -> PartitionConstraint.UNCONSTRAINED;
    };
  }

  private PartitionConstraint search(RexCall call) {
    if (!isPartitionColumn(call.getOperands().get(0))
        || !(call.getOperands().get(1) instanceof RexLiteral literal)) {
      return PartitionConstraint.UNCONSTRAINED;
    }
    Sarg<?> sarg = literal.getValueAs(Sarg.class);
    if (sarg == null) {
      return PartitionConstraint.UNCONSTRAINED;
    }
    return SargConstraints.of(sarg, literal.getType().getSqlTypeName(),
        sarg.nullAs == RexUnknownAs.TRUE);
  }

  private boolean isPartitionColumn(RexNode node) {
    RexNode stripped = node;
    // Widening an integer column to a wider integer type keeps every value, so it still prunes.
    if (node instanceof RexCall call && call.getKind() == SqlKind.CAST
        && SqlTypeName.INT_TYPES.contains(call.getType().getSqlTypeName())
        && SqlTypeName.INT_TYPES.contains(call.getOperands().get(0).getType().getSqlTypeName())) {
      stripped = call.getOperands().get(0);
    }
    return stripped instanceof RexInputRef ref && ref.getIndex() == partitionColumn;
  }

  /** Returns the constant or parameter that {@code node} denotes, if it is one. */
  static Optional<PartitionValue> value(RexNode node) {
    if (node instanceof RexDynamicParam param) {
      return Optional.of(new PartitionValue.Parameter(param.getIndex()));
    }
    if (node instanceof RexCall call && call.getKind() == SqlKind.CAST
        && call.getOperands().get(0) instanceof RexDynamicParam) {
      return value(call.getOperands().get(0));
    }
    if (node instanceof RexLiteral literal) {
      return LiteralValues.of(literal)
          .map(v -> new PartitionValue.Constant(v.orElse(null)));
    }
    return Optional.empty();
  }
}
