package io.spar.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spar.parser.SqlParsing;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlNode;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8: a function that resolves to nothing on the coordinator is treated as
 * VOLATILE by the write path, evaluated once at the coordinator in INSERT values and refused
 * in UPDATE, never pushed to each placement as if it were IMMUTABLE.
 */
class ModificationAnalysisTest {
  private static final FunctionVolatility JUDGE =
      FunctionVolatilityTest.judge(List.of("pg_catalog", "public"), Set.of());

  @Test
  void insertValuesEvaluateQualifiedAndUnresolvedFunctionsAtTheCoordinator()
      throws SQLException {
    assertEquals(List.of("`s`.`f`()", "`no_such`(1)", "current_timestamp"), evaluated(
        "INSERT INTO t (a, b, c, d) VALUES (s.f(), no_such(1), current_timestamp, f())"));
  }

  @Test
  void updatesRefuseUnresolvedFunctionsAsVolatile() {
    PSQLException e = assertThrows(PSQLException.class,
        () -> evaluated("UPDATE t SET v = no_such(v) WHERE id = 1"));
    assertEquals("0A000", e.getSQLState());
    assertEquals("functions used in UPDATE queries on distributed tables must not be VOLATILE",
        e.getServerErrorMessage().getMessage());
    assertEquals("No function matches no_such/1 (name/argument count) on the coordinator's"
        + " search path; Spar treats functions it cannot resolve as VOLATILE.",
        e.getServerErrorMessage().getDetail());
    assertThrows(PSQLException.class,
        () -> evaluated("UPDATE t SET v = s.f() WHERE id = 1"));
    assertThrows(PSQLException.class,
        () -> evaluated("DELETE FROM t WHERE id = 1 AND v = no_such()"));
  }

  @Test
  void updatesEvaluateSqlValueFunctionsAtTheCoordinator() throws SQLException {
    assertEquals(List.of("current_timestamp", "current_date"), evaluated(
        "UPDATE t SET at = current_timestamp WHERE id = 1 AND day < current_date"));
  }

  private static List<String> evaluated(String sql) throws SQLException {
    SqlNode statement = SqlParsing.parse(sql);
    return ModificationAnalysis.coordinatorEvaluated(statement, JUDGE, TargetColumns.NONE)
        .stream().map(each -> each.node().toString()).toList();
  }
}
