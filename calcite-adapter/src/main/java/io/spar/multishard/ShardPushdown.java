package io.spar.multishard;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.outcome.SparErrors;
import io.spar.router.Replacement;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.SplicedSql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.util.Litmus;

/**
 * Planner of queries that every shard can run whole: the coordinator concatenates the shards'
 * rows ({@link Strategy#PUSHDOWN}), or sorts, deduplicates, offsets and limits them
 * ({@link Strategy#MERGE}), each shard then returning at most LIMIT + OFFSET rows.
 *
 * <p>Sort keys that are not output columns travel as extra columns the client never sees.
 */
final class ShardPushdown {
  private static final String ROWS = "spar_rows";

  private ShardPushdown() {
  }

  /**
   * Returns the plan, or empty if the coordinator cannot map the query's sort keys.
   *
   * @param fallback the plan to run instead if co-located tables no longer share their nodes
   */
  static Optional<MultiShardQuery> plan(QueryShape shape, TableGroup tables,
      ShardSqlSplicer splicer, MultiShardQuery fallback) throws SQLException {
    Map<SqlNode, Replacement> shard = tables.markers();
    if (!shape.needsMerge()) {
      return Optional.of(new MultiShardQuery(Strategy.PUSHDOWN,
          List.of(tables.scan(splicer.splice(shard))), null, shape.locking(), fallback));
    }
    if (shape.locking() && (shape.fetch() != null || shape.offset() != null)) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "locking clauses with LIMIT or"
          + " OFFSET are not supported for multi-shard queries", "Every shard would lock the"
          + " rows of its own LIMIT, more than the query returns.", "Add an equality filter on"
          + " the distribution column so that the query reads one shard, or drop the LIMIT.");
    }
    SqlNodeList items = shape.select().getSelectList();
    boolean star = items.stream().anyMatch(each -> each instanceof SqlIdentifier id && id.isStar());
    List<SqlNode> orderItems = shape.orderBy() == null ? List.of() : shape.orderBy().getList();
    List<SqlNode> hidden = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (SqlNode item : orderItems) {
      SqlNode key = SqlTrees.sortExpression(item);
      int position = star ? -1 : outputPosition(key, items);
      if (position < 0) {
        if (SqlTrees.ordinal(key) > 0 || shape.select().isDistinct()) {
          return Optional.empty();
        }
        hidden.add(key);
      }
      positions.add(position);
    }
    int hiddenCount = hidden.size();
    CoordinatorSql.Builder coordinator = new CoordinatorSql.Builder();
    List<SplicedSql> orderTexts = new ArrayList<>();
    for (int i = 0, h = 0; i < orderItems.size(); i++) {
      SqlNode item = orderItems.get(i);
      Replacement column;
      if (positions.get(i) > 0) {
        column = Replacement.text(ROWS + ".c" + positions.get(i));
      } else {
        int index = h++;
        column = coordinator.replacement(columns -> SplicedSql.of(ROWS + ".c"
            + (columns.perScan().get(0).size() - hiddenCount + index + 1)),
            ROWS + ".spar_sort_" + (index + 1));
      }
      orderTexts.add(splicer.text(item, Map.of(SqlTrees.sortExpression(item), column)));
    }
    if (!hidden.isEmpty()) {
      SqlNode last = items.get(items.size() - 1);
      SplicedSql extended = splicer.text(last);
      for (int i = 0; i < hidden.size(); i++) {
        extended = extended.append(", ").append(splicer.text(hidden.get(i)))
            .append(" AS spar_sort_" + (i + 1));
      }
      shard.put(last, new Replacement(extended));
    }
    if (shape.offset() != null) {
      shard.put(shape.offset(), Replacement.text("0"));
      if (shape.fetch() != null) {
        shard.put(shape.fetch(), new Replacement(SplicedSql.of("(")
            .append(splicer.text(shape.fetch())).append(") + (")
            .append(splicer.text(shape.offset())).append(")")));
      }
    }
    coordinator.append("SELECT " + (shape.select().isDistinct() ? "DISTINCT " : ""))
        .hole(columns -> visibleColumns(columns.perScan().get(0), hiddenCount),
            hiddenCount == 0 ? ROWS + ".*" : "<all but the sort columns>")
        .append(" FROM ")
        .hole(columns -> {
          List<ColumnInfo> all = columns.perScan().get(0);
          List<String> names = new ArrayList<>();
          for (int i = 1; i <= all.size(); i++) {
            names.add("c" + i);
          }
          return IntermediateRows.relation(all, names, ROWS, columns.parameterBase().get(0));
        }, "<rows from the shards> AS " + ROWS);
    for (int i = 0; i < orderTexts.size(); i++) {
      coordinator.append(i == 0 ? " ORDER BY " : ", ").append(orderTexts.get(i));
    }
    if (shape.fetch() != null) {
      coordinator.append(" LIMIT ").append(splicer.text(shape.fetch()));
    }
    if (shape.offset() != null) {
      coordinator.append(" OFFSET ").append(splicer.text(shape.offset()));
    }
    return Optional.of(new MultiShardQuery(Strategy.MERGE,
        List.of(tables.scan(splicer.splice(shard))),
        coordinator.build(), shape.locking(), fallback));
  }

  /**
   * Returns the 1-based output column a sort key names, as PostgreSQL resolves ORDER BY: a
   * position, an output column's name, or an expression equal to an output column; -1 if none.
   */
  private static int outputPosition(SqlNode key, SqlNodeList items) {
    int ordinal = SqlTrees.ordinal(key);
    if (ordinal > 0) {
      return ordinal <= items.size() ? ordinal : -1;
    }
    if (key instanceof SqlIdentifier id && id.isSimple()) {
      for (int i = 0; i < items.size(); i++) {
        if (id.getSimple().equals(SqlTrees.alias(items.get(i)))) {
          return i + 1;
        }
      }
    }
    for (int i = 0; i < items.size(); i++) {
      if (SqlTrees.unalias(items.get(i)).equalsDeep(key, Litmus.IGNORE)) {
        return i + 1;
      }
    }
    return -1;
  }

  private static SplicedSql visibleColumns(List<ColumnInfo> columns, int hidden) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < columns.size() - hidden; i++) {
      text.append(i == 0 ? "" : ", ").append(ROWS).append(".c").append(i + 1).append(" AS ")
          .append(SqlQuoting.identifier(columns.get(i).label()));
    }
    return SplicedSql.of(text.toString());
  }
}
