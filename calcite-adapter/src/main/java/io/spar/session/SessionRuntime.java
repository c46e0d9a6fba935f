package io.spar.session;

import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.ShardQuery;
import io.spar.multishard.MultiShardQuery;
import io.spar.outcome.StatementResult;
import java.sql.SQLException;
import java.util.List;

/**
 * What a multi-shard plan uses of the session running it: its transaction's reads on the
 * shards, and its coordinator connection for the coordinator's part of the query.
 */
final class SessionRuntime implements MultiShardQuery.Runtime {
  private final SparEngine engine;
  private final SessionContext context;
  private final CatalogSnapshot snapshot;
  private final boolean leavesNoState;

  /**
   * Creates the runtime of a query in {@code context}; {@code leavesNoState} if the query calls
   * no volatile function, so that its coordinator part cannot leave session state behind.
   */
  SessionRuntime(SparEngine engine, SessionContext context, CatalogSnapshot snapshot,
      boolean leavesNoState) {
    this.engine = engine;
    this.context = context;
    this.snapshot = snapshot;
    this.leavesNoState = leavesNoState;
  }

  @Override
  public CatalogSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public NodeAddress coordinatorNode() {
    return engine.coordinator();
  }

  @Override
  public RowSet.Reader valueReader() {
    return context.connections().valueForm().reader();
  }

  @Override
  public RowSet read(List<ShardQuery> queries, boolean lockRows, RowSet.Reader reader)
      throws SQLException {
    return engine.reads().execute(queries, context.transaction().current(), lockRows, reader);
  }

  @Override
  public RowSet stream(List<ShardQuery> queries) throws SQLException {
    return engine.reads().stream(queries, context.transaction().current());
  }

  @Override
  public StatementResult coordinator(String sql, List<Object> parameters) throws SQLException {
    return context.coordinator().execute(sql, parameters, leavesNoState);
  }
}
