package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Transaction that reads run in: it decides whether a read may use any pooled connection or
 * must run on the session's connection to its node, inside the session's transaction there.
 *
 * <p>Reads join the transaction on their node when the transaction spans statements (a
 * transaction block), keeps one snapshot per node (REPEATABLE READ, SERIALIZABLE), has
 * characteristics a pooled connection lacks (READ ONLY), or locks rows ({@code FOR UPDATE}).
 * Otherwise only nodes where the transaction is already open are read through it, so that a
 * statement sees its own transaction's writes.
 */
public interface ReadScope {

  /** Returns whether reads, or row-locking reads if {@code lockRows}, must join the transaction. */
  boolean readsJoin(boolean lockRows);

  /**
   * Returns the session's connection to {@code node}, carrying the session's
   * {@link WorkerSettings}, if the transaction is open there; else null.
   */
  Connection joined(NodeAddress node) throws SQLException;

  /** Returns the session's settings that a pooled connection carries for one of its reads. */
  WorkerSettings workerSettings() throws SQLException;

  /**
   * Opens the transaction on {@code node} if it is not open there yet and returns the session's
   * connection to it.
   */
  Connection join(NodeAddress node) throws SQLException;

  /** Returns the session's connection to the coordinator, for reads of its own tables. */
  Connection coordinator(boolean lockRows) throws SQLException;

  /**
   * Records that {@code node} failed while it served a read of this transaction; whatever the
   * transaction wrote there is lost.
   */
  void readNodeFailed(NodeAddress node, SQLException cause);

  /** Returns the connections the session's running statement uses, for cancelling it. */
  RunningQueries running();

  /** Returns the form in which the session reads values. */
  default ValueForm valueForm() {
    return ValueForm.OBJECTS;
  }
}
