package io.spar.engine.routing;

import java.util.List;

/**
 * Value compared with the partition column: a constant known when the statement is planned, or
 * a statement parameter bound when it executes.
 */
public sealed interface PartitionValue {

  /** Returns the value, reading parameters from {@code parameters} (0-based). */
  Object resolve(List<Object> parameters);

  /** Constant value; null stands for SQL NULL. */
  record Constant(Object value) implements PartitionValue {
    @Override
    public Object resolve(List<Object> parameters) {
      return value;
    }
  }

  /** Statement parameter at 0-based position {@code index}. */
  record Parameter(int index) implements PartitionValue {
    @Override
    public Object resolve(List<Object> parameters) {
      if (index >= parameters.size()) {
        throw new IllegalArgumentException("no value specified for parameter " + (index + 1));
      }
      return parameters.get(index);
    }
  }
}
