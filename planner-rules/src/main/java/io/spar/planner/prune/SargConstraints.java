package io.spar.planner.prune;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;
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
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.Sarg;

/**
 * Translation of a search argument (the points and ranges of {@code SEARCH}, which Calcite makes
 * of IN lists, BETWEEN and merged comparisons) into a partition constraint.
 */
final class SargConstraints {
  private SargConstraints() {
  }

  /** Returns the constraint of {@code sarg} over values of {@code type}. */
  static PartitionConstraint of(Sarg<?> sarg, SqlTypeName type, boolean orNull) {
    List<PartitionConstraint> terms = new ArrayList<>();
    if (orNull) {
      terms.add(new IsNull());
    }
    for (Range<?> each : sarg.rangeSet.asRanges()) {
      Optional<PartitionConstraint> term = range(each, type);
      if (term.isEmpty()) {
        return PartitionConstraint.UNCONSTRAINED;
      }
      terms.add(term.get());
    }
    return terms.size() == 1 ? terms.get(0) : new Or(terms);
  }

  private static Optional<PartitionConstraint> range(Range<?> range, SqlTypeName type) {
    if (range.hasLowerBound() && range.hasUpperBound()
        && range.lowerBoundType() == BoundType.CLOSED && range.upperBoundType() == BoundType.CLOSED
        && range.lowerEndpoint().equals(range.upperEndpoint())) {
      return constant(range.lowerEndpoint(), type).map(Equals::new);
    }
    if (!range.hasLowerBound() && !range.hasUpperBound()) {
      return Optional.empty();
    }
    List<PartitionConstraint> bounds = new ArrayList<>();
    if (range.hasLowerBound()) {
      Optional<PartitionValue> lower = constant(range.lowerEndpoint(), type);
      if (lower.isEmpty()) {
        return Optional.empty();
      }
      bounds.add(new Compare(range.lowerBoundType() == BoundType.CLOSED
          ? Comparison.GREATER_OR_EQUAL : Comparison.GREATER, lower.get()));
    }
    if (range.hasUpperBound()) {
      Optional<PartitionValue> upper = constant(range.upperEndpoint(), type);
      if (upper.isEmpty()) {
        return Optional.empty();
      }
      bounds.add(new Compare(range.upperBoundType() == BoundType.CLOSED
          ? Comparison.LESS_OR_EQUAL : Comparison.LESS, upper.get()));
    }
    return Optional.of(bounds.size() == 1 ? bounds.get(0) : new And(bounds));
  }

  private static Optional<PartitionValue> constant(Comparable<?> value, SqlTypeName type) {
    return LiteralValues.of(value, type).map(PartitionValue.Constant::new);
  }
}
