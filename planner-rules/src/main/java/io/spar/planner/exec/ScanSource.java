package io.spar.planner.exec;

import io.spar.engine.SparEngine;
import io.spar.engine.execution.ReadScope;
import java.util.function.Supplier;

/**
 * Where a scan's rows come from: the engine whose catalog and executors serve it, and the
 * session's transaction, whose work and snapshot its reads must see.
 *
 * @param engine the engine
 * @param scope the transaction of the statement that runs the scan
 */
public record ScanSource(SparEngine engine, Supplier<ReadScope> scope) {
}
