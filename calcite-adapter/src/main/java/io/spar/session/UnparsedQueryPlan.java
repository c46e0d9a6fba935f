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
  private static final String ANCESTORS = " FROM (WITH RECURSIVE up (oid, i) AS ("
      + "  SELECT h.inhparent, 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = c.oid"
      + "  UNION ALL SELECT h.inhparent, up.i + 1 FROM pg_catalog.pg_inherits h"
      + "  JOIN up ON h.inhrelid = up.oid) SELECT * FROM up) p"
      + " JOIN pg_catalog.pg_class ac ON ac.oid = p.oid"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = ac.relnamespace ORDER BY p.i";
  /**
   * The relations a plan reads, each with its ancestors (the query may name a partitioned
   * table or a parent, whose plan reads its partitions or children), nearest first.
   */
  private static final String READ_RELATIONS = "SELECT DISTINCT r ->> 'Schema',"
      + " r ->> 'Relation Name', ARRAY(SELECT n.nspname::text" + ANCESTORS + "),"
      + " ARRAY(SELECT ac.relname::text" + ANCESTORS + ")"
      + " FROM jsonb_path_query(?::jsonb, '$.** ? (exists (@.\"Relation Name\"))') AS r"
      + " JOIN pg_catalog.pg_namespace rn ON rn.nspname = r ->> 'Schema'"
      + " JOIN pg_catalog.pg_class c ON c.relnamespace = rn.oid"
      + " AND c.relname = r ->> 'Relation Name'";

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
      Set<List<TableName>> read = new HashSet<>();
      for (Object[] row : context.coordinator().execute(READ_RELATIONS,
          List.of(String.valueOf(json))).rows().rows()) {
        TableName table = new TableName((String) row[0], (String) row[1]);
        if (snapshot.table(table).isPresent()) {
          List<TableName> names = new java.util.ArrayList<>();
          names.add(table);
          Object[] schemas = values(row[2]);
          Object[] relations = values(row[3]);
          for (int i = 0; i < schemas.length; i++) {
            names.add(new TableName((String) schemas[i], (String) relations[i]));
          }
          read.add(names);
        }
      }
      plan = UnparsedQueries.plan(sql, read, context.searchPath().resolver(snapshot), snapshot);
    }
    return plan;
  }

  private static Object[] values(Object array) throws SQLException {
    return array instanceof java.sql.Array sql ? (Object[]) sql.getArray()
        : array instanceof Object[] values ? values : new Object[0];
  }
}
