package io.spar.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.TableName;
import io.spar.parser.SparQueries;
import io.spar.parser.SqlParsing;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.calcite.sql.SqlNode;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 8, item 9: a routed query's locking clauses reach the shard as written;
 * the names after {@code OF} are not table references, and stay valid because the shard keeps
 * the table's name as its alias.
 */
class LockingClauseSpliceTest {
  @Test
  void clausesSurviveTheSpliceUnchanged() throws SQLException {
    assertEquals("SELECT * FROM \"public\".\"articles_10002\" AS \"articles\""
            + " WHERE author_id = ? ORDER BY id FOR UPDATE OF articles NOWAIT LIMIT 1",
        spliced("SELECT * FROM articles WHERE author_id = $1 ORDER BY id"
            + " FOR UPDATE OF articles NOWAIT LIMIT 1", "articles"));
    assertEquals("select a.id from \"public\".\"articles_10002\" a"
            + " join \"public\".\"authors_10010\" AS \"authors\" on a.author_id = authors.id"
            + " where a.author_id = 7\n"
            + "  for no key update of a skip locked for share of authors",
        spliced("select a.id from articles a join public.authors on a.author_id = authors.id"
            + " where a.author_id = 7\n  for no key update of a skip locked for share of authors",
            "articles", "authors"));
  }

  @Test
  void namesAfterOfAreNotTableReferences() throws SQLException {
    SqlNode statement = SqlParsing.parse("SELECT * FROM t x, u FOR UPDATE OF x, articles, u");
    List<String> tables = TableReferenceCollector.collect(statement, inPublic()).stream()
        .map(each -> each.table().name()).toList();
    assertEquals(List.of("t", "u"), tables);
  }

  @Test
  void clauseTextIsFoundByPosition() throws SQLException {
    String sql = "SELECT * FROM t WHERE k = 1 FOR KEY SHARE OF t\n SKIP LOCKED LIMIT 3";
    SqlNode statement = SqlParsing.parse(sql);
    ShardSqlSplicer splicer = new ShardSqlSplicer(SqlParsing.parsedText(sql), statement);
    assertEquals("FOR KEY SHARE OF t\n SKIP LOCKED",
        splicer.text(SparQueries.lockingClauses(statement).orElseThrow()).sql());
  }

  /** Returns a resolver that puts every table in schema public. */
  private static Function<List<String>, TableName> inPublic() {
    return names -> new TableName("public", names.get(names.size() - 1));
  }

  /** Returns {@code sql} spliced as RouterPlanner splices it, with one shard per table. */
  private static String spliced(String sql, String... tables) throws SQLException {
    SqlNode statement = SqlParsing.parse(sql);
    List<TableReference> references = TableReferenceCollector.collect(statement, inPublic());
    assertEquals(List.of(tables), references.stream().map(r -> r.table().name()).toList());
    Map<SqlNode, Replacement> replacements = new HashMap<>();
    for (int i = 0; i < references.size(); i++) {
      TableReference each = references.get(i);
      Shard shard = new Shard(10002 + 8L * i, each.table(), null, null, List.of());
      replacements.put(each.identifier(),
          Replacement.text(RouterPlanner.shardReference(each, shard)));
    }
    return new ShardSqlSplicer(SqlParsing.parsedText(sql), statement).splice(replacements).sql();
  }
}
