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
import java.util.Optional;

/**
 * One user session: the statement pipeline behind a {@code jdbc:spar:} connection.
 *
 * <p>A statement is classified by its first keyword; queries and modifications are planned
 * once per text by {@link StatementPlanner} (plans are cached until the catalog changes), DDL
 * goes to {@link DdlCommands}, transaction control to {@link SessionTransaction}, and session
 * commands run on the session's coordinator connection.
 */
public final class SparSession implements AutoCloseable {
  private final SparEngine engine;
  private final SessionContext context;
  private final CalciteQueryRunner calcite;
  private final PlanCache plans = new PlanCache();
  private final StatementPlanner planner;
  private final DdlCommands ddl;
  private final SparSettings settings;

  /** Creates a session on {@code engine}. */
  public SparSession(SparEngine engine) {
    this.engine = engine;
    SessionConnections connections = engine.openSession();
    CoordinatorExecutor coordinator = new CoordinatorExecutor(connections, engine.statementLog());
    this.context = new SessionContext(connections, coordinator, new SearchPath(connections),
        new SessionTransaction(engine, connections));
    this.calcite = new CalciteQueryRunner(engine, connections);
    DistributionOperations operations =
        new DistributionOperations(engine.pools(), engine.metadata(), engine.statementLog());
    this.planner = new StatementPlanner(engine, context, calcite,
        new SqlApiFunctions(operations, coordinator, connections));
    this.settings = new SparSettings(engine);
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
    return inStatement(() -> dispatch(sql, parameters));
  }

  /**
   * Runs one statement once per parameter set, as JDBC's {@code executeBatch}; modifications
   * of distributed tables go out as one batch per shard placement, in one transaction.
   */
  public long[] executeBatch(String sql, List<List<Object>> parameterSets) throws SQLException {
    return inStatement(() -> {
      StatementKind kind = StatementKind.of(sql);
      if (kind == StatementKind.QUERY || kind == StatementKind.MODIFICATION) {
        return plan(sql).executeBatch(parameterSets);
      }
      long[] counts = new long[parameterSets.size()];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = dispatch(sql, parameterSets.get(i)).updateCount();
      }
      return counts;
    });
  }

  /** Returns whether JDBC autocommit is on. */
  public boolean getAutoCommit() {
    return context.transaction().autoCommit();
  }

  /** Sets JDBC autocommit; turning it on commits an open transaction. */
  public void setAutoCommit(boolean on) throws SQLException {
    try {
      context.transaction().setAutoCommit(on);
    } finally {
      releaseIfIdle();
    }
  }

  /** Commits the open transaction, with two-phase commit when it wrote to several nodes. */
  public void commit() throws SQLException {
    try {
      context.transaction().commit();
    } finally {
      releaseIfIdle();
    }
  }

  /** Rolls back the open transaction on every node. */
  public void rollback() throws SQLException {
    try {
      context.transaction().rollback();
    } finally {
      releaseIfIdle();
    }
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  private <T> T inStatement(Work<T> work) throws SQLException {
    SessionTransaction transaction = context.transaction();
    try {
      T result = work.run();
      transaction.statementSucceeded();
      return result;
    } catch (OperationException e) {
      SQLException error = SparErrors.error(e.getSQLState(), e.getMessage(), e.detail(), e.hint());
      transaction.statementFailed(error);
      throw error;
    } catch (SQLException e) {
      transaction.statementFailed(e);
      throw e;
    } catch (RuntimeException e) {
      transaction.statementFailed(new SQLException(e.getMessage(), "XX000", e));
      throw e;
    } finally {
      releaseIfIdle();
    }
  }

  private void releaseIfIdle() {
    if (!context.transaction().inTransaction()) {
      context.connections().releaseWorkers();
    }
  }

  private StatementResult dispatch(String sql, List<Object> parameters) throws SQLException {
    switch (StatementKind.of(sql)) {
      case QUERY:
      case MODIFICATION:
        StatementPlan plan = plan(sql);
        if (plan instanceof SqlApiPlan api) {
          requireNoTransaction(api.function());
        }
        return plan.execute(parameters);
      case DDL:
        requireNoTransaction("DDL through Spar");
        StatementResult result = ddl.execute(sql, parameters);
        searchPathChanged();
        return result;
      case TRANSACTION_CONTROL:
        return TransactionCommands.execute(sql, context.transaction());
      case EXPLAIN:
        String explained = ExplainCommand.explained(sql).orElseThrow();
        StatementKind kind = StatementKind.of(explained);
        if (kind != StatementKind.QUERY && kind != StatementKind.MODIFICATION) {
          return context.coordinator().execute(sql, parameters);
        }
        return ExplainCommand.result(plan(explained).explain(parameters));
      default:
        Optional<StatementResult> setting = settings.handle(sql);
        if (setting.isPresent()) {
          return setting.get();
        }
        StatementResult other = coordinatorStatement(sql, parameters);
        searchPathChanged();
        return other;
    }
  }

  private StatementResult coordinatorStatement(String sql, List<Object> parameters)
      throws SQLException {
    if (context.transaction().inTransaction()) {
      context.transaction().current();
    }
    return context.coordinator().execute(sql, parameters);
  }

  /** Refuses {@code what} inside a transaction block, in PostgreSQL's words. */
  private void requireNoTransaction(String what) throws SQLException {
    if (context.transaction().inTransaction()) {
      throw SparErrors.error("25001", what + " cannot run inside a transaction block");
    }
  }

  private StatementPlan plan(String sql) throws SQLException {
    if (context.transaction().inTransaction()) {
      context.transaction().current();
    }
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
    try {
      if (context.transaction().inTransaction()) {
        context.transaction().rollback();
      }
    } catch (SQLException e) {
      // The connections are closed below either way.
    }
    calcite.close();
    context.connections().close();
  }
}
