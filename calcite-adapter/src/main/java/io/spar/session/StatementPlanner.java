package io.spar.session;

import io.spar.commands.SqlApiCall;
import io.spar.commands.SqlApiFunctions;
import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributedView;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.operations.ShardDdl;
import io.spar.multishard.MultiShardPlanner;
import io.spar.outcome.SparErrors;
import io.spar.parser.SparQueries;
import io.spar.parser.SqlLockingClause;
import io.spar.parser.SqlParsing;
import io.spar.parser.SqlTokens;
import io.spar.router.ColumnDefaults;
import io.spar.router.ColumnTypes;
import io.spar.router.FunctionVolatility;
import io.spar.router.InsertCompletion;
import io.spar.router.Replacement;
import io.spar.router.RouterPlanner;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.SplicedSql;
import io.spar.router.TableReference;
import io.spar.router.TableReferenceCollector;
import io.spar.router.TargetColumns;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Planner of queries and modifications: parse, find the tables, and choose how the statement
 * will be routed, once per statement text.
 *
 * <p>A statement that touches no distributed table runs on the coordinator as written. Queries
 * on distributed tables become a {@link QueryPlan}, which routes to one shard when the bound
 * parameters allow and otherwise runs a multi-shard plan; modifications become a
 * {@link ModificationPlan}. Nothing here validates or plans with Calcite, so no statement pays
 * for it.
 */
final class StatementPlanner {
  private static final String RECOVER = "recover_prepared_transactions";
  private static final int MAX_VIEW_DEPTH = 32;
  private static final Set<String> QUERY_KEYWORDS = Set.of("select", "with", "table", "values");
  private final SparEngine engine;
  private final SessionContext context;
  private final SqlApiFunctions functions;

  StatementPlanner(SparEngine engine, SessionContext context, SqlApiFunctions functions) {
    this.engine = engine;
    this.context = context;
    this.functions = functions;
  }

  /** Returns the plan of {@code sql} (also for the parts of statements Spar splits). */
  StatementPlan prepare(String sql) throws SQLException {
    context.plans().increment();
    return prepare(sql, 0);
  }

  private StatementPlan prepare(String sql, int viewDepth) throws SQLException {
    CatalogSnapshot snapshot = context.snapshot();
    SqlNode statement;
    try {
      statement = SqlParsing.parse(sql);
    } catch (SQLException e) {
      // PostgreSQL accepts more than Calcite's grammar; statements on local tables keep it all.
      if (!DistributedNames.mentioned(sql, snapshot)) {
        return coordinatorPlan(sql, null);
      }
      if (QUERY_KEYWORDS.contains(SqlTokens.statementKeywords(sql).stream().findFirst()
          .orElse(""))) {
        // PostgreSQL's parser and planner find the tables Spar's parser could not.
        requireNoTableoid(sql);
        return new UnparsedQueryPlan(SqlParsing.parsedText(sql), engine, context);
      }
      List<String> keywords = SqlTokens.of(sql).stream().limit(3)
          .map(token -> token.text().toLowerCase(java.util.Locale.ROOT)).toList();
      if (keywords.size() > 2 && (keywords.get(0).equals("update") && keywords.get(1)
          .equals("only") || keywords.get(0).equals("delete") && keywords.get(2)
          .equals("only"))) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, keywords.get(0)
            .toUpperCase(java.util.Locale.ROOT) + " ONLY of distributed tables is not"
            + " supported", null, "Write to the table and its partitions or children, or to"
            + " the table alone where it holds the rows.");
      }
      throw e;
    }
    ShardSqlSplicer splicer = new ShardSqlSplicer(SqlParsing.parsedText(sql), statement);
    if (SqlApiCall.match(statement, Set.of(RECOVER)).isPresent()) {
      return new RecoveryPlan(engine);
    }
    Optional<SqlApiCall> call = SqlApiCall.match(statement, SqlApiFunctions.NAMES);
    if (call.isPresent()) {
      return new SqlApiPlan(call.get(), splicer, functions);
    }
    List<TableReference> references = TableReferenceCollector.collect(statement,
        context.searchPath().resolver(snapshot));
    List<TableReference> listed = SchemaListPlan.of(references,
        context.connections().coordinatorForSpar());
    if (!listed.isEmpty()) {
      if (statement.getKind().belongsTo(SqlKind.DML)
          && listed.stream().anyMatch(each -> each.identifier().equals(dmlTarget(statement)))) {
        String verb = statement instanceof SqlInsert ? "insert into"
            : statement instanceof SqlUpdate ? "update" : "delete from";
        throw SparErrors.error("55000", "cannot " + verb + " view \"" + SchemaListPlan.NAME
            + "\"", "Views that do not select from a single table or view are not"
            + " automatically updatable.", null);
      }
      return new SchemaListPlan(splicer, listed, functions::schemaRows,
          text -> prepare(text, viewDepth + 1));
    }
    List<TableReference> views = references.stream()
        .filter(each -> snapshot.view(each.table()).isPresent()).toList();
    if (!views.isEmpty()) {
      return expandViews(statement, views, snapshot, splicer, viewDepth);
    }
    List<TableReference> distributed = references.stream()
        .filter(each -> snapshot.table(each.table()).isPresent()).toList();
    if (distributed.isEmpty()) {
      return coordinatorPlan(sql, statement);
    }
    requireNoTableoid(sql);
    if (statement.getKind().belongsTo(SqlKind.DML)) {
      return modification(sql, statement, references, snapshot, splicer);
    }
    SqlLockingClause.Strength locking = SparQueries.lockingClauses(statement)
        .map(clauses -> ((SqlLockingClause) clauses.get(0)).getStrength()).orElse(null);
    return new QueryPlan(statement, distributed, references.size(), locking, splicer,
        engine, context);
  }

  /**
   * Refuses {@code tableoid} in a statement on distributed tables: each shard would answer its
   * own table's OID, which names the shard ({@code events_10025}) or nothing on the coordinator.
   */
  private static void requireNoTableoid(String sql) throws SQLException {
    if (SqlTokens.of(sql).stream().anyMatch(each -> each.isIdentifier()
        && each.name().equals("tableoid"))) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "tableoid of distributed tables"
          + " is not supported", "Each shard is a table of its own on a worker.", null);
    }
  }

  /** Returns the plan of {@code sql}, which reads no distributed table; its tree if parsed. */
  private CoordinatorPlan coordinatorPlan(String sql, SqlNode statement) throws SQLException {
    FunctionVolatility volatility = volatility();
    return new CoordinatorPlan(sql, context.coordinator(), volatility.mayRunDdl(sql),
        statement != null && statement.getKind().belongsTo(SqlKind.QUERY)
            // SELECT … INTO creates a table, perhaps a temporary one: session state.
            && CreateTableAs.fromSelectInto(sql).isEmpty()
            && volatility.callsNoVolatileFunction(statement));
  }

  private FunctionVolatility volatility() throws SQLException {
    return new FunctionVolatility(FunctionVolatility.catalog(engine.functions()),
        context.searchPath().functionSchemas());
  }

  /**
   * Returns the plan of {@code statement} with each view that reads distributed tables replaced
   * by its definition, as PostgreSQL's rewriter would, so that Spar plans the distributed tables
   * themselves rather than the coordinator reading their empty shells.
   */
  private StatementPlan expandViews(SqlNode statement, List<TableReference> views,
      CatalogSnapshot snapshot, ShardSqlSplicer splicer, int depth) throws SQLException {
    if (depth >= MAX_VIEW_DEPTH) {
      throw SparErrors.error("54001", "views over distributed tables nest more than "
          + MAX_VIEW_DEPTH + " deep");
    }
    Map<SqlNode, Replacement> replacements = new IdentityHashMap<>();
    for (TableReference each : views) {
      DistributedView view = snapshot.view(each.table()).orElseThrow();
      if (statement.getKind().belongsTo(SqlKind.DML) && each == views.get(0)
          && each.identifier().equals(dmlTarget(statement))) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot modify view \""
            + view.name().name() + "\" through Spar: it reads distributed tables", null,
            "Modify the distributed tables themselves.");
      }
      if (view.materialized()) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "materialized view \""
            + view.name().name() + "\" reads distributed tables, whose rows are not on the"
            + " coordinator", null, "Use a plain view, or query the distributed tables.");
      }
      String alias = each.alias() != null ? ""
          : " AS " + SqlQuoting.identifier(each.table().name());
      replacements.put(each.identifier(),
          Replacement.text("(" + view.definition() + ")" + alias));
    }
    SplicedSql expanded = splicer.splice(replacements);
    return new ExpandedPlan(prepare(expanded.sql(), depth + 1), expanded);
  }

  /**
   * Refuses a modification whose tables belong to two or more distributed schemas: one
   * tenant's write must not depend on another's rows (queries may read several tenants).
   */
  private static void requireOneTenant(List<TableReference> references,
      CatalogSnapshot snapshot) throws SQLException {
    java.util.Set<Long> tenants = new java.util.HashSet<>();
    for (TableReference each : references) {
      snapshot.table(each.table()).filter(DistributedTable::isSingleShard)
          .ifPresent(table -> tenants.add(table.colocationId()));
    }
    if (tenants.size() > 1) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot modify the tables of"
          + " one distributed schema with rows of another", "Each distributed schema is a"
          + " tenant on a node of its own.", "Read the other tenant's rows first, then write"
          + " them in a statement of their own.");
    }
  }

  private static SqlNode dmlTarget(SqlNode statement) {
    if (statement instanceof SqlInsert insert) {
      return insert.getTargetTable();
    }
    if (statement instanceof SqlUpdate update) {
      return update.getTargetTable();
    }
    if (statement instanceof org.apache.calcite.sql.SqlDelete delete) {
      return delete.getTargetTable();
    }
    return null;
  }

  private StatementPlan modification(String sql, SqlNode statement,
      List<TableReference> references, CatalogSnapshot snapshot, ShardSqlSplicer splicer)
      throws SQLException {
    TableReference target = references.get(0);
    Optional<DistributedTable> table = snapshot.table(target.table());
    requireOneTenant(references, snapshot);
    Optional<InsertSelectPlan.Parts> insertSelect = statement instanceof SqlInsert
        ? InsertSelectPlan.parts(SqlParsing.parsedText(sql)) : Optional.empty();
    if (insertSelect.isPresent()) {
      Optional<StatementPlan> pushed = table.isEmpty() ? Optional.empty()
          : pushedInsertSelect(sql, (SqlInsert) statement, references, table.get(), snapshot,
              splicer);
      if (pushed.isPresent()) {
        return pushed.get();
      }
      long targetOid = table.isPresent() ? table.get().relationId()
          : ((Number) context.coordinator().query("SELECT to_regclass(?)::oid::bigint",
              List.of(target.table().quoted())).rows().get(0)[0]).longValue();
      return new InsertSelectPlan(insertSelect.get(), targetOid, this, context);
    }
    if (table.isEmpty()) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "modifications of local tables cannot read from distributed tables");
    }
    List<TableReference> joined = new ArrayList<>();
    List<SqlNode> subqueries = Subqueries.of(statement);
    for (TableReference each : references.subList(1, references.size())) {
      if (subqueries.stream().noneMatch(query -> Subqueries.within(
          each.identifier().getParserPosition(), query.getParserPosition()))) {
        joined.add(each);
      }
    }
    subqueries = subqueries.stream().filter(query -> references.stream().anyMatch(each ->
        Subqueries.within(each.identifier().getParserPosition(), query.getParserPosition())))
        .toList();
    SqlNode condition = statement instanceof SqlUpdate update ? update.getCondition()
        : statement instanceof org.apache.calcite.sql.SqlDelete delete ? delete.getCondition()
        : null;
    List<TableReference> local = joined.stream().filter(each -> condition != null
        && each.where() == condition && snapshot.table(each.table()).isEmpty()).toList();
    joined.removeAll(local);
    if (!joined.isEmpty() && !joinsCoLocated(statement, target, table.get(), joined,
        snapshot)) {
      // A shard's statement would read only that shard, or a table its worker lacks.
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "modifications of distributed tables cannot read from other tables", null,
          "An UPDATE … FROM or DELETE … USING may join local tables, and distributed tables"
              + " co-located with its target on their distribution columns (WHERE t.key ="
              + " other.key).");
    }
    FunctionVolatility volatility = volatility();
    List<SqlNode> pushed = new ArrayList<>();
    for (SqlNode each : subqueries) {
      List<TableReference> sameSchema = sameSchemaSubquery(each, references, table.get(),
          snapshot);
      if (!sameSchema.isEmpty()
          && volatility.of(each) == FunctionVolatility.Volatility.IMMUTABLE) {
        joined.addAll(sameSchema);
        pushed.add(each);
        continue;
      }
      Optional<TableReference> read = coLocatedSubquery(each, references, target, table.get(),
          snapshot);
      if (read.isPresent()) {
        if (volatility.of(each) != FunctionVolatility.Volatility.IMMUTABLE) {
          throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "functions in a subquery"
              + " that refers to the modified row must be IMMUTABLE", "Each placement runs"
              + " such a subquery for itself.", null);
        }
        joined.add(read.get());
        pushed.add(each);
      }
    }
    subqueries = subqueries.stream().filter(each -> !pushed.contains(each)).toList();
    TargetColumns columns = targetColumns(table.get(), volatility);
    if (statement instanceof SqlInsert insert) {
      // The columns the coordinator fills become part of the statement, as DEFAULT.
      String text = SqlParsing.parsedText(sql);
      String completed = InsertCompletion.complete(text, insert, splicer, columns.defaults(),
          columns.partitionColumn());
      if (!completed.equals(text)) {
        statement = SqlParsing.parse(completed);
        splicer = new ShardSqlSplicer(completed, statement);
        target = TableReferenceCollector.collect(statement,
            context.searchPath().resolver(snapshot)).get(0);
      }
    }
    return new ModificationPlan(sql, statement, target, joined, local, subqueries, columns,
        splicer, volatility, engine, context,
        (text, values) -> prepare(text).execute(values).rows());
  }

  /**
   * Returns the plan of {@code INSERT INTO table … SELECT} that runs on each shard of the
   * target with the co-located shards of the query's tables, the rows never leaving the
   * workers, if that gives PostgreSQL's result: the query runs shard by shard
   * ({@link MultiShardPlanner#shardwise}) and hands the target's distribution column the
   * distribution column of one of its tables, every table has the target's layout and
   * placements, the statement calls only IMMUTABLE functions (each shard would evaluate others
   * at its own moment), and the coordinator fills no column the INSERT leaves out. Otherwise
   * empty: the query's rows then pass through Spar.
   */
  private Optional<StatementPlan> pushedInsertSelect(String sql, SqlInsert insert,
      List<TableReference> references, DistributedTable table, CatalogSnapshot snapshot,
      ShardSqlSplicer splicer) throws SQLException {
    List<TableReference> sources = references.subList(1, references.size());
    List<TableReference> distributed = sources.stream()
        .filter(each -> snapshot.table(each.table()).isPresent()).toList();
    if (distributed.isEmpty()
        || !RouterPlanner.sameLayout(table, snapshot.table(distributed.get(0).table()).get())) {
      return Optional.empty();
    }
    FunctionVolatility volatility = volatility();
    if (volatility.of(insert) != FunctionVolatility.Volatility.IMMUTABLE) {
      return Optional.empty();
    }
    TargetColumns columns = targetColumns(table, volatility);
    List<String> sourceColumns = ColumnDefaults.fromRows(context.coordinator().query(
        ShardDdl.COLUMNS, List.of(snapshot.table(distributed.get(0).table()).get()
            .relationId())).rows(), volatility).names();
    List<String> written = new ArrayList<>();
    if (insert.getTargetColumnList() != null) {
      insert.getTargetColumnList().forEach(each -> written.add(((SqlIdentifier) each)
          .getSimple()));
    } else {
      SqlNode query = insert.getSource() instanceof SqlOrderBy ordered ? ordered.query
          : insert.getSource();
      SqlNodeList items = query instanceof SqlSelect select ? select.getSelectList()
          : SqlNodeList.EMPTY;
      boolean star = items.size() == 1 && items.get(0) instanceof SqlIdentifier id
          && id.isStar();
      written.addAll(columns.names().subList(0, Math.min(columns.names().size(),
          star ? sourceColumns.size() : items.size())));
    }
    for (String each : columns.names()) {
      if (!written.contains(each) && columns.defaults().column(each).orElseThrow()
          .evaluatedAtCoordinator()) {
        return Optional.empty();
      }
    }
    int item = written.indexOf(table.partitionColumn());
    Optional<List<TableReference>> read;
    if (table.isSingleShard()) {
      // One distributed schema's tables are all on its node: the query runs there as written.
      read = sources.size() == distributed.size() && distributed.stream().allMatch(each ->
          table.isCoLocatedWith(snapshot.table(each.table()).orElseThrow()))
          ? Optional.of(distributed) : Optional.empty();
    } else {
      read = item < 0 ? Optional.empty()
          : MultiShardPlanner.shardwise(insert.getSource(), distributed, sources.size(),
              snapshot, engine.functions()::isAggregate, item, sourceColumns);
    }
    if (read.isEmpty() || !coPlaced(table, read.get(), snapshot)) {
      return Optional.empty();
    }
    return Optional.of(new ModificationPlan(sql, insert, references.get(0), read.get(),
        List.of(), List.of(), columns, splicer, volatility, engine, context, null));
  }

  /** Returns whether each shard of {@code table} has its co-located shards beside it. */
  private static boolean coPlaced(DistributedTable table, List<TableReference> others,
      CatalogSnapshot snapshot) {
    for (TableReference each : others) {
      DistributedTable other = snapshot.table(each.table()).orElseThrow();
      for (int i = 0; i < table.shards().size(); i++) {
        List<Shard> pair = List.of(table.shards().get(i), other.shardInGroup(i));
        if (!RouterPlanner.commonNodes(pair).containsAll(pair.get(0).finalizedPlacements()
            .stream().map(ShardPlacement::node).toList())) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Returns the tables {@code subquery} of a modification of {@code table}, a table of a
   * distributed schema, reads, if all are tables of that schema: its node has them all, so
   * the subquery runs there as written, whatever it refers to. Otherwise empty.
   */
  private static List<TableReference> sameSchemaSubquery(SqlNode subquery,
      List<TableReference> references, DistributedTable table, CatalogSnapshot snapshot) {
    if (!table.isSingleShard()) {
      return List.of();
    }
    List<TableReference> read = references.stream().filter(each -> Subqueries.within(
        each.identifier().getParserPosition(), subquery.getParserPosition())).toList();
    boolean sameSchema = read.stream().allMatch(each -> snapshot.table(each.table())
        .filter(table::isCoLocatedWith).isPresent());
    return sameSchema ? read : List.of();
  }

  /**
   * Returns the one table that {@code subquery} of an UPDATE or DELETE of {@code table} reads,
   * if the shards can run the subquery with the target's rows: it is a distributed table
   * co-located with the target, and the subquery's WHERE equates its distribution column with
   * the target's ({@code WHERE c.key = t.key}) at the top, so that for each target row it reads
   * only rows of the co-located shard. Otherwise empty: the subquery runs once, and is refused
   * there if it refers to the target row.
   */
  private static Optional<TableReference> coLocatedSubquery(SqlNode subquery,
      List<TableReference> references, TableReference target, DistributedTable table,
      CatalogSnapshot snapshot) {
    List<TableReference> read = references.stream().filter(each -> Subqueries.within(
        each.identifier().getParserPosition(), subquery.getParserPosition())).toList();
    if (read.size() != 1 || read.get(0).where() == null) {
      return Optional.empty();
    }
    TableReference reference = read.get(0);
    Optional<DistributedTable> other = snapshot.table(reference.table());
    if (other.isEmpty() || !RouterPlanner.sameLayout(table, other.get())
        || reference.qualifier().equals(target.qualifier())) {
      return Optional.empty();
    }
    List<SqlNode> conjuncts = new ArrayList<>();
    conjuncts(reference.where(), conjuncts);
    return conjuncts.stream().anyMatch(each -> equates(each, target, table.partitionColumn(),
        reference, other.get().partitionColumn())) ? Optional.of(reference) : Optional.empty();
  }

  /**
   * Returns whether every table in {@code joined} is named in the FROM or USING of the UPDATE
   * or DELETE {@code statement} (not in a subquery) and is a reference table, or a distributed
   * table co-located with the target and equated with it on both distribution columns at the
   * top of its WHERE: then each shard of the target meets all its join partners beside it.
   */
  private static boolean joinsCoLocated(SqlNode statement, TableReference target,
      DistributedTable table, List<TableReference> joined, CatalogSnapshot snapshot) {
    SqlNode condition = statement instanceof SqlUpdate update ? update.getCondition()
        : statement instanceof org.apache.calcite.sql.SqlDelete delete ? delete.getCondition()
        : null;
    if (condition == null) {
      return false;
    }
    List<SqlNode> conjuncts = new ArrayList<>();
    conjuncts(condition, conjuncts);
    for (TableReference each : joined) {
      Optional<DistributedTable> other = snapshot.table(each.table());
      if (each.where() == condition && other.isPresent() && other.get().isReference()) {
        continue; // each shard reads the reference table's placement beside it
      }
      if (other.isPresent() && table.isSingleShard() && table.isCoLocatedWith(other.get())) {
        continue; // one distributed schema's tables, all on its node
      }
      if (each.where() != condition || other.isEmpty()
          || !RouterPlanner.sameLayout(table, other.get())
          || conjuncts.stream().noneMatch(c -> equates(c, target, table.partitionColumn(),
              each, other.get().partitionColumn()))) {
        return false;
      }
    }
    return true;
  }

  private static void conjuncts(SqlNode node, List<SqlNode> into) {
    if (node instanceof SqlBasicCall call && call.getKind() == SqlKind.AND) {
      call.getOperandList().forEach(each -> conjuncts(each, into));
    } else {
      into.add(node);
    }
  }

  /** Returns whether {@code node} is {@code a.column = b.otherColumn}, either way round. */
  private static boolean equates(SqlNode node, TableReference a, String column,
      TableReference b, String otherColumn) {
    if (!(node instanceof SqlBasicCall call) || call.getKind() != SqlKind.EQUALS
        || !(call.operand(0) instanceof SqlIdentifier left)
        || !(call.operand(1) instanceof SqlIdentifier right)) {
      return false;
    }
    return names(left, a, column) && names(right, b, otherColumn)
        || names(left, b, otherColumn) && names(right, a, column);
  }

  private static boolean names(SqlIdentifier identifier, TableReference reference,
      String column) {
    List<String> names = identifier.names;
    return names.size() == 2 && names.get(0).equals(reference.qualifier())
        && names.get(1).equals(column);
  }

  /** Returns the columns of {@code table}'s coordinator table, read now. */
  private TargetColumns targetColumns(DistributedTable table, FunctionVolatility volatility)
      throws SQLException {
    List<Object> relation = List.of(table.relationId());
    return new TargetColumns(ColumnDefaults.fromRows(context.coordinator()
        .query(ShardDdl.COLUMNS, relation).rows(), volatility), ColumnTypes.fromRows(context
        .coordinator().query(ColumnTypes.QUERY, relation).rows()), table.partitionColumn());
  }
}
