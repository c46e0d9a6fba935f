package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.outcome.SparErrors;
import io.spar.engine.SparEngine;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.ShardWrite;
import io.spar.engine.execution.WriteResult;
import io.spar.router.CoordinatorValue;
import io.spar.router.FunctionVolatility;
import io.spar.router.ModificationAnalysis;
import io.spar.router.ModificationRouter;
import io.spar.router.Replacement;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.SplicedSql;
import io.spar.router.TableReference;
import io.spar.router.TargetColumns;
import io.spar.router.WriteClassifier;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;

/**
 * Plan of an INSERT, UPDATE or DELETE of a distributed table: routed per execution by its
 * bound parameters, with a batch regrouped into one JDBC batch per shard and placement.
 */
final class ModificationPlan implements StatementPlan {
  /** Values a coordinator query evaluates at most: two entries each, of PostgreSQL's 1,664. */
  private static final int VALUES_PER_QUERY = 800;

  private final String sql;
  private final SqlNode statement;
  private final TableReference target;
  private final List<TableReference> joined;
  private final List<TableReference> local;
  private final List<SqlNode> subqueries;
  private final Subqueries.Runner runner;
  private final TargetColumns columns;
  private final ShardSqlSplicer splicer;
  private final List<CoordinatorValue> coordinatorEvaluated;
  private final Map<Long, SplicedSql> spliced = new java.util.concurrent.ConcurrentHashMap<>();
  private final SparEngine engine;
  private final SessionContext context;

  /**
   * Creates the plan of {@code statement}, parsed from the text {@code splicer} reads (which,
   * for an INSERT, names the columns the coordinator fills); {@code sql} is the text as the
   * user wrote it, run on the coordinator if the table is no longer distributed.
   */
  ModificationPlan(String sql, SqlNode statement, TableReference target, TargetColumns columns,
      ShardSqlSplicer splicer, FunctionVolatility volatility, SparEngine engine,
      SessionContext context) throws SQLException {
    this(sql, statement, target, List.of(), List.of(), List.of(), columns, splicer, volatility,
        engine, context, null);
  }

  /**
   * Creates the plan of an UPDATE or DELETE of {@code target} that also reads the co-located
   * distributed tables {@code joined}, joined on the distribution columns, the local tables
   * {@code local} of its FROM or USING, and has {@code subqueries} over other tables;
   * {@code runner} reads the local tables and runs the subqueries once per execution.
   */
  ModificationPlan(String sql, SqlNode statement, TableReference target,
      List<TableReference> joined, List<TableReference> local, List<SqlNode> subqueries,
      TargetColumns columns, ShardSqlSplicer splicer, FunctionVolatility volatility,
      SparEngine engine, SessionContext context, Subqueries.Runner runner)
      throws SQLException {
    this.sql = sql;
    this.statement = statement;
    this.target = target;
    this.joined = List.copyOf(joined);
    this.local = List.copyOf(local);
    this.subqueries = List.copyOf(subqueries);
    this.runner = runner;
    this.columns = columns;
    this.splicer = splicer;
    this.engine = engine;
    this.context = context;
    this.coordinatorEvaluated = ModificationAnalysis.coordinatorEvaluated(statement, volatility,
        columns);
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    Optional<DistributedTable> table = context.snapshot().table(target.table());
    if (table.isEmpty()) {
      // Undistributed since this plan was made: the table is local now.
      return context.coordinator().execute(sql, parameters);
    }
    requireReadWrite();
    ShardlessTables.requireNoHiddenRows(table.get(), context.transaction().current());
    List<ShardWrite> writes = route(table.get(), parameters);
    if (writes.isEmpty()) {
      return ModificationAnalysis.returning(statement) == null ? StatementResult.ofCount(0)
          : context.coordinator().noRows(sql);
    }
    WriteResult result = engine.writes().execute(writes, 1, context.transaction().current());
    return result.rows() != null
        ? StatementResult.ofRows(result.rows()) : StatementResult.ofCount(result.totalCount());
  }

  @Override
  public List<String> explain(List<Object> parameters) throws SQLException {
    Optional<DistributedTable> table = context.snapshot().table(target.table());
    if (table.isEmpty()) {
      return new CoordinatorPlan(sql, context.coordinator(), false, false).explain(parameters);
    }
    List<String> lines = new ArrayList<>();
    String kind = "Distributed Modify: class " + WriteClassifier.classify(statement,
        columns.types(), parameters);
    long needed = coordinatorEvaluated.stream().filter(each -> each.needed(parameters)).count();
    if (needed > 0) {
      lines.add(kind + "; shards chosen at execution, after the coordinator evaluates "
          + needed + " value(s) that each placement must not compute for itself");
      return lines;
    }
    List<ShardWrite> writes = route(table.get(), parameters);
    lines.add(kind + (writes.size() == 1 ? "; router, 1 shard" : "; " + writes.size() + " shards")
        + " after pruning");
    for (ShardWrite each : writes) {
      lines.add("  Shard " + each.shard().id() + " on " + each.shard().finalizedPlacements()
          .stream().map(p -> p.node().toString()).toList());
      lines.add("    Sent to each placement: " + each.sql());
    }
    return lines;
  }

  @Override
  public long[] executeBatch(List<List<Object>> parameterSets) throws SQLException {
    Optional<DistributedTable> table = context.snapshot().table(target.table());
    if (table.isEmpty()) {
      return StatementPlan.super.executeBatch(parameterSets);
    }
    requireReadWrite();
    if (statement instanceof SqlInsert insert && coordinatorEvaluated.isEmpty()
        && subqueries.isEmpty() && local.isEmpty() && joined.isEmpty()) {
      return executeRowBatch(insert, table.get(), parameterSets);
    }
    Map<String, Batch> batches = new LinkedHashMap<>();
    for (int i = 0; i < parameterSets.size(); i++) {
      for (ShardWrite each : route(table.get(), parameterSets.get(i))) {
        batches.computeIfAbsent(each.shard().id() + "\0" + each.sql(), k -> new Batch(each))
            .add(each.parameterSets().get(0), i);
      }
    }
    List<ShardWrite> writes = new ArrayList<>();
    batches.values().forEach(each -> writes.add(each.toWrite()));
    return engine.writes().execute(writes, parameterSets.size(),
        context.transaction().current()).updateCounts();
  }

  /**
   * Runs a batch of a one-row INSERT whose values the shards compute for themselves: every row
   * bound for a shard has the same text there, so after a shard's first row (planned in full,
   * which splices and caches its text) each row costs one hash and a parameter copy.
   */
  private long[] executeRowBatch(SqlInsert insert, DistributedTable table,
      List<List<Object>> parameterSets) throws SQLException {
    List<String> names = columns.names();
    Map<Long, Batch> batches = new LinkedHashMap<>();
    for (int i = 0; i < parameterSets.size(); i++) {
      List<Object> row = parameterSets.get(i);
      Shard shard = ModificationRouter.insertRowShard(insert, table, names, row);
      Batch known = shard == null ? null : batches.get(shard.id());
      if (known != null) {
        known.add(spliced.get(shard.id()).bind(row), i);
        continue;
      }
      for (ShardWrite each : route(table, row)) {
        batches.computeIfAbsent(each.shard().id(), k -> new Batch(each,
                ModificationRouter.insertRowsText(insert, target, each.shard(), splicer)))
            .add(each.parameterSets().get(0), i);
      }
    }
    List<ShardWrite> writes = new ArrayList<>();
    batches.values().forEach(each -> writes.add(each.toWrite()));
    return engine.writes().execute(writes, parameterSets.size(),
        context.transaction().current()).updateCounts();
  }

  /** Refuses the modification in a read-only transaction, with PostgreSQL's error. */
  private void requireReadWrite() throws SQLException {
    if (context.transaction().mode().readOnly()) {
      throw SparErrors.error("25006", "cannot execute "
          + statement.getKind().name() + " in a read-only transaction");
    }
  }

  private List<ShardWrite> route(DistributedTable table, List<Object> parameters)
      throws SQLException {
    List<Object> extended = new ArrayList<>(parameters);
    Map<SqlNode, Replacement> evaluated = new IdentityHashMap<>(
        evaluateAtCoordinator(parameters, extended));
    for (SqlNode each : subqueries) {
      evaluated.put(each, Subqueries.evaluate(splicer.text(each), parameters, extended, runner));
    }
    for (TableReference each : local) {
      evaluated.put(each.identifier(), Subqueries.table(each, extended, runner));
    }
    List<ModificationRouter.Joined> tables = new ArrayList<>();
    for (TableReference each : joined) {
      tables.add(new ModificationRouter.Joined(each, context.snapshot().table(each.table())
          .orElseThrow(() -> SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "table \""
              + each.table().name() + "\" is no longer distributed; run the statement again"))));
    }
    return ModificationRouter.plan(statement, target, table, tables, columns.names(),
        columns.types(), splicer, extended,
        evaluated, node -> {
          SplicedSql expression = splicer.text(node);
          return context.coordinator().firstRow("SELECT " + expression.sql(),
              expression.bind(parameters))[0];
        }, spliced);
  }

  /**
   * Evaluates the values that must not be computed on each placement separately, in one
   * coordinator query, in text order (so {@code nextval} numbers rows in order), appends them
   * (as text) to {@code extended} and returns the replacement of each node by a parameter:
   * cast to the value's own type, or untyped where the node's context types it.
   */
  private Map<SqlNode, Replacement> evaluateAtCoordinator(List<Object> parameters,
      List<Object> extended) throws SQLException {
    // Values inside subqueries are the subqueries' own, computed where they run.
    List<CoordinatorValue> needed = coordinatorEvaluated.stream()
        .filter(each -> each.needed(parameters))
        .filter(each -> subqueries.stream().noneMatch(query -> Subqueries.within(
            each.node().getParserPosition(), query.getParserPosition())))
        .toList();
    if (needed.isEmpty()) {
      return Map.of();
    }
    Map<SqlNode, Replacement> replacements = new IdentityHashMap<>();
    // A query's target list holds at most 1,664 entries (54011), two per value: the values of
    // a long VALUES list or an INSERT … SELECT's batch are read in several queries, in order.
    for (int from = 0; from < needed.size(); from += VALUES_PER_QUERY) {
      List<CoordinatorValue> chunk =
          needed.subList(from, Math.min(needed.size(), from + VALUES_PER_QUERY));
      Object[] row = evaluate(chunk, parameters);
      for (int i = 0; i < chunk.size(); i++) {
        replacements.put(chunk.get(i).node(), chunk.get(i).type() == null
            ? Replacement.castParameter(extended.size(), (String) row[2 * i + 1])
            : Replacement.parameter(extended.size()));
        extended.add(row[2 * i]);
      }
    }
    return replacements;
  }

  /** Evaluates {@code values} in one coordinator query: each one's text, then its type. */
  private Object[] evaluate(List<CoordinatorValue> values, List<Object> parameters)
      throws SQLException {
    List<String> outputs = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    List<Object> bound = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      CoordinatorValue value = values.get(i);
      String expression = value.expression();
      if (expression == null) {
        SplicedSql text = splicer.text(value.node());
        expression = text.sql();
        bound.addAll(text.bind(parameters));
      }
      String alias = SqlQuoting.identifier("v" + i);
      inputs.add((value.type() == null ? "(" + expression + ")"
          : "CAST((" + expression + ") AS " + value.type() + ")") + " AS " + alias);
      outputs.add(alias + "::text, pg_typeof(" + alias + ")::text");
    }
    // OFFSET 0 keeps the subquery, so each expression is evaluated exactly once.
    return context.coordinator().firstRow("SELECT " + String.join(", ", outputs)
        + " FROM (SELECT " + String.join(", ", inputs) + " OFFSET 0) AS \"evaluated\"", bound);
  }

  /** Parameter sets of one batch that go to the same shard with the same text. */
  private static final class Batch {
    private final ShardWrite first;
    private final ShardWrite.RowsText rowsText;
    private final List<List<Object>> parameterSets = new ArrayList<>();
    private final List<Integer> indexes = new ArrayList<>();

    Batch(ShardWrite first) {
      this(first, null);
    }

    Batch(ShardWrite first, ShardWrite.RowsText rowsText) {
      this.first = first;
      this.rowsText = rowsText;
    }

    void add(List<Object> parameters, int index) {
      parameterSets.add(parameters);
      indexes.add(index);
    }

    ShardWrite toWrite() {
      return new ShardWrite(first.shard(), first.sql(), parameterSets,
          indexes.stream().mapToInt(Integer::intValue).toArray(), first.writeClass(), null,
          first.readShards(), parameterSets.size() > 1 ? rowsText : null);
    }
  }
}
