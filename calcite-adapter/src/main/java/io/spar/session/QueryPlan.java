package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.outcome.SparErrors;
import io.spar.adapter.CalciteQueryRunner;
import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.Shard;
import io.spar.engine.routing.ShardPruner;
import io.spar.parser.SqlLockingClause;
import io.spar.router.PartitionPredicates;
import io.spar.engine.execution.ShardQuery;
import io.spar.router.RouterPlanner;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.TableReference;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plan of a query on distributed tables: a router query when its parameters prune every table
 * to one co-located shard, otherwise a Calcite plan over all surviving shards.
 */
final class QueryPlan implements StatementPlan {
  private final String sql;
  private final List<TableReference> distributed;
  private final boolean routable;
  private final ShardSqlSplicer splicer;
  private final SparEngine engine;
  private final SessionTransaction transaction;
  private final CalciteQueryRunner calcite;
  /** The query's first locking clause's strength, or null if it locks no rows. */
  private final SqlLockingClause.Strength locking;

  /**
   * Creates the plan of a query that references the {@code distributed} tables; it may route to
   * one shard only if it references no other ({@code routable}).
   */
  QueryPlan(String sql, List<TableReference> distributed, boolean routable,
      SqlLockingClause.Strength locking, ShardSqlSplicer splicer,
      SparEngine engine, SessionTransaction transaction, CalciteQueryRunner calcite) {
    this.sql = sql;
    this.locking = locking;
    this.distributed = distributed;
    this.routable = routable;
    this.splicer = splicer;
    this.engine = engine;
    this.transaction = transaction;
    this.calcite = calcite;
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    CatalogSnapshot snapshot = engine.metadata().snapshot();
    for (TableReference each : distributed) {
      Optional<DistributedTable> table = snapshot.table(each.table());
      if (table.isPresent() && table.get().shards().isEmpty()) {
        ShardlessTables.requireNoHiddenRows(table.get(), transaction.current().coordinator(false));
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
    return StatementResult.ofRows(calcite.query(sql, parameters));
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
      return lines;
    }
    lines.add("Multi-shard Query: Calcite plan; Spar rels run on every shard left by pruning");
    CatalogSnapshot snapshot = engine.metadata().snapshot();
    for (TableReference each : distributed) {
      DistributedTable table = snapshot.table(each.table()).orElseThrow();
      List<Long> shards;
      try {
        shards = ShardPruner.prune(table,
            PartitionPredicates.extract(each, table.partitionColumn()), parameters)
            .stream().map(Shard::id).toList();
      } catch (IllegalArgumentException e) {
        throw SparErrors.invalidValue(e);
      }
      lines.add("  " + each.table() + ": " + shards.size() + " of " + table.shards().size()
          + " shards after pruning " + shards);
    }
    for (Object[] row : calcite.explain(sql, parameters).rows()) {
      for (String each : String.valueOf(row[0]).split("\n")) {
        lines.add("  " + each);
      }
    }
    return lines;
  }

  private Optional<ShardQuery> route(List<Object> parameters) throws SQLException {
    if (!routable) {
      return Optional.empty();
    }
    try {
      return RouterPlanner.plan(distributed, engine.metadata().snapshot(), splicer, parameters);
    } catch (IllegalArgumentException e) {
      throw SparErrors.invalidValue(e);
    }
  }
}
