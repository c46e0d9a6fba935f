package io.spar.planner.exec;

import io.spar.engine.SparEngine;
import io.spar.engine.execution.SessionConnections;

/**
 * Where a scan's rows come from: the engine whose catalog and executors serve it, and the
 * session whose transaction its reads must see.
 *
 * @param engine the engine
 * @param session the session's node connections
 */
public record ScanSource(SparEngine engine, SessionConnections session) {
}
