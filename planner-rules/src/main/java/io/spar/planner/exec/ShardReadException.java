package io.spar.planner.exec;

import java.sql.SQLException;

/**
 * Unchecked carrier of a node's {@link SQLException} through Calcite's enumerators, which
 * cannot throw checked exceptions; callers find the original in the cause chain.
 */
public final class ShardReadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates a carrier of {@code cause}, keeping its message. */
  public ShardReadException(SQLException cause) {
    super(cause.getMessage(), cause);
  }
}
