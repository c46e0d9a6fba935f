package io.spar.engine.execution;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Classification of errors from nodes: whether the node failed, or the statement did.
 *
 * <p>Only node failures make a placement INACTIVE; a statement error such as a constraint
 * violation would fail identically on every placement and is the user's to see.
 */
public final class Failures {
  private Failures() {
  }

  /** Returns whether {@code e} means the node or the connection to it failed. */
  public static boolean isNodeFailure(SQLException e) {
    if (e instanceof SQLTransientConnectionException) {
      // HikariCP times out without a cause when the pool is merely exhausted; the node is fine.
      return e.getCause() instanceof SQLException cause && isNodeFailure(cause);
    }
    if (e instanceof SQLNonTransientConnectionException) {
      return true;
    }
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.equals("57P01")
        || state.equals("57P02") || state.equals("57P03"));
  }
}
