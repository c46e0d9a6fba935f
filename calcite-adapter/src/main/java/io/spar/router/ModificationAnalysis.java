package io.spar.router;

import io.spar.parser.SparSqlDelete;
import io.spar.parser.SparSqlInsert;
import io.spar.parser.SparSqlUpdate;
import io.spar.parser.SqlOnConflict;
import io.spar.router.FunctionVolatility.Volatility;
import io.spar.outcome.SparErrors;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Analysis of a modification's values by PostgreSQL volatility, as Citus does it, so that
 * every replica of a shard stores the same values.
 *
 * <ul>
 *   <li>In INSERT values, an expression that calls a STABLE or VOLATILE function
 *       ({@code now()}, {@code random()}, {@code nextval(…)}) is evaluated once at the
 *       coordinator, and its value is sent to every placement.
 *   <li>{@code DEFAULT} in INSERT values, and every column an INSERT omits (which
 *       {@link InsertCompletion} turns into {@code DEFAULT}), gets its default from the
 *       coordinator, once per row, unless the shards keep that default ({@link ColumnDefaults});
 *       so does a partition column, whose value picks the shard.
 *   <li>In UPDATE SET and WHERE, DELETE's WHERE and ON CONFLICT DO UPDATE, VOLATILE functions
 *       are refused; a STABLE expression that reads no column is evaluated at the coordinator,
 *       and so is {@code SET c = DEFAULT} when c's default is STABLE and not the shards' own
 *       (a VOLATILE one, such as {@code nextval}, would give each row its own value, so it is
 *       refused).
 *   <li>Strings that name a moment ({@code 'now'}, {@code 'today'}…) are read once at the
 *       coordinator as the type they take ({@link MomentValues}).
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
  private final TargetColumns columns;
  private final List<CoordinatorValue> coordinatorEvaluated = new ArrayList<>();
  private final Set<SqlNode> evaluatedNodes = Collections.newSetFromMap(new IdentityHashMap<>());

  private ModificationAnalysis(FunctionVolatility volatility, TargetColumns columns) {
    this.volatility = volatility;
    this.columns = columns;
  }

  /**
   * Returns the values of {@code statement}, whose target table has {@code columns}, that the
   * coordinator must compute, in text order.
   *
   * @throws SQLException if the statement uses a function or value its clause does not allow
   */
  public static List<CoordinatorValue> coordinatorEvaluated(SqlNode statement,
      FunctionVolatility volatility, TargetColumns columns) throws SQLException {
    ModificationAnalysis analysis = new ModificationAnalysis(volatility, columns);
    analysis.analyze(statement);
    return analysis.coordinatorEvaluated;
  }

  private void analyze(SqlNode statement) throws SQLException {
    if (statement instanceof SqlInsert insert) {
      if (insert.getSource().getKind() == SqlKind.VALUES) {
        values(insert);
      }
      if (insert instanceof SparSqlInsert spar && spar.getOnConflict() != null) {
        SqlOnConflict conflict = spar.getOnConflict();
        if (conflict.getTargetColumnList() != null) {
          assignments(conflict.getTargetColumnList(), conflict.getSourceExpressionList());
        }
        condition(conflict.getCondition(), "UPDATE");
      }
    } else if (statement instanceof SqlUpdate update) {
      assignments(update.getTargetColumnList(), update.getSourceExpressionList());
      condition(update.getCondition(), "UPDATE");
    } else if (statement instanceof SqlDelete delete) {
      condition(delete.getCondition(), "DELETE");
    }
    checkReturning(returning(statement));
  }

  private void values(SqlInsert insert) throws SQLException {
    List<String> targets = insert.getTargetColumnList() == null ? columns.names()
        : insert.getTargetColumnList().stream().map(ModificationAnalysis::lastName).toList();
    MomentValues moments = moments("INSERT");
    for (SqlNode row : ((SqlBasicCall) insert.getSource()).getOperandList()) {
      List<SqlNode> values = ((SqlCall) row).getOperandList();
      for (int i = 0; i < values.size(); i++) {
        SqlNode value = values.get(i);
        String column = i < targets.size() ? targets.get(i) : null;
        if (value.getKind() == SqlKind.DEFAULT) {
          insertDefault(value, column);
        } else if (volatility.of(value) != Volatility.IMMUTABLE) {
          add(CoordinatorValue.asWritten(value));
        } else {
          moments.assigned(value, column);
        }
      }
    }
  }

  /** Evaluates {@code DEFAULT} for {@code column} at the coordinator where the shards cannot. */
  private void insertDefault(SqlNode value, String column) {
    Optional<ColumnDefaults.Column> found = column == null ? Optional.empty()
        : columns.defaults().column(column);
    if (found.isEmpty() || found.get().expression() == null || found.get().generated()) {
      return;
    }
    ColumnDefaults.Column each = found.get();
    if (each.evaluatedAtCoordinator() || each.name().equals(columns.partitionColumn())) {
      add(CoordinatorValue.typed(value, each.expression(), each.type()));
    }
  }

  private void assignments(SqlNodeList targets, SqlNodeList values) throws SQLException {
    MomentValues moments = moments("UPDATE");
    for (int i = 0; i < targets.size(); i++) {
      SqlNode value = values.get(i);
      String column = lastName(targets.get(i));
      if (value.getKind() == SqlKind.DEFAULT) {
        updateDefault(value, column);
      } else {
        updateClause(value, "UPDATE");
        moments.assigned(value, column);
      }
    }
  }

  /**
   * Evaluates {@code SET column = DEFAULT} at the coordinator where the shards cannot, once
   * for every row, which is right only for a default that is not VOLATILE.
   */
  private void updateDefault(SqlNode value, String column) throws SQLException {
    Optional<ColumnDefaults.Column> found = columns.defaults().column(column);
    if (found.isEmpty() || !found.get().evaluatedAtCoordinator()) {
      return;
    }
    ColumnDefaults.Column each = found.get();
    if (each.volatility() == Volatility.VOLATILE) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "functions used in UPDATE"
          + " queries on distributed tables must not be VOLATILE", "The default of column \""
          + column + "\" is VOLATILE: " + each.expression() + ".",
          "Set the column to a value instead.");
    }
    add(CoordinatorValue.typed(value, each.expression(), each.type()));
  }

  private void condition(SqlNode clause, String command) throws SQLException {
    updateClause(clause, command);
    moments(command).scan(clause);
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
      add(CoordinatorValue.asWritten(node));
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

  private MomentValues moments(String command) {
    return new MomentValues(columns, evaluatedNodes::contains, this::add, command);
  }

  private void add(CoordinatorValue value) {
    coordinatorEvaluated.add(value);
    evaluatedNodes.add(value.node());
  }

  private void checkReturning(SqlNodeList returning) throws SQLException {
    if (returning != null && volatility.of(returning) != Volatility.IMMUTABLE) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "non-IMMUTABLE functions are not allowed in the RETURNING clause",
          unresolvedDetail(returning), null);
    }
  }

  private static String lastName(SqlNode node) {
    List<String> names = ((SqlIdentifier) node).names;
    return names.get(names.size() - 1);
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
