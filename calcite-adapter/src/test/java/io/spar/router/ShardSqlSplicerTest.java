package io.spar.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.parser.SqlParsing;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.junit.jupiter.api.Test;

/**
 * Test case for issue 8: the text of a schema-qualified function call, which the coordinator
 * evaluates in place of each placement, includes its schema, however the call is nested.
 */
class ShardSqlSplicerTest {
  @Test
  void textOfQualifiedCallsIncludesTheSchema() throws SQLException {
    String sql = "INSERT INTO t (a, b, c) VALUES (wc_hidden.pick(), s.f(1) + 2, \"S\".g(s.h()))";
    List<SqlNode> values = values(sql);
    ShardSqlSplicer splicer = new ShardSqlSplicer(SqlParsing.parsedText(sql), statement);
    assertEquals("wc_hidden.pick()", splicer.text(values.get(0)).sql());
    assertEquals("s.f(1) + 2", splicer.text(values.get(1)).sql());
    assertEquals("\"S\".g(s.h())", splicer.text(values.get(2)).sql());
  }

  @Test
  void replacesQualifiedCallsWhole() throws SQLException {
    String sql = "INSERT INTO t (a, b) VALUES ($1, wc_hidden.pick())";
    List<SqlNode> values = values(sql);
    ShardSqlSplicer splicer = new ShardSqlSplicer(SqlParsing.parsedText(sql), statement);
    SplicedSql spliced = splicer.splice(Map.of(values.get(1), Replacement.castParameter(1,
        "integer")));
    assertEquals("INSERT INTO t (a, b) VALUES (?, CAST(? AS integer))", spliced.sql());
  }

  private SqlNode statement;

  private List<SqlNode> values(String sql) throws SQLException {
    statement = SqlParsing.parse(sql);
    SqlBasicCall rows = (SqlBasicCall) ((SqlInsert) statement).getSource();
    return ((SqlBasicCall) rows.operand(0)).getOperandList();
  }
}
