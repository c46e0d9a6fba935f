package io.spar.multishard;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.TableReference;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWindow;
import org.apache.calcite.sql.JoinType;

/**
 * Planner of queries over several shards: picks the {@link Strategy} that leaves the most work
 * to the shards while the result stays exactly PostgreSQL's.
 *
 * <ul>
 *   <li>A query on one distributed table, or on co-located tables joined on their
 *       distribution columns ({@link TableGroup}), whose rows, groups (GROUP BY the
 *       distribution column) and window partitions never span shards runs whole on every shard:
 *       {@link Strategy#PUSHDOWN}, or {@link Strategy#MERGE} when the coordinator must sort,
 *       deduplicate or limit.
 *   <li>Other aggregations of one distributed table whose aggregates combine:
 *       {@link Strategy#PARTIAL_AGGREGATE}.
 *   <li>Everything else: {@link Strategy#COORDINATOR}.
 * </ul>
 */
public final class MultiShardPlanner {
  private MultiShardPlanner() {
  }

  /** Source of a query's column labels. */
  @FunctionalInterface
  public interface LabelSource {
    /** Returns the labels PostgreSQL gives the query's columns. */
    List<String> labels() throws SQLException;
  }

  /**
   * Returns the plan of query {@code statement}.
   *
   * @param distributed the query's references to distributed tables
   * @param references how many table references the query has in all
   * @param isAggregate whether a function name names an aggregate
   * @param labels the query's column labels, asked only if needed
   */
  public static MultiShardQuery plan(SqlNode statement, List<TableReference> distributed,
      int references, ShardSqlSplicer splicer, CatalogSnapshot snapshot,
      Predicate<String> isAggregate, LabelSource labels)
      throws SQLException {
    Optional<QueryShape> shape = QueryShape.of(statement);
    Optional<TableGroup> group = shape.isPresent()
        && CoordinatorSql.markerFree(splicer.splice(Map.of()).sql())
        ? TableGroup.of(shape.get(), distributed, references, snapshot) : Optional.empty();
    if (group.isEmpty() || group.get().single()
        && !(simpleFrom(shape.get().select().getFrom(), isAggregate) && readInFrom(
            shape.get().select().getFrom(), distributed.get(0).identifier()))) {
      return CoordinatorFallback.plan(statement, shape, distributed, splicer);
    }
    QueryShape query = shape.get();
    TableGroup tables = group.get();
    SqlSelect select = query.select();
    boolean grouped = select.getGroup() != null && !select.getGroup().isEmpty()
        || select.getHaving() != null || hasAggregates(select, query, isAggregate);
    boolean windowed = hasWindows(select, query);
    // What the coordinator runs when a strategy cannot (a locking query has none).
    MultiShardQuery fallback = query.locking() ? null
        : CoordinatorFallback.plan(statement, shape, distributed, splicer);
    if ((!grouped || groupedBy(select, tables))
        && (!windowed || windowsPartitionedBy(select, query, tables))) {
      Optional<MultiShardQuery> pushed = ShardPushdown.plan(query, tables, splicer, fallback);
      if (pushed.isPresent()) {
        return pushed.get();
      }
    } else if (grouped && !windowed && fallback != null) {
      return PartialAggregation.plan(query, tables, splicer, isAggregate, labels, fallback)
          .orElse(fallback);
    }
    return fallback != null ? fallback
        : CoordinatorFallback.plan(statement, shape, distributed, splicer);
  }

  /**
   * Returns the co-located tables of {@code query} if every group of their co-located shards
   * can run it alone, the query's rows being all those groups' rows with nothing left for the
   * coordinator, and its select item {@code item} (from 0) is the distribution column of one of
   * the tables, read straight from the table, which no outer join can make NULL: each row then
   * belongs with the shard group that returned it. An INSERT … SELECT into a table co-located
   * with them runs so, shard by shard ({@code INSERT INTO t_1 SELECT … FROM s_1}).
   *
   * @param distributed the query's references to distributed tables
   * @param references how many table references the query has in all
   * @param isAggregate whether a function name names an aggregate
   * @param tableColumns the columns of the first table, in order, for {@code SELECT *}
   */
  public static Optional<List<TableReference>> shardwise(SqlNode query,
      List<TableReference> distributed, int references, CatalogSnapshot snapshot,
      Predicate<String> isAggregate, int item, List<String> tableColumns) {
    Optional<QueryShape> shape = QueryShape.of(query);
    if (shape.isEmpty() || shape.get().needsMerge() || shape.get().locking()) {
      return Optional.empty();
    }
    Optional<TableGroup> group = TableGroup.of(shape.get(), distributed, references, snapshot);
    SqlSelect select = shape.get().select();
    // A derived table could compute the column; a plain table reference cannot.
    if (group.isEmpty() || group.get().single() && !plainTable(select.getFrom())) {
      return Optional.empty();
    }
    boolean grouped = select.getGroup() != null && !select.getGroup().isEmpty()
        || select.getHaving() != null || hasAggregates(select, shape.get(), isAggregate);
    if (grouped && !groupedBy(select, group.get()) || hasWindows(select, shape.get())
        && !windowsPartitionedBy(select, shape.get(), group.get())) {
      return Optional.empty();
    }
    List<SqlNode> items = select.getSelectList().getList();
    if (group.get().single() && items.size() == 1 && items.get(0) instanceof SqlIdentifier id
        && id.isStar()) {
      // SELECT * of one table: its columns, in order.
      return item < tableColumns.size()
          && tableColumns.get(item).equals(group.get().columns().get(0))
          ? Optional.of(group.get().references()) : Optional.empty();
    }
    if (item >= items.size() || items.stream().anyMatch(
        each -> each instanceof SqlIdentifier id && id.isStar())) {
      return Optional.empty();
    }
    SqlNode column = items.get(item);
    column = column.getKind() == SqlKind.AS ? ((SqlCall) column).operand(0) : column;
    return group.get().keepsRowsTogether(column) ? Optional.of(group.get().references())
        : Optional.empty();
  }

  /** Returns whether {@code from} is one table, maybe aliased, without column aliases. */
  private static boolean plainTable(SqlNode from) {
    SqlNode item = from != null && from.getKind() == SqlKind.AS
        && ((SqlCall) from).operandCount() == 2 ? ((SqlCall) from).operand(0) : from;
    return item instanceof SqlIdentifier id && !id.isStar();
  }

  /**
   * Returns whether {@code table} is read as an item of the FROM clause {@code from}, directly
   * or through derived tables' FROM clauses, rather than in a subquery of an expression, which
   * would read all of the table for every row of a shard.
   */
  private static boolean readInFrom(SqlNode from, SqlNode table) {
    if (from == null) {
      return false;
    }
    if (from == table) {
      return true;
    }
    if (from instanceof SqlJoin join) {
      return readInFrom(join.getLeft(), table) || readInFrom(join.getRight(), table);
    }
    if (from instanceof SqlSelect select) {
      return readInFrom(select.getFrom(), table);
    }
    if (from.getKind() == SqlKind.AS || from.getKind() == SqlKind.LATERAL) {
      return readInFrom(((SqlCall) from).operand(0), table);
    }
    return false;
  }

  /**
   * Returns whether a FROM clause joins its items only with inner and cross joins, and reads
   * the one distributed table (the only table there is) directly or through subqueries that
   * only filter and project it, so that its rows can be joined shard by shard.
   */
  private static boolean simpleFrom(SqlNode from, Predicate<String> isAggregate) {
    if (from == null) {
      return false;
    }
    if (from instanceof SqlJoin join) {
      JoinType type = join.getJoinType();
      return (type == JoinType.INNER || type == JoinType.COMMA || type == JoinType.CROSS)
          && simpleFrom(join.getLeft(), isAggregate)
          && simpleFrom(join.getRight(), isAggregate);
    }
    SqlNode item = from.getKind() == SqlKind.AS ? ((SqlCall) from).operand(0) : from;
    if (item.getKind() == SqlKind.LATERAL) {
      item = ((SqlCall) item).operand(0);
      item = item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
    }
    if (!SqlTrees.containsQuery(item)) {
      return true;
    }
    if (!(item instanceof SqlSelect select)) {
      // A set operation or an ordered, limited subquery: its rows are not its shards' rows.
      return false;
    }
    QueryShape shape = new QueryShape(select, null, null, null, false);
    return !shape.needsMerge() && (select.getGroup() == null || select.getGroup().isEmpty())
        && select.getHaving() == null && !hasAggregates(select, shape, isAggregate)
        && !hasWindows(select, shape) && select.getFrom() != null
        && simpleFrom(select.getFrom(), isAggregate);
  }

  /** Returns the select list, HAVING and ORDER BY items: where aggregates and windows are. */
  private static List<SqlNode> outputs(SqlSelect select, QueryShape query) {
    List<SqlNode> result = new ArrayList<>(select.getSelectList().getList());
    if (select.getHaving() != null) {
      result.add(select.getHaving());
    }
    if (query.orderBy() != null) {
      result.addAll(query.orderBy().getList());
    }
    return result;
  }

  private static boolean hasAggregates(SqlSelect select, QueryShape query,
      Predicate<String> isAggregate) {
    for (SqlNode each : outputs(select, query)) {
      if (aggregates(each, isAggregate)) {
        return true;
      }
    }
    return false;
  }

  /** Returns whether {@code node} calls an aggregate outside subqueries and window calls. */
  private static boolean aggregates(SqlNode node, Predicate<String> isAggregate) {
    if (!(node instanceof SqlCall call) || node.getKind().belongsTo(SqlKind.QUERY)) {
      return false;
    }
    if (node.getKind() == SqlKind.OVER) {
      // The window function itself is no grouping aggregate; its arguments may hold one.
      SqlCall function = (SqlCall) SqlTrees.unfiltered(call.operand(0));
      return function.getOperandList().stream()
          .anyMatch(each -> aggregates(each, isAggregate));
    }
    String name = SqlTrees.functionName(call);
    if (name != null && isAggregate.test(name) || SqlTrees.isOrderedAggregate(node)) {
      return true;
    }
    return call.getOperandList().stream().anyMatch(each -> aggregates(each, isAggregate));
  }

  private static boolean hasWindows(SqlSelect select, QueryShape query) {
    return select.getWindowList() != null && !select.getWindowList().isEmpty()
        || outputs(select, query).stream().anyMatch(each -> SqlTrees.any(each,
            node -> node.getKind() == SqlKind.OVER));
  }

  /** Returns whether a plain GROUP BY list holds a distribution column that keeps rows together. */
  private static boolean groupedBy(SqlSelect select, TableGroup tables) {
    if (select.getGroup() == null) {
      return false;
    }
    boolean found = false;
    for (SqlNode each : select.getGroup()) {
      SqlKind kind = each.getKind();
      if (kind == SqlKind.ROLLUP || kind == SqlKind.CUBE || kind == SqlKind.GROUPING_SETS
          || kind == SqlKind.ROW || each instanceof org.apache.calcite.sql.SqlNodeList) {
        return false;
      }
      found |= tables.keepsRowsTogether(each);
    }
    return found;
  }

  /** Returns whether every window is partitioned by the distribution column. */
  private static boolean windowsPartitionedBy(SqlSelect select, QueryShape query,
      TableGroup tables) {
    if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
      return false;
    }
    for (SqlNode output : outputs(select, query)) {
      if (SqlTrees.any(output, node -> node.getKind() == SqlKind.OVER
          && !partitionedBy(((SqlCall) node).operand(1), tables))) {
        return false;
      }
    }
    return true;
  }

  private static boolean partitionedBy(SqlNode window, TableGroup tables) {
    return window instanceof SqlWindow spec && spec.getRefName() == null
        && spec.getPartitionList().stream().anyMatch(tables::keepsRowsTogether);
  }
}
