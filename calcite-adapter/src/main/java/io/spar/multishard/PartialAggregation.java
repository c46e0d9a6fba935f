package io.spar.multishard;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.ColumnInfo;
import io.spar.router.Replacement;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.SplicedSql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.util.Litmus;

/**
 * Planner of {@link Strategy#PARTIAL_AGGREGATE}: every shard groups its rows by the query's
 * grouping expressions and computes the partial aggregates {@link AggregateCombinations}
 * declares; the coordinator groups the partial rows again (with the query's own grouping sets,
 * HAVING, ORDER BY and LIMIT) and combines them.
 *
 * <p>The coordinator's query is the user's select list, HAVING and ORDER BY with each grouping
 * expression replaced by its partial column and each aggregate call by its combination, so the
 * expressions around them are evaluated by PostgreSQL as written.
 */
final class PartialAggregation {
  private static final String PARTIALS = "spar_partials";

  private final QueryShape shape;
  private final ShardSqlSplicer splicer;
  private final Predicate<String> isAggregate;
  private final List<SqlNode> groups = new ArrayList<>();
  private final List<SplicedSql> partials = new ArrayList<>();
  /** Each aggregate call split so far, and the replacement that combines its partials. */
  private final List<Map.Entry<SqlNode, Replacement>> split = new ArrayList<>();
  private final Map<SqlNode, Replacement> replacements = new IdentityHashMap<>();
  private final CoordinatorSql.Builder coordinator = new CoordinatorSql.Builder();

  private PartialAggregation(QueryShape shape, ShardSqlSplicer splicer,
      Predicate<String> isAggregate) {
    this.shape = shape;
    this.splicer = splicer;
    this.isAggregate = isAggregate;
  }

  /**
   * Returns the plan, or empty if an expression outside the aggregates is not a grouping
   * expression or an aggregate does not combine.
   *
   * @param labels the query's column labels, as PostgreSQL gives them
   */
  static Optional<MultiShardQuery> plan(QueryShape shape, TableGroup tables,
      ShardSqlSplicer splicer, Predicate<String> isAggregate, MultiShardPlanner.LabelSource labels,
      MultiShardQuery fallback) throws SQLException {
    return new PartialAggregation(shape, splicer, isAggregate)
        .build(tables, labels, fallback);
  }

  private Optional<MultiShardQuery> build(TableGroup tables, MultiShardPlanner.LabelSource labelSource,
      MultiShardQuery fallback) throws SQLException {
    SqlSelect select = shape.select();
    if (select.getWindowList() != null && !select.getWindowList().isEmpty()
        || !collectGroups(select)) {
      return Optional.empty();
    }
    SqlNodeList items = select.getSelectList();
    for (SqlNode item : items) {
      if (!rewrite(SqlTrees.unalias(item))) {
        return Optional.empty();
      }
    }
    if (select.getHaving() != null && !rewrite(select.getHaving())) {
      return Optional.empty();
    }
    List<SqlNode> orderItems = shape.orderBy() == null ? List.of() : shape.orderBy().getList();
    for (SqlNode item : orderItems) {
      SqlNode key = SqlTrees.sortExpression(item);
      if (SqlTrees.ordinal(key) < 0 && !isOutputName(key, items) && !rewrite(key)) {
        return Optional.empty();
      }
    }
    if (groups.isEmpty() && partials.isEmpty()) {
      return Optional.empty();
    }
    List<String> labels = labelSource.labels();
    if (labels.size() != items.size()) {
      return Optional.empty();
    }
    coordinator.append("SELECT " + (select.isDistinct() ? "DISTINCT " : ""));
    for (int i = 0; i < items.size(); i++) {
      coordinator.append(i == 0 ? "" : ", ")
          .append(splicer.text(SqlTrees.unalias(items.get(i)), replacements))
          .append(" AS " + SqlQuoting.identifier(labels.get(i)));
    }
    coordinator.append(" FROM ").hole(columns -> IntermediateRows.relation(
        columns.perScan().get(0), partialNames(), PARTIALS, columns.parameterBase().get(0)),
        "<partial rows from the shards> AS " + PARTIALS);
    if (select.getGroup() != null && !select.getGroup().isEmpty()) {
      List<SqlNode> groupItems = select.getGroup().getList();
      for (int i = 0; i < groupItems.size(); i++) {
        coordinator.append(i == 0 ? " GROUP BY " : ", ")
            .append(splicer.text(groupItems.get(i), replacements));
      }
    }
    if (select.getHaving() != null) {
      coordinator.append(" HAVING ").append(splicer.text(select.getHaving(), replacements));
    }
    for (int i = 0; i < orderItems.size(); i++) {
      coordinator.append(i == 0 ? " ORDER BY " : ", ")
          .append(splicer.text(orderItems.get(i), replacements));
    }
    if (shape.fetch() != null) {
      coordinator.append(" LIMIT ").append(splicer.text(shape.fetch()));
    }
    if (shape.offset() != null) {
      coordinator.append(" OFFSET ").append(splicer.text(shape.offset()));
    }
    return Optional.of(new MultiShardQuery(Strategy.PARTIAL_AGGREGATE,
        List.of(tables.scan(shardQuery(tables))),
        coordinator.build(), false, fallback));
  }

  /** Returns the shard query: grouping expressions and partial aggregates, grouped. */
  private SplicedSql shardQuery(TableGroup tables) {
    SplicedSql text = SplicedSql.of("SELECT ");
    List<String> names = partialNames();
    List<SplicedSql> columns = new ArrayList<>();
    groups.forEach(each -> columns.add(splicer.text(each)));
    columns.addAll(partials);
    for (int i = 0; i < columns.size(); i++) {
      text = text.append(i == 0 ? "" : ", ").append(columns.get(i)).append(" AS " + names.get(i));
    }
    SqlSelect select = shape.select();
    text = text.append(" FROM ").append(splicer.text(select.getFrom(), tables.markers()));
    if (select.getWhere() != null) {
      text = text.append(" WHERE ").append(splicer.text(select.getWhere()));
    }
    for (int i = 0; i < groups.size(); i++) {
      text = text.append(i == 0 ? " GROUP BY " : ", ").append(String.valueOf(i + 1));
    }
    return text;
  }

  private List<String> partialNames() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= groups.size(); i++) {
      names.add("g" + i);
    }
    for (int i = 1; i <= partials.size(); i++) {
      names.add("p" + i);
    }
    return names;
  }

  /**
   * Collects the grouping expressions of every grouping set; false if one cannot be resolved
   * without knowing the table's columns (a name that is also an output column's alias).
   */
  private boolean collectGroups(SqlSelect select) {
    if (select.getGroup() == null) {
      return true;
    }
    for (SqlNode each : select.getGroup()) {
      if (!collectGroup(each, select.getSelectList())) {
        return false;
      }
    }
    return true;
  }

  private boolean collectGroup(SqlNode node, SqlNodeList items) {
    SqlKind kind = node.getKind();
    if (node instanceof SqlNodeList list) {
      for (SqlNode each : list) {
        if (!collectGroup(each, items)) {
          return false;
        }
      }
      return true;
    }
    if (kind == SqlKind.ROLLUP || kind == SqlKind.CUBE || kind == SqlKind.GROUPING_SETS
        || kind == SqlKind.ROW) {
      for (SqlNode each : ((SqlCall) node).getOperandList()) {
        if (!collectGroup(each, items)) {
          return false;
        }
      }
      return true;
    }
    SqlNode expression = node;
    int ordinal = SqlTrees.ordinal(node);
    if (ordinal > 0) {
      if (ordinal > items.size()) {
        return false;
      }
      expression = SqlTrees.unalias(items.get(ordinal - 1));
    } else if (isOutputName(node, items)) {
      return false;
    }
    if (SqlTrees.containsQuery(expression) || isAggregateCall(expression)) {
      return false;
    }
    int index = groupIndex(expression);
    if (index < 0) {
      groups.add(expression);
      index = groups.size() - 1;
    }
    if (expression == node) {
      replacements.put(node, Replacement.text(PARTIALS + ".g" + (index + 1)));
    }
    return true;
  }

  private int groupIndex(SqlNode expression) {
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i).equalsDeep(expression, Litmus.IGNORE)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Records the replacements that turn {@code node} into an expression over partial columns;
   * false if it reads a column outside every grouping expression and aggregate, or holds a
   * subquery, a window or an aggregate that does not combine.
   */
  private boolean rewrite(SqlNode node) {
    if (node == null || node instanceof SqlLiteral || node instanceof SqlDynamicParam
        || node instanceof SqlDataTypeSpec || node instanceof SqlIntervalQualifier) {
      return true;
    }
    int group = groupIndex(node);
    if (group >= 0) {
      replacements.put(node, Replacement.text(PARTIALS + ".g" + (group + 1)));
      return true;
    }
    if (node instanceof SqlIdentifier) {
      return false;
    }
    if (node instanceof SqlNodeList list) {
      for (SqlNode each : list) {
        if (!rewrite(each)) {
          return false;
        }
      }
      return true;
    }
    if (!(node instanceof SqlCall call) || node.getKind().belongsTo(SqlKind.QUERY)
        || node.getKind() == SqlKind.OVER || SqlTrees.isOrderedAggregate(node)) {
      return false;
    }
    if (isAggregateCall(node)) {
      return aggregate(node);
    }
    for (SqlNode each : call.getOperandList()) {
      if (!rewrite(each)) {
        return false;
      }
    }
    return true;
  }

  private boolean isAggregateCall(SqlNode node) {
    SqlNode unfiltered = SqlTrees.unfiltered(node);
    if (!(unfiltered instanceof SqlCall call)) {
      return false;
    }
    String name = SqlTrees.functionName(call);
    return name != null && isAggregate.test(name);
  }

  /** Splits an aggregate call (with its FILTER) into partial columns and a combination. */
  private boolean aggregate(SqlNode node) {
    for (Map.Entry<SqlNode, Replacement> each : split) {
      if (each.getKey().equalsDeep(node, Litmus.IGNORE)) {
        // The same call again (in HAVING or ORDER BY, say) combines the same partials.
        replacements.put(node, each.getValue());
        return true;
      }
    }
    SqlCall call = (SqlCall) SqlTrees.unfiltered(node);
    if (SqlTrees.isDistinct(call) || SqlTrees.any(call, each -> each != call
        && (each.getKind().belongsTo(SqlKind.QUERY) || isAggregateCall(each)))) {
      return false;
    }
    Optional<AggregateCombinations.Combination> combination =
        AggregateCombinations.of(SqlTrees.functionName(call), call.operandCount());
    if (combination.isEmpty()) {
      return false;
    }
    int first = partials.size();
    SplicedSql argument = call.operandCount() == 1 ? splicer.text(call.operand(0)) : null;
    SplicedSql filter = node.getKind() == SqlKind.FILTER
        ? SplicedSql.of(" FILTER (WHERE ").append(splicer.text(((SqlBasicCall) node).operand(1)))
            .append(")")
        : SplicedSql.of("");
    List<SplicedSql> expressions = combination.get().shardExpressions(splicer.text(node),
        argument, filter);
    partials.addAll(expressions);
    AggregateCombinations.Combiner combiner = combination.get().combiner();
    int count = expressions.size();
    Replacement combined = coordinator.replacement(columns -> {
      List<ColumnInfo> all = columns.perScan().get(0);
      List<String> refs = new ArrayList<>();
      List<String> types = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        refs.add(PARTIALS + ".p" + (first + i + 1));
        types.add(all.get(groups.size() + first + i).typeName());
      }
      return SplicedSql.of(combiner.combine(refs, types).orElseThrow(() ->
          new CoordinatorSql.UncombinableException(SqlTrees.functionName(call) + " of "
              + types)));
    }, SqlTrees.functionName(call) + "(" + PARTIALS + ".p" + (first + 1)
        + (count > 1 ? ".." + PARTIALS + ".p" + (first + count) : "") + ")");
    replacements.put(node, combined);
    split.add(Map.entry(node, combined));
    return true;
  }

  private static boolean isOutputName(SqlNode node, SqlNodeList items) {
    if (!(node instanceof SqlIdentifier id) || !id.isSimple()) {
      return false;
    }
    for (SqlNode item : items) {
      String alias = SqlTrees.alias(item);
      if (id.getSimple().equals(alias)
          && !SqlTrees.unalias(item).equalsDeep(node, Litmus.IGNORE)) {
        return true;
      }
    }
    return false;
  }
}
