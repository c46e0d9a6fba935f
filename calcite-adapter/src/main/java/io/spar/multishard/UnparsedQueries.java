package io.spar.multishard;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.ColumnInfo;
import io.spar.outcome.SparErrors;
import io.spar.parser.SqlTokens;
import io.spar.parser.SqlTokens.Token;
import io.spar.router.SplicedSql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Planner of queries Spar's parser does not understand but PostgreSQL does ({@code DISTINCT ON},
 * {@code WITH ... AS MATERIALIZED}, {@code AT TIME ZONE}, ...): they take
 * {@link Strategy#COORDINATOR} with every shard of each table they read.
 *
 * <p>PostgreSQL's own planner, run on the coordinator's shell tables, tells which distributed
 * tables the query reads; the query's tokens tell where it names them. The two must agree, or
 * the query is refused: a table read through a name Spar did not find would be read from its
 * empty shell, a wrong answer.
 */
public final class UnparsedQueries {
  /** Words that end a FROM item, so that a name followed by one of them has no alias. */
  private static final Set<String> AFTER_FROM_ITEM = Set.of("where", "join", "inner", "left",
      "right", "full", "cross", "natural", "on", "using", "group", "order", "limit", "offset",
      "fetch", "union", "except", "intersect", "window", "having", "for", "tablesample",
      "returning");

  private UnparsedQueries() {
  }

  /**
   * Returns the plan of query {@code sql}.
   *
   * @param read the distributed tables PostgreSQL's plan of the query reads, each followed by
   *     the partitioned tables it is a partition of, any of which the query may name instead
   * @param resolver resolves a name's parts to a table as the session's search path does
   */
  public static MultiShardQuery plan(String sql, Set<List<TableName>> read,
      Function<List<String>, TableName> resolver, CatalogSnapshot snapshot) throws SQLException {
    List<Token> tokens = SqlTokens.of(sql);
    CoordinatorSql.Builder coordinator = new CoordinatorSql.Builder();
    List<MultiShardQuery.Scan> scans = new ArrayList<>();
    Set<TableName> found = new HashSet<>();
    StringBuilder text = new StringBuilder();
    List<Integer> order = new ArrayList<>();
    int cursor = 0;
    int questionMarks = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (token.kind() == SqlTokens.Kind.PARAMETER) {
        text.append(sql, cursor, token.start()).append('?');
        order.add(token.text().equals("?") ? questionMarks++
            : Integer.parseInt(token.text().substring(1)) - 1);
        cursor = token.end();
        continue;
      }
      int last = nameEnd(tokens, i);
      if (last < 0) {
        continue;
      }
      List<String> parts = new ArrayList<>();
      for (int j = i; j <= last; j += 2) {
        parts.add(tokens.get(j).name());
      }
      TableName table = resolver.apply(parts);
      if (table == null || snapshot.table(table).isEmpty()) {
        i = last;
        continue;
      }
      found.add(table);
      // ONLY reads the shards without their partitions (a partitioned table's shards have
      // some), as it reads a table without its children.
      boolean only = i > 0 && tokens.get(i - 1).is("only");
      int from = only ? tokens.get(i - 1).start() : token.start();
      text.append(sql, cursor, from);
      coordinator.append(new SplicedSql(text.toString(),
          order.stream().mapToInt(Integer::intValue).toArray()));
      text.setLength(0);
      order.clear();
      boolean aliased = last + 1 < tokens.size() && (tokens.get(last + 1).is("as")
          || tokens.get(last + 1).isIdentifier()
          && !AFTER_FROM_ITEM.contains(tokens.get(last + 1).name()));
      int scan = scans.size();
      scans.add(MultiShardQuery.Scan.unpruned(table, null,
          SplicedSql.of("SELECT * FROM " + (only ? "ONLY " : "") + MultiShardQuery.TABLE_MARKER)));
      String alias = aliased ? null : SqlQuoting.identifier(table.name());
      coordinator.hole(columns -> {
        List<ColumnInfo> shardColumns = columns.perScan().get(scan);
        return IntermediateRows.relation(shardColumns,
            shardColumns.stream().map(ColumnInfo::label).toList(), alias,
            columns.parameterBase().get(scan));
      }, "<rows of " + table + " from the shards>" + (alias == null ? "" : " AS " + alias));
      cursor = tokens.get(last).end();
      i = last;
    }
    text.append(sql, cursor, sql.length());
    coordinator.append(new SplicedSql(text.toString(),
        order.stream().mapToInt(Integer::intValue).toArray()));
    // Every table PostgreSQL reads must be found, or it would read that table's empty shell.
    // Found names PostgreSQL does not read (a subquery its planner proved needless) cost only
    // their shards' rows.
    List<TableName> missing = read.stream()
        .filter(names -> names.stream().noneMatch(found::contains)).map(names -> names.get(0))
        .toList();
    if (!missing.isEmpty()) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "Spar cannot tell where this"
          + " query names its distributed tables " + missing, null,
          "Name distributed tables directly in FROM clauses.");
    }
    return new MultiShardQuery(Strategy.COORDINATOR, scans, coordinator.build(), false, null);
  }

  /**
   * Returns the index of the last token of a possibly qualified name that starts at
   * {@code start} and is not part of a longer name or a function call, or -1.
   */
  private static int nameEnd(List<Token> tokens, int start) {
    if (!tokens.get(start).isIdentifier()
        || start > 0 && tokens.get(start - 1).text().equals(".")) {
      return -1;
    }
    int last = start;
    while (last + 2 < tokens.size() && tokens.get(last + 1).text().equals(".")
        && tokens.get(last + 2).isIdentifier()) {
      last += 2;
    }
    if (last + 1 < tokens.size() && (tokens.get(last + 1).text().equals("(")
        || tokens.get(last + 1).text().equals("."))) {
      return -1;
    }
    return last;
  }
}
