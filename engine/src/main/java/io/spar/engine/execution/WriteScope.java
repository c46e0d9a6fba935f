package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Transaction that modifications run in: it lends node connections and keeps track of what
 * was written where, and of the nodes that failed, until it commits or rolls back.
 */
public interface WriteScope {

  /** Returns whether one statement may run in autocommit mode on its node, outside any 2PC. */
  boolean allowsAutocommit();

  /** Returns the connection to {@code placement}'s node with this transaction open on it. */
  Connection connection(ShardPlacement placement) throws SQLException;

  /** Returns the node connection in autocommit mode, for a write that needs no transaction. */
  Connection autocommitConnection(NodeAddress node) throws SQLException;

  /** Returns whether {@code node} failed earlier in this transaction. */
  boolean hasFailed(NodeAddress node);

  /**
   * Records that {@code placement} of {@code routed}, the shard as the write was routed, was
   * written on its node in this transaction.
   */
  void written(Shard routed, ShardPlacement placement, boolean replicated);

  /**
   * Records that {@code node} failed while writing {@code placement}: every placement this
   * transaction wrote there is lost and will be marked INACTIVE when it commits.
   */
  void nodeFailed(ShardPlacement placement, SQLException cause);

  /** Records that {@code placement} was skipped because its node failed earlier. */
  void skipped(ShardPlacement placement);

  /** Returns whether shard {@code shardId} keeps a written placement on a healthy node. */
  boolean hasLivePlacement(long shardId);

  /** Returns the first node failure, to report when a shard has no placement left. */
  SQLException firstNodeFailure();

  /** Returns the form in which the session reads the rows writes return. */
  default ValueForm valueForm() {
    return ValueForm.OBJECTS;
  }
}
