package io.spar.engine.execution;

import io.spar.engine.catalog.Shard;
import java.sql.SQLException;

/**
 * PostgreSQL's 57014 for a write to a shard placement that was cancelled from outside the
 * session, as a placement copy cancels the writers that take no shard lock queued behind its
 * fence once the catalog names the new placement; the session can then tell a stale route (and
 * retry) from a cancel.
 */
public final class WriteCancelled extends SQLException {
  private static final long serialVersionUID = 1L;

  private final transient Shard routed;

  WriteCancelled(Shard routed, SQLException cause) {
    super(cause.getMessage(), cause.getSQLState(), cause);
    this.routed = routed;
  }

  /** Returns the shard whose write was cancelled, with the placements it was routed by. */
  public Shard routed() {
    return routed;
  }
}
