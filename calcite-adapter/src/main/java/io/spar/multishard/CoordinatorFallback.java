package io.spar.multishard;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.ColumnInfo;
import io.spar.outcome.SparErrors;
import io.spar.router.Replacement;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.SplicedSql;
import io.spar.router.TableReference;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.sql.SqlNode;

/**
 * Planner of {@link Strategy#COORDINATOR}, the strategy every query can take: each distributed
 * table's shards return their rows (filtered by the query's WHERE where it reads that table
 * alone), and the coordinator database runs the statement as written over those rows. Whatever
 * PostgreSQL accepts on plain tables thus works on distributed ones, with PostgreSQL's results.
 */
final class CoordinatorFallback {
  private CoordinatorFallback() {
  }

  /** Returns the plan of {@code statement}, which reads {@code distributed}. */
  static MultiShardQuery plan(SqlNode statement, Optional<QueryShape> shape,
      List<TableReference> distributed, ShardSqlSplicer splicer) throws SQLException {
    if (shape.map(QueryShape::locking).orElse(false)) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "locking clauses are not"
          + " supported for multi-shard queries that join, aggregate or combine rows",
          "The coordinator would compute the result from rows the shards did not lock.",
          "Add an equality filter on the distribution column of each distributed table so that"
          + " the query reads one shard, or lock rows of one distributed table at a time.");
    }
    CoordinatorSql.Builder coordinator = new CoordinatorSql.Builder();
    Map<SqlNode, Replacement> replacements = new IdentityHashMap<>();
    List<MultiShardQuery.Scan> scans = new ArrayList<>();
    for (int i = 0; i < distributed.size(); i++) {
      TableReference reference = distributed.get(i);
      SplicedSql template = SplicedSql.of("SELECT * FROM " + MultiShardQuery.TABLE_MARKER
          + (reference.alias() != null ? " AS " + SqlQuoting.identifier(reference.alias()) : ""));
      SqlNode where = reference.where();
      boolean topLevel = shape.isPresent() && shape.get().select().getWhere() == where;
      if (where != null && topLevel && reference.soleTable() && !SqlTrees.containsQuery(where)) {
        template = template.append(" WHERE ").append(splicer.text(where));
      }
      // Only a table alone in its FROM clause is pruned by its WHERE: beside an outer join,
      // WHERE c.id IS NULL keeps rows that no shard of c holds.
      scans.add(MultiShardQuery.Scan.of(List.of(reference), reference.soleTable(), template));
      int scan = i;
      String alias = reference.alias() != null ? null
          : SqlQuoting.identifier(reference.table().name());
      replacements.put(reference.identifier(), coordinator.replacement(columns -> {
        List<ColumnInfo> shardColumns = columns.perScan().get(scan);
        return IntermediateRows.relation(shardColumns,
            shardColumns.stream().map(ColumnInfo::label).toList(), alias,
            columns.parameterBase().get(scan));
      }, "<rows of " + reference.table() + " from the shards>"));
    }
    coordinator.append(splicer.splice(replacements));
    return new MultiShardQuery(Strategy.COORDINATOR, scans, coordinator.build(), false, null);
  }
}
