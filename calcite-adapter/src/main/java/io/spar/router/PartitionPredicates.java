package io.spar.router;

import io.spar.engine.routing.PartitionConstraint;
import io.spar.engine.routing.PartitionConstraint.Comparison;
import io.spar.engine.routing.PartitionValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.util.NlsString;

/**
 * Extractor of the partition-column predicates of a WHERE clause, as a
 * {@link PartitionConstraint} the engine's pruner understands.
 *
 * <p>It recognizes {@code =}, {@code IN}, the comparisons, {@code IS NULL}, {@code AND} and
 * {@code OR} against constants and parameters; anything else constrains nothing, which is
 * always safe because it only prunes less.
 */
public final class PartitionPredicates {
  private final TableReference reference;
  private final String column;

  private PartitionPredicates(TableReference reference, String column) {
    this.reference = reference;
    this.column = column;
  }

  /** Returns what the WHERE clause of {@code reference} says about {@code column}. */
  public static PartitionConstraint extract(TableReference reference, String column) {
    if (reference.where() == null) {
      return PartitionConstraint.UNCONSTRAINED;
    }
    return new PartitionPredicates(reference, column).convert(reference.where());
  }

  private PartitionConstraint convert(SqlNode node) {
    if (!(node instanceof SqlCall call)) {
      return literalBoolean(node);
    }
    return switch (call.getKind()) {
      case AND -> new PartitionConstraint.And(convertAll(call));
      case OR -> new PartitionConstraint.Or(convertAll(call));
      case EQUALS -> comparison(call, null);
      case LESS_THAN -> comparison(call, Comparison.LESS);
      case LESS_THAN_OR_EQUAL -> comparison(call, Comparison.LESS_OR_EQUAL);
      case GREATER_THAN -> comparison(call, Comparison.GREATER);
      case GREATER_THAN_OR_EQUAL -> comparison(call, Comparison.GREATER_OR_EQUAL);
      case IN -> in(call);
      case IS_NULL -> isColumn(call.operand(0))
          ? new PartitionConstraint.IsNull() : PartitionConstraint.UNCONSTRAINED;
      default -> PartitionConstraint.UNCONSTRAINED;
    };
  }

  private PartitionConstraint literalBoolean(SqlNode node) {
    if (node instanceof SqlLiteral literal && literal.getValue() instanceof Boolean value
        && !value) {
      return PartitionConstraint.NONE;
    }
    return PartitionConstraint.UNCONSTRAINED;
  }

  private List<PartitionConstraint> convertAll(SqlCall call) {
    List<PartitionConstraint> terms = new ArrayList<>();
    for (SqlNode each : call.getOperandList()) {
      terms.add(convert(each));
    }
    return terms;
  }

  private PartitionConstraint comparison(SqlCall call, Comparison op) {
    SqlNode left = call.operand(0);
    SqlNode right = call.operand(1);
    boolean flipped = !isColumn(left) && isColumn(right);
    if (flipped) {
      SqlNode swap = left;
      left = right;
      right = swap;
    }
    Optional<PartitionValue> value = value(right);
    if (!isColumn(left) || value.isEmpty()) {
      return PartitionConstraint.UNCONSTRAINED;
    }
    if (op == null) {
      return new PartitionConstraint.Equals(value.get());
    }
    return new PartitionConstraint.Compare(flipped ? flip(op) : op, value.get());
  }

  private static Comparison flip(Comparison op) {
    return switch (op) {
      case LESS -> Comparison.GREATER;
      case LESS_OR_EQUAL -> Comparison.GREATER_OR_EQUAL;
      case GREATER -> Comparison.LESS;
      case GREATER_OR_EQUAL -> Comparison.LESS_OR_EQUAL;
    };
  }

  private PartitionConstraint in(SqlCall call) {
    if (!isColumn(call.operand(0)) || !(call.operand(1) instanceof SqlNodeList list)) {
      return PartitionConstraint.UNCONSTRAINED;
    }
    List<PartitionConstraint> terms = new ArrayList<>();
    for (SqlNode each : list) {
      Optional<PartitionValue> value = value(each);
      if (value.isEmpty()) {
        return PartitionConstraint.UNCONSTRAINED;
      }
      terms.add(new PartitionConstraint.Equals(value.get()));
    }
    return new PartitionConstraint.Or(terms);
  }

  private boolean isColumn(SqlNode node) {
    if (!(node instanceof SqlIdentifier identifier)) {
      return false;
    }
    List<String> names = identifier.names;
    if (names.size() == 1) {
      return reference.soleTable() && names.get(0).equals(column);
    }
    return names.size() == 2 && names.get(0).equals(reference.qualifier())
        && names.get(1).equals(column);
  }

  /** Returns the constant or parameter that {@code node} denotes, if it is one. */
  static Optional<PartitionValue> value(SqlNode node) {
    if (node instanceof SqlDynamicParam param) {
      return Optional.of(new PartitionValue.Parameter(param.getIndex()));
    }
    if (node instanceof SqlNumericLiteral number) {
      return Optional.of(new PartitionValue.Constant(number.bigDecimalValue()));
    }
    if (node instanceof SqlCharStringLiteral string) {
      return Optional.of(new PartitionValue.Constant(string.getValueAs(NlsString.class).getValue()));
    }
    if (node instanceof SqlLiteral literal && literal.getTypeName().getFamily() != null
        && literal.getValue() != null && !(literal.getValue() instanceof Boolean)) {
      // DATE '…', TIMESTAMP '…': PostgreSQL's literal text parses back to the same value.
      return Optional.of(new PartitionValue.Constant(literal.toValue()));
    }
    if (node instanceof SqlBasicCall call && call.getKind() == SqlKind.CAST) {
      return value(call.operand(0));
    }
    if (node instanceof SqlBasicCall call && call.getKind() == SqlKind.MINUS_PREFIX
        && call.operand(0) instanceof SqlNumericLiteral number) {
      return Optional.of(new PartitionValue.Constant(number.bigDecimalValue().negate()));
    }
    return Optional.empty();
  }
}
