package io.spar.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import io.spar.outcome.StatementResult;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementResultsTest {
  private int completions;
  private final StatementResults results =
      new StatementResults(ResultSet.TYPE_FORWARD_ONLY, () -> completions++);

  private static StatementResult rows(Object... values) {
    List<Object[]> rows = new ArrayList<>();
    for (Object value : values) {
      rows.add(new Object[] {value});
    }
    return StatementResult.ofRows(new RowSet(List.of(new ColumnInfo("v", Types.VARCHAR,
        "text", 0, 0, ResultSetMetaData.columnNullable, "java.lang.String")), rows));
  }

  @Test
  void queryResultIsAResultSetWithoutUpdateCount() throws SQLException {
    assertTrue(results.accept(rows("a", "b"), false));
    SparResultSet resultSet = results.resultSet();
    assertNotNull(resultSet);
    assertEquals(-1, results.updateCount());
    assertTrue(resultSet.next());
    assertEquals("a", resultSet.getString(1));
    assertEquals(1, results.lastColumns().size());
  }

  @Test
  void countResultHasNoResultSet() throws SQLException {
    assertFalse(results.accept(StatementResult.ofCount(3), false));
    assertNull(results.resultSet());
    assertEquals(3, results.updateCount());
    assertNull(results.lastColumns());
  }

  @Test
  void utilityStatementsCountZero() throws SQLException {
    assertFalse(results.accept(StatementResult.ofCount(-1), false));
    assertEquals(0, results.updateCount());
  }

  @Test
  void getMoreResultsEndsTheResultsAndClosesTheCurrentOne() throws SQLException {
    results.accept(rows("a"), false);
    SparResultSet resultSet = results.resultSet();
    assertFalse(results.moreResults(Statement.CLOSE_CURRENT_RESULT));
    assertTrue(resultSet.isClosed());
    assertNull(results.resultSet());
    assertEquals(-1, results.updateCount());
    results.accept(StatementResult.ofCount(2), false);
    assertFalse(results.moreResults(Statement.CLOSE_CURRENT_RESULT));
    assertEquals(-1, results.updateCount());
  }

  @Test
  void keepCurrentResultLeavesTheResultSetOpenUntilCloseAll() throws SQLException {
    results.accept(rows("a"), false);
    SparResultSet kept = results.resultSet();
    assertFalse(results.moreResults(Statement.KEEP_CURRENT_RESULT));
    assertFalse(kept.isClosed());
    assertNull(results.resultSet());
    results.accept(rows("b"), false);
    assertFalse(kept.isClosed());
    results.closeAll();
    assertTrue(kept.isClosed());
  }

  @Test
  void executingAgainClosesThePreviousResultSetWithoutCompletingTheStatement() throws SQLException {
    results.accept(rows("a"), false);
    SparResultSet first = results.resultSet();
    results.accept(rows("b"), false);
    assertTrue(first.isClosed());
    assertEquals(0, completions);
    results.resultSet().close();
    assertEquals(1, completions);
  }

  @Test
  void maxRowsAndMaxFieldSizeTruncate() throws SQLException {
    results.maxRows(2);
    results.maxFieldSize(3);
    results.accept(rows("abcdef", "x", "y"), false);
    SparResultSet resultSet = results.resultSet();
    assertTrue(resultSet.next());
    assertEquals("abc", resultSet.getString(1));
    assertTrue(resultSet.next());
    assertEquals("x", resultSet.getString(1));
    assertFalse(resultSet.next());
  }

  @Test
  void generatedKeysAreEmptyUnlessAModificationReturnedRows() throws SQLException {
    results.accept(StatementResult.ofCount(1), false);
    ResultSet empty = results.generatedKeys();
    assertFalse(empty.next());
    assertEquals(0, empty.getMetaData().getColumnCount());

    assertFalse(results.accept(rows("7", "8"), true));
    assertNull(results.resultSet());
    assertEquals(2, results.updateCount());
    ResultSet keys = results.generatedKeys();
    assertTrue(keys.next());
    assertEquals(7, keys.getInt(1));
    assertTrue(keys.next());
    assertFalse(keys.next());
  }

  @Test
  void fetchSizeReachesTheResultSet() throws SQLException {
    results.fetchSize(50);
    results.accept(rows("a"), false);
    assertEquals(50, results.resultSet().getFetchSize());
    assertSame(null, results.resultSet().getStatement());
  }
}
