package io.spar.session;

import io.spar.adapter.CalciteQueryRunner;
import io.spar.commands.DdlCommands;
import io.spar.commands.ShardDdlRunner;
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
 * <p>A statement is classified by its first keyword; queries and modifications are planned
 * once per text by {@link StatementPlanner} (plans are cached until the catalog changes), DDL
 * goes to {@link DdlCommands}, and session commands run on the session's coordinator
 * connection.
 */
public final class SparSession implements AutoCloseable {
  private final SparEngine engine;
  private final SessionContext context;
  private final CalciteQueryRunner calcite;
  private final PlanCache plans = new PlanCache();
  private final StatementPlanner planner;
  private final DdlCommands ddl;

  /** Creates a session on {@code engine}. */
  public SparSession(SparEngine engine) {
    this.engine = engine;
    SessionConnections connections = engine.openSession();
    CoordinatorExecutor coordinator = new CoordinatorExecutor(connections, engine.statementLog());
    this.context = new SessionContext(connections, coordinator, new SearchPath(connections));
    this.calcite = new CalciteQueryRunner(engine, connections);
    DistributionOperations operations =
        new DistributionOperations(engine.pools(), engine.metadata(), engine.statementLog());
    this.planner = new StatementPlanner(engine, context, calcite,
        new SqlApiFunctions(operations, coordinator, connections));
    this.ddl = new DdlCommands(coordinator, connections, engine.metadata(),
        new ShardDdlRunner(engine.pools(), engine.statementLog()));
  }

  /** Returns the engine this session runs on. */
  public SparEngine engine() {
    return engine;
  }

  /** Returns the node connections this session holds. */
  public SessionConnections connections() {
    return context.connections();
  }

  /**
   * Runs one SQL statement with its parameters (0-based list, one per {@code ?} or
   * {@code $n} placeholder) and returns its result.
   */
  public StatementResult execute(String sql, List<Object> parameters) throws SQLException {
    try {
      return dispatch(sql, parameters);
    } catch (OperationException e) {
      throw SparErrors.error(e.getSQLState(), e.getMessage(), e.detail(), e.hint());
    } finally {
      context.connections().releaseWorkers();
    }
  }

  /**
   * Runs one statement once per parameter set, as JDBC's {@code executeBatch}; modifications
   * of distributed tables go out as one batch per shard placement.
   */
  public long[] executeBatch(String sql, List<List<Object>> parameterSets) throws SQLException {
    try {
      StatementKind kind = StatementKind.of(sql);
      if (kind == StatementKind.QUERY || kind == StatementKind.MODIFICATION) {
        return plan(sql).executeBatch(parameterSets);
      }
      long[] counts = new long[parameterSets.size()];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = dispatch(sql, parameterSets.get(i)).updateCount();
      }
      return counts;
    } catch (OperationException e) {
      throw SparErrors.error(e.getSQLState(), e.getMessage(), e.detail(), e.hint());
    } finally {
      context.connections().releaseWorkers();
    }
  }

  private StatementResult dispatch(String sql, List<Object> parameters) throws SQLException {
    switch (StatementKind.of(sql)) {
      case QUERY:
      case MODIFICATION:
        return plan(sql).execute(parameters);
      case DDL:
        StatementResult result = ddl.execute(sql, parameters);
        searchPathChanged();
        return result;
      case TRANSACTION_CONTROL:
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
            "multi-statement transactions are not supported yet");
      case EXPLAIN:
        String explained = ExplainCommand.explained(sql).orElseThrow();
        StatementKind kind = StatementKind.of(explained);
        if (kind != StatementKind.QUERY && kind != StatementKind.MODIFICATION) {
          return context.coordinator().execute(sql, parameters);
        }
        return ExplainCommand.result(plan(explained).explain(parameters));
      default:
        StatementResult other = context.coordinator().execute(sql, parameters);
        searchPathChanged();
        return other;
    }
  }

  private StatementPlan plan(String sql) throws SQLException {
    long generation = engine.metadata().generation();
    StatementPlan plan = plans.get(sql, generation);
    if (plan == null) {
      plan = planner.prepare(sql);
      plans.put(sql, generation, plan);
    }
    return plan;
  }

  private void searchPathChanged() {
    context.searchPath().refresh();
    plans.clear();
  }

  @Override
  public void close() {
    calcite.close();
    context.connections().close();
  }
}
