package io.spar.engine.routing;

import java.util.List;

/**
 * What a statement's predicates say about the partition column, reduced to the forms that can
 * prune shards; everything else is {@link Unconstrained}.
 */
public sealed interface PartitionConstraint {

  /** Constraint that allows every shard. */
  PartitionConstraint UNCONSTRAINED = new Unconstrained();

  /** Constraint that no row satisfies, such as {@code k = 1 AND k = 2} or {@code FALSE}. */
  PartitionConstraint NONE = new Or(List.of());

  /** No usable predicate on the partition column. */
  record Unconstrained() implements PartitionConstraint {
  }

  /** {@code column = value}. A NULL value matches no row. */
  record Equals(PartitionValue value) implements PartitionConstraint {
  }

  /** {@code column op value} for one of the comparison operators. */
  record Compare(Comparison op, PartitionValue value) implements PartitionConstraint {
  }

  /** {@code column IS NULL}: no shard holds such rows. */
  record IsNull() implements PartitionConstraint {
  }

  /** Conjunction; no terms means TRUE. */
  record And(List<PartitionConstraint> terms) implements PartitionConstraint {
    public And {
      terms = List.copyOf(terms);
    }
  }

  /** Disjunction; no terms means FALSE. */
  record Or(List<PartitionConstraint> terms) implements PartitionConstraint {
    public Or {
      terms = List.copyOf(terms);
    }
  }

  /** Comparison operator of a {@link Compare} constraint. */
  enum Comparison {
    LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL
  }
}
