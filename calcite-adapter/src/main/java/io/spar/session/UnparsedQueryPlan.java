package io.spar.session;

import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.TableName;
import io.spar.multishard.MultiShardQuery;
import io.spar.multishard.UnparsedQueries;
import io.spar.outcome.StatementResult;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Plan of a query that names distributed tables in a form Spar's parser does not accept; the
 * coordinator database runs it over the rows of every shard ({@link UnparsedQueries}), planned
 * on the first execution with the parameters PostgreSQL's planner needs.
 */
final class UnparsedQueryPlan implements StatementPlan {
  private static final String READ_RELATIONS = "SELECT DISTINCT r ->> 'Schema', r ->> 'Relation"
      + " Name' FROM jsonb_path_query(?::jsonb, '$.** ? (exists (@.\"Relation Name\"))') AS r";

  private final String sql;
  private final SparEngine engine;
  private final SessionContext context;
  private MultiShardQuery plan;

  UnparsedQueryPlan(String sql, SparEngine engine, SessionContext context) {
    this.sql = sql;
    this.engine = engine;
    this.context = context;
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    // Spar could not parse it, so it cannot tell which functions it calls.
    return plan(parameters).execute(parameters, new SessionRuntime(engine, context,
        context.snapshot(), false));
  }

  @Override
  public List<String> explain(List<Object> parameters) throws SQLException {
    return plan(parameters).explain(parameters, context.snapshot());
  }

  private MultiShardQuery plan(List<Object> parameters) throws SQLException {
    if (plan == null) {
      context.plans().increment();
      CatalogSnapshot snapshot = context.snapshot();
      Object json = context.coordinator().execute("EXPLAIN (VERBOSE, FORMAT JSON) " + sql,
          parameters).rows().rows().get(0)[0];
      Set<TableName> read = new HashSet<>();
      for (Object[] row : context.coordinator().execute(READ_RELATIONS,
          List.of(String.valueOf(json))).rows().rows()) {
        TableName table = new TableName((String) row[0], (String) row[1]);
        if (snapshot.table(table).isPresent()) {
          read.add(table);
        }
      }
      plan = UnparsedQueries.plan(sql, read, context.searchPath().resolver(snapshot), snapshot);
    }
    return plan;
  }
}
