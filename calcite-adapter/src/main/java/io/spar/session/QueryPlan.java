package io.spar.session;

import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.execution.ShardQuery;
import io.spar.multishard.MultiShardPlanner;
import io.spar.multishard.MultiShardQuery;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import io.spar.parser.SqlLockingClause;
import io.spar.router.FunctionVolatility;
import io.spar.router.RouterPlanner;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.TableReference;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.sql.SqlNode;

/**
 * Plan of a query on distributed tables: a router query when its parameters prune every table
 * to one co-located shard, otherwise a {@link MultiShardQuery}, planned on the first execution
 * that needs it and kept for the next ones.
 */
final class QueryPlan implements StatementPlan {
  private final SqlNode statement;
  private final List<TableReference> distributed;
  private final int references;
  private final ShardSqlSplicer splicer;
  private final SparEngine engine;
  private final SessionContext context;
  /** The query's first locking clause's strength, or null if it locks no rows. */
  private final SqlLockingClause.Strength locking;
  private MultiShardQuery multiShard;
  /** Whether the query calls no volatile function; known once the multi-shard plan is made. */
  private boolean leavesNoState;

  /**
   * Creates the plan of a query that has {@code references} table references, of which
   * {@code distributed} name distributed tables; it may route to one shard only if it
   * references no other table.
   */
  QueryPlan(SqlNode statement, List<TableReference> distributed, int references,
      SqlLockingClause.Strength locking, ShardSqlSplicer splicer, SparEngine engine,
      SessionContext context) {
    this.statement = statement;
    this.locking = locking;
    this.distributed = distributed;
    this.references = references;
    this.splicer = splicer;
    this.engine = engine;
    this.context = context;
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    SessionTransaction transaction = context.transaction();
    CatalogSnapshot snapshot = context.snapshot();
    for (TableReference each : distributed) {
      Optional<DistributedTable> table = snapshot.table(each.table());
      if (table.isPresent()) {
        ShardlessTables.requireNoHiddenRows(table.get(), transaction.current());
      }
    }
    if (locking != null && transaction.mode().readOnly()) {
      throw SparErrors.error("25006", "cannot execute SELECT " + locking.sql()
          + " in a read-only transaction");
    }
    Optional<ShardQuery> routed = route(parameters);
    if (routed.isPresent()) {
      // Locked rows stay locked in the session's transaction on the shard's first placement.
      return StatementResult.ofRows(engine.reads().execute(List.of(routed.get()),
          transaction.current(), locking != null));
    }
    MultiShardQuery query = multiShard();
    return query.execute(parameters,
        new SessionRuntime(engine, context, snapshot, leavesNoState));
  }

  @Override
  public List<String> explain(List<Object> parameters) throws SQLException {
    List<String> lines = new ArrayList<>();
    Optional<ShardQuery> routed = route(parameters);
    if (routed.isPresent()) {
      ShardQuery query = routed.get();
      lines.add("Router Query: 1 shard after pruning");
      lines.add("  Shard " + query.shardId() + " on " + query.nodes());
      lines.add("    Sent to the shard: " + query.sql());
      // The worker's own plan of it: its partition pruning, its indexes.
      lines.add("    Plan on " + query.nodes().get(0) + ":");
      for (Object[] row : engine.reads().execute(List.of(new ShardQuery(query.shardId(),
          query.nodes(), "EXPLAIN " + query.sql(), query.parameters())),
          context.transaction().current(), false).rows()) {
        lines.add("      " + row[0]);
      }
      return lines;
    }
    return multiShard().explain(parameters, context.snapshot());
  }

  private MultiShardQuery multiShard() throws SQLException {
    if (multiShard == null) {
      context.plans().increment();
      multiShard = MultiShardPlanner.plan(statement, distributed, references, splicer,
          context.snapshot(), engine.functions()::isAggregate,
          () -> context.coordinator().labels(splicer.splice(Map.of()).sql()));
      leavesNoState = new FunctionVolatility(FunctionVolatility.catalog(engine.functions()),
          context.searchPath().functionSchemas()).callsNoVolatileFunction(statement);
    }
    return multiShard;
  }

  private Optional<ShardQuery> route(List<Object> parameters) throws SQLException {
    if (distributed.size() != references) {
      return Optional.empty();
    }
    try {
      return RouterPlanner.plan(distributed, context.snapshot(), splicer, parameters);
    } catch (IllegalArgumentException e) {
      throw SparErrors.invalidValue(e);
    }
  }
}
