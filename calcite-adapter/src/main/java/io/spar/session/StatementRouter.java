package io.spar.session;

import io.spar.adapter.CalciteQueryRunner;
import io.spar.commands.SqlApiCall;
import io.spar.commands.SqlApiFunctions;
import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.ShardQuery;
import io.spar.engine.execution.ShardWrite;
import io.spar.parser.SqlParsing;
import io.spar.router.ModificationRouter;
import io.spar.router.RouterPlanner;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.TableReference;
import io.spar.router.TableReferenceCollector;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * Pipeline of queries and modifications: parse, find the tables, then route.
 *
 * <p>A statement that touches no distributed table runs on the coordinator as written. One
 * that prunes to a single shard (with co-located joins) runs on that shard's placement with
 * shard names spliced in. Other queries are planned by Calcite with Spar's rules; other
 * modifications are refused with pg_shard's error.
 */
final class StatementRouter {
  private final SparEngine engine;
  private final SessionConnections connections;
  private final CoordinatorExecutor coordinator;
  private final SearchPath searchPath;
  private final CalciteQueryRunner calcite;
  private final SqlApiFunctions functions;

  StatementRouter(SparEngine engine, SessionConnections connections,
      CoordinatorExecutor coordinator, SearchPath searchPath, CalciteQueryRunner calcite,
      SqlApiFunctions functions) {
    this.engine = engine;
    this.connections = connections;
    this.coordinator = coordinator;
    this.searchPath = searchPath;
    this.calcite = calcite;
    this.functions = functions;
  }

  /** Runs a query or modification. */
  StatementResult execute(String sql, List<Object> parameters) throws SQLException {
    CatalogSnapshot snapshot = engine.metadata().snapshot();
    SqlNode statement;
    try {
      statement = SqlParsing.parse(sql);
    } catch (SQLException e) {
      // PostgreSQL accepts more than Calcite's grammar; statements on local tables keep it all.
      if (!DistributedNames.mentioned(sql, snapshot)) {
        return coordinator.execute(sql, parameters);
      }
      throw e;
    }
    String parsedText = SqlParsing.parsedText(sql);
    ShardSqlSplicer splicer = new ShardSqlSplicer(parsedText);
    Optional<SqlApiCall> call = SqlApiCall.match(statement, SqlApiFunctions.NAMES);
    if (call.isPresent()) {
      return functions.execute(call.get(), splicer, parameters);
    }
    List<TableReference> references = TableReferenceCollector.collect(statement,
        names -> searchPath.resolve(names, snapshot));
    List<TableReference> distributed = references.stream()
        .filter(each -> snapshot.table(each.table()).isPresent()).toList();
    if (distributed.isEmpty()) {
      return coordinator.execute(sql, parameters);
    }
    if (statement.getKind().belongsTo(org.apache.calcite.sql.SqlKind.DML)) {
      return modify(statement, references, snapshot, splicer, parameters);
    }
    return query(sql, references, distributed, snapshot, splicer, parameters);
  }

  private StatementResult query(String sql, List<TableReference> references,
      List<TableReference> distributed, CatalogSnapshot snapshot, ShardSqlSplicer splicer,
      List<Object> parameters) throws SQLException {
    if (distributed.size() == references.size()) {
      Optional<ShardQuery> routed;
      try {
        routed = RouterPlanner.plan(distributed, snapshot, splicer, parameters);
      } catch (IllegalArgumentException e) {
        throw SparErrors.invalidValue(e);
      }
      if (routed.isPresent()) {
        return StatementResult.ofRows(engine.reads().execute(List.of(routed.get())));
      }
    }
    RowSet rows = calcite.query(sql, parameters);
    return StatementResult.ofRows(rows);
  }

  private StatementResult modify(SqlNode statement, List<TableReference> references,
      CatalogSnapshot snapshot, ShardSqlSplicer splicer, List<Object> parameters)
      throws SQLException {
    TableReference target = references.get(0);
    Optional<DistributedTable> table = snapshot.table(target.table());
    if (table.isEmpty() || references.stream().skip(1)
        .anyMatch(each -> snapshot.table(each.table()).isPresent())) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "cannot plan modifications that read from distributed tables in subqueries");
    }
    boolean needsColumns = statement instanceof SqlInsert insert
        && insert.getTargetColumnList() == null;
    Optional<ShardWrite> write = ModificationRouter.plan(statement, target, table.get(),
        needsColumns ? columns(table.get()) : List.of(), splicer, parameters,
        node -> evaluate(node, splicer, parameters));
    if (write.isEmpty()) {
      return StatementResult.ofCount(0);
    }
    return toResult(engine.writes().execute(write.get(), connections));
  }

  private static StatementResult toResult(io.spar.engine.execution.WriteResult result) {
    return result.rows() != null
        ? StatementResult.ofRows(result.rows()) : StatementResult.ofCount(result.updateCount());
  }

  private List<String> columns(DistributedTable table) throws SQLException {
    StatementResult result = coordinator.execute("SELECT attname FROM pg_attribute"
        + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        List.of(table.relationId()));
    List<String> names = new ArrayList<>();
    for (Object[] row : result.rows().rows()) {
      names.add((String) row[0]);
    }
    return names;
  }

  /** Evaluates expression {@code node} on the coordinator with the parameters it uses. */
  private Object evaluate(SqlNode node, ShardSqlSplicer splicer, List<Object> parameters)
      throws SQLException {
    List<Object> used = new ArrayList<>();
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlDynamicParam param) {
        used.add(parameters.get(param.getIndex()));
        return null;
      }
    });
    return coordinator.firstRow("SELECT " + splicer.text(node), used)[0];
  }
}
