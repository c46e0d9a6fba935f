package io.spar.engine.execution;

/**
 * Outcome of a modification: its row count, and its rows if it returned any.
 */
public record WriteResult(long updateCount, RowSet rows) {
}
