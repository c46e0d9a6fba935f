package io.spar.router;

import io.spar.parser.SparSqlDelete;
import io.spar.parser.SparSqlInsert;
import io.spar.parser.SparSqlUpdate;
import io.spar.parser.SqlOnConflict;
import io.spar.router.FunctionVolatility.Volatility;
import io.spar.outcome.SparErrors;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Analysis of a modification's functions by PostgreSQL volatility, as Citus does it, so that
 * every replica of a shard stores the same values.
 *
 * <ul>
 *   <li>In INSERT values, an expression that calls a STABLE or VOLATILE function
 *       ({@code now()}, {@code random()}, {@code nextval(…)}) is evaluated once at the
 *       coordinator, and its value is sent to every placement.
 *   <li>In UPDATE SET and WHERE, DELETE's WHERE and ON CONFLICT DO UPDATE, VOLATILE functions
 *       are refused; a STABLE expression that reads no column is evaluated at the coordinator.
 *   <li>A call that resolves to no function on the coordinator counts as VOLATILE
 *       ({@link FunctionVolatility}), so it is evaluated at the coordinator, which reports
 *       PostgreSQL's own error if it does not exist, or refused.
 *   <li>RETURNING may call only IMMUTABLE functions.
 *   <li>IMMUTABLE expressions are pushed down as written, even when they read columns, such as
 *       {@code users || hll_hash_text('foobar')}.
 * </ul>
 */
public final class ModificationAnalysis {
  private final FunctionVolatility volatility;
  private final List<SqlNode> coordinatorEvaluated = new ArrayList<>();

  private ModificationAnalysis(FunctionVolatility volatility) {
    this.volatility = volatility;
  }

  /**
   * Returns the expressions of {@code statement} that the coordinator must evaluate, in text
   * order.
   *
   * @throws SQLException if the statement uses a function its clause does not allow
   */
  public static List<SqlNode> coordinatorEvaluated(SqlNode statement,
      FunctionVolatility volatility) throws SQLException {
    ModificationAnalysis analysis = new ModificationAnalysis(volatility);
    analysis.analyze(statement);
    return analysis.coordinatorEvaluated;
  }

  private void analyze(SqlNode statement) throws SQLException {
    if (statement instanceof SqlInsert insert) {
      if (insert.getSource().getKind() == SqlKind.VALUES) {
        for (SqlNode row : ((SqlBasicCall) insert.getSource()).getOperandList()) {
          for (SqlNode value : ((SqlCall) row).getOperandList()) {
            if (volatility.of(value) != Volatility.IMMUTABLE) {
              coordinatorEvaluated.add(value);
            }
          }
        }
      }
      if (insert instanceof SparSqlInsert spar && spar.getOnConflict() != null) {
        SqlOnConflict conflict = spar.getOnConflict();
        updateClause(conflict.getSourceExpressionList(), "UPDATE");
        updateClause(conflict.getCondition(), "UPDATE");
      }
    } else if (statement instanceof SqlUpdate update) {
      updateClause(update.getSourceExpressionList(), "UPDATE");
      updateClause(update.getCondition(), "UPDATE");
    } else if (statement instanceof SqlDelete delete) {
      updateClause(delete.getCondition(), "DELETE");
    }
    checkReturning(returning(statement));
  }

  private void updateClause(SqlNode clause, String command) throws SQLException {
    if (clause == null) {
      return;
    }
    if (volatility.of(clause) == Volatility.VOLATILE) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "functions used in " + command
          + " queries on distributed tables must not be VOLATILE", unresolvedDetail(clause),
          null);
    }
    collectStable(clause);
  }

  /** Returns why a call counts as VOLATILE when the coordinator has no such function. */
  private String unresolvedDetail(SqlNode clause) throws SQLException {
    List<String> unresolved = volatility.unresolved(clause);
    return unresolved.isEmpty() ? null : "No function matches " + unresolved.get(0)
        + " (name/argument count) on the coordinator's search path; Spar treats functions it"
        + " cannot resolve as VOLATILE.";
  }

  private void collectStable(SqlNode node) throws SQLException {
    if (volatility.of(node) == Volatility.IMMUTABLE) {
      return;
    }
    if (!(node instanceof SqlNodeList) && !FunctionVolatility.readsRows(node)) {
      coordinatorEvaluated.add(node);
      return;
    }
    List<SqlNode> children = node instanceof SqlNodeList list ? list.getList()
        : node instanceof SqlCall call ? call.getOperandList() : List.of();
    for (SqlNode each : children) {
      if (each != null) {
        collectStable(each);
      }
    }
  }

  private void checkReturning(SqlNodeList returning) throws SQLException {
    if (returning != null && volatility.of(returning) != Volatility.IMMUTABLE) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "non-IMMUTABLE functions are not allowed in the RETURNING clause",
          unresolvedDetail(returning), null);
    }
  }

  /** Returns the RETURNING list of {@code statement}, or null. */
  public static SqlNodeList returning(SqlNode statement) {
    if (statement instanceof SparSqlInsert insert) {
      return insert.getReturning();
    }
    if (statement instanceof SparSqlUpdate update) {
      return update.getReturning();
    }
    return statement instanceof SparSqlDelete delete ? delete.getReturning() : null;
  }
}
