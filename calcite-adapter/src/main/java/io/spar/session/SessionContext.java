package io.spar.session;

import io.spar.commands.CoordinatorExecutor;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.execution.SessionConnections;
import java.sql.SQLException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The parts of a session that its plans use when they run.
 *
 * @param connections the session's node connections
 * @param coordinator runner of statements on the session's coordinator connection
 * @param searchPath the session's search path
 * @param transaction the session's transaction state
 * @param plans the count of plans the session made
 */
record SessionContext(SessionConnections connections, CoordinatorExecutor coordinator,
    SearchPath searchPath, SessionTransaction transaction, LongAdder plans) {

  /** Returns the distribution metadata as the session's transaction sees it. */
  CatalogSnapshot snapshot() throws SQLException {
    return transaction.catalog().snapshot();
  }
}
