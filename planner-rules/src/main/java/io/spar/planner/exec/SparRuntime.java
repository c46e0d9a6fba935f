package io.spar.planner.exec;

import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.Shard;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.ShardQuery;
import io.spar.engine.routing.ShardPruner;
import io.spar.planner.sql.ShardSql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Entry point that generated code calls to run a pushed-down subtree on the shards that may
 * hold matching rows, in parallel, and return their rows in Calcite's internal form.
 */
public final class SparRuntime {
  private SparRuntime() {
  }

  /**
   * Runs {@code plan} with the statement parameters in {@code root} and returns its rows: scalars
   * for a one-column result, arrays otherwise.
   */
  public static Enumerable<Object> scan(ShardScanPlan plan, DataContext root) {
    try {
      List<Object> parameters = parameters(plan.parameterTypes(), root);
      RowSet rows = plan.source().engine().reads().execute(queries(plan, parameters),
          plan.source().scope().get(), false);
      return Linq4j.asEnumerable(rows == null ? List.of() : internalRows(plan, rows));
    } catch (SQLException e) {
      throw new ShardReadException(e);
    }
  }

  /** Returns one query per relation to read: surviving shards, or the local table. */
  static List<ShardQuery> queries(ShardScanPlan plan, List<Object> parameters)
      throws SQLException {
    SparEngine engine = plan.source().engine();
    CatalogSnapshot snapshot = engine.metadata().snapshot();
    Optional<DistributedTable> table = snapshot.table(plan.tableName());
    if (table.isEmpty()) {
      ShardSql sql = plan.sql(plan.tableName());
      return List.of(new ShardQuery(null, List.of(engine.coordinator()), sql.sql(),
          bind(sql, parameters)));
    }
    List<ShardQuery> result = new ArrayList<>();
    for (Shard each : prune(plan, table.get(), parameters)) {
      ShardSql sql = plan.sql(each.shardName());
      result.add(new ShardQuery(each.id(),
          each.finalizedPlacements().stream().map(ShardPlacement::node).toList(),
          sql.sql(), bind(sql, parameters)));
    }
    return result;
  }

  private static List<Shard> prune(ShardScanPlan plan, DistributedTable table,
      List<Object> parameters) throws SQLException {
    try {
      return ShardPruner.prune(table, plan.constraint(table.partitionColumn()), parameters);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      String state = message != null && message.contains("out of range") ? "22003" : "22P02";
      throw new SQLException(message, state, e);
    }
  }

  private static List<Object> bind(ShardSql sql, List<Object> parameters) {
    List<Object> result = new ArrayList<>(sql.parameterIndexes().size());
    for (int index : sql.parameterIndexes()) {
      result.add(parameters.get(index));
    }
    return result;
  }

  /** Returns the statement's parameters in JDBC form, null where the subtree uses none. */
  private static List<Object> parameters(Map<Integer, SqlTypeName> types, DataContext root) {
    int count = types.keySet().stream().mapToInt(i -> i + 1).max().orElse(0);
    List<Object> result = new ArrayList<>(Arrays.asList(new Object[count]));
    types.forEach((index, type) ->
        result.set(index, InternalValues.toJdbc(root.get("?" + index), type)));
    return result;
  }

  private static List<Object> internalRows(ShardScanPlan plan, RowSet rows) {
    int width = plan.fieldCount();
    List<Object> result = new ArrayList<>(rows.rows().size());
    for (Object[] each : rows.rows()) {
      if (width == 1) {
        result.add(plan.internal(0, each[0]));
      } else {
        Object[] row = new Object[width];
        for (int i = 0; i < width; i++) {
          row[i] = plan.internal(i, each[i]);
        }
        result.add(width == 0 ? List.of() : row);
      }
    }
    return result;
  }
}
