package io.spar.session;

import io.spar.adapter.CalciteQueryRunner;
import io.spar.commands.DdlCommands;
import io.spar.commands.ShardDdlRunner;
import io.spar.commands.SqlApiCall;
import io.spar.commands.SqlApiFunctions;
import io.spar.engine.SparEngine;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.operations.DistributionOperations;
import io.spar.engine.operations.OperationException;
import java.sql.SQLException;
import java.util.List;

/**
 * One user session: the statement pipeline behind a {@code jdbc:spar:} connection.
 *
 * <p>A statement is classified by its first keyword; queries and modifications are parsed and
 * routed by {@link StatementRouter}, DDL goes to {@link DdlCommands}, and session commands run
 * on the session's coordinator connection.
 */
public final class SparSession implements AutoCloseable {
  private final SparEngine engine;
  private final SessionConnections connections;
  private final CoordinatorExecutor coordinator;
  private final SearchPath searchPath;
  private final CalciteQueryRunner calcite;
  private DdlCommands ddl;
  private StatementRouter router;

  /** Creates a session on {@code engine}. */
  public SparSession(SparEngine engine) {
    this.engine = engine;
    this.connections = engine.openSession();
    this.coordinator = new CoordinatorExecutor(connections, engine.statementLog());
    this.searchPath = new SearchPath(connections);
    this.calcite = new CalciteQueryRunner(engine, connections);
  }

  /** Returns the engine this session runs on. */
  public SparEngine engine() {
    return engine;
  }

  /** Returns the node connections this session holds. */
  public SessionConnections connections() {
    return connections;
  }

  /**
   * Runs one SQL statement with its parameters (0-based list, one per {@code ?} placeholder)
   * and returns its result.
   */
  public StatementResult execute(String sql, List<Object> parameters) throws SQLException {
    try {
      return dispatch(sql, parameters);
    } catch (OperationException e) {
      throw SparErrors.error(e.getSQLState(), e.getMessage(), e.detail(), e.hint());
    } finally {
      connections.releaseWorkers();
    }
  }

  private StatementResult dispatch(String sql, List<Object> parameters) throws SQLException {
    switch (StatementKind.of(sql)) {
      case QUERY:
      case MODIFICATION:
        return router().execute(sql, parameters);
      case DDL:
        StatementResult result = ddl().execute(sql, parameters);
        searchPath.refresh();
        return result;
      case TRANSACTION_CONTROL:
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
            "multi-statement transactions are not supported yet");
      case EXPLAIN:
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
            "EXPLAIN of distributed statements is not supported yet");
      default:
        StatementResult other = coordinator.execute(sql, parameters);
        searchPath.refresh();
        return other;
    }
  }

  private StatementRouter router() {
    if (router == null) {
      SqlApiFunctions functions = new SqlApiFunctions(operations(), coordinator, connections);
      router = new StatementRouter(engine, connections, coordinator, searchPath, calcite,
          functions);
    }
    return router;
  }

  private DdlCommands ddl() {
    if (ddl == null) {
      ddl = new DdlCommands(coordinator, connections, engine.metadata(),
          new ShardDdlRunner(engine.pools(), engine.statementLog()));
    }
    return ddl;
  }

  private DistributionOperations operations() {
    return new DistributionOperations(engine.pools(), engine.metadata(), engine.statementLog());
  }

  @Override
  public void close() {
    calcite.close();
    connections.close();
  }
}
