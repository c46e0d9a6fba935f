package io.spar.router;

import io.spar.outcome.SparErrors;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.fun.SqlBetweenOperator;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * Finder of the strings in a modification that PostgreSQL may read as the current moment
 * ({@code 'now'}, {@code 'today'}, {@code 'tomorrow'}, {@code 'yesterday'}), which each
 * placement would read for itself, so that the coordinator reads them once.
 *
 * <p>An untyped string literal takes its type from where it stands, so it counts only where
 * that type is known: as the value of a column (an INSERT value, an UPDATE or ON CONFLICT
 * assignment) or as an operand of an operator, BETWEEN or IN whose other side is a column of
 * the table; there it is read as the column's type, if that type may read moments. An
 * expression that reads no column and holds such a literal is evaluated whole, as PostgreSQL
 * types it by itself. A literal anywhere else is refused. Parameters, bound to strings that
 * name a moment at some execution and not at another, are treated like literals in the same
 * places, each only for the executions that need it, and left alone elsewhere.
 */
final class MomentValues {
  private final TargetColumns columns;
  private final Predicate<SqlNode> covered;
  private final Consumer<CoordinatorValue> sink;
  private final String command;

  /**
   * Creates a finder over the columns of the target table that hands each value it finds to
   * {@code sink}, skipping nodes that are {@code covered} (already evaluated) and what is in
   * them; {@code command} names the statement in errors.
   */
  MomentValues(TargetColumns columns, Predicate<SqlNode> covered,
      Consumer<CoordinatorValue> sink, String command) {
    this.columns = columns;
    this.covered = covered;
    this.sink = sink;
    this.command = command;
  }

  /** Handles {@code value}, assigned to {@code column} (null if there is no such column). */
  void assigned(SqlNode value, String column) throws SQLException {
    if (covered.test(value)) {
      return;
    }
    if (isMomentCandidate(value)) {
      if (column != null) {
        typedByColumn(value, column);
      }
      return;
    }
    scan(value);
  }

  /** Handles an expression, such as a WHERE clause, in no column's context. */
  void scan(SqlNode node) throws SQLException {
    if (node == null || covered.test(node)) {
      return;
    }
    if (node instanceof SqlNodeList list) {
      for (SqlNode each : list) {
        scan(each);
      }
      return;
    }
    if (isMomentCandidate(node)) {
      unknownContext(node);
      return;
    }
    if (!(node instanceof SqlCall call)) {
      return;
    }
    if (!FunctionVolatility.readsRows(node)) {
      evaluateWhole(node);
      return;
    }
    Optional<String> column = comparedColumn(call);
    for (SqlNode operand : operands(call)) {
      if (operand != null && !covered.test(operand) && isMomentCandidate(operand)) {
        if (column.isPresent()) {
          typedByColumn(operand, column.get());
        } else {
          unknownContext(operand);
        }
      } else {
        scan(operand);
      }
    }
  }

  /**
   * Evaluates {@code node}, which reads no column, as written: always if it holds a literal
   * that names a moment, else when one of its parameters is bound to such a string.
   */
  private void evaluateWhole(SqlNode node) {
    List<Integer> parameters = new ArrayList<>();
    boolean[] literal = {false};
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlLiteral each) {
        literal[0] |= namesMoment(each);
        return null;
      }

      @Override
      public Void visit(SqlDynamicParam each) {
        parameters.add(each.getIndex());
        return null;
      }
    });
    if (literal[0]) {
      sink.accept(CoordinatorValue.asWritten(node));
    } else if (!parameters.isEmpty()) {
      sink.accept(new CoordinatorValue(node, null, null, parameters));
    }
  }

  /** Reads {@code node} once as {@code column}'s type, if that type may read moments. */
  private void typedByColumn(SqlNode node, String column) {
    Optional<ColumnTypes.Type> type = columns.types().type(column);
    Optional<ColumnDefaults.Column> declared = columns.defaults().column(column);
    if (type.isEmpty() || declared.isEmpty() || !type.get().mayReadMoments()) {
      return;
    }
    List<Integer> parameters = node instanceof SqlDynamicParam param
        ? List.of(param.getIndex()) : List.of();
    sink.accept(new CoordinatorValue(node, null, declared.get().type(), parameters));
  }

  private void unknownContext(SqlNode node) throws SQLException {
    if (node instanceof SqlDynamicParam) {
      return; // see the class comment
    }
    String text = ((SqlCharStringLiteral) node).getValueAs(String.class);
    throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "strings that name a moment must"
        + " have a known type in " + command + " queries on distributed tables",
        "Each placement would read '" + text + "' as a date or time of its own.",
        "Cast the string to its type, as in '" + text + "'::timestamptz, or compare a column"
            + " with it directly.");
  }

  /**
   * Returns the column whose type an untyped operand of {@code call} takes: the other side of
   * an operator, or the tested value of BETWEEN and IN, when that is a column of the table.
   */
  private Optional<String> comparedColumn(SqlCall call) {
    SqlKind kind = call.getKind();
    if (kind == SqlKind.BETWEEN || kind == SqlKind.IN || kind == SqlKind.NOT_IN
        || kind == SqlKind.LIKE || kind == SqlKind.SIMILAR
        || call.getOperator() instanceof SqlBetweenOperator) {
      return columns.columnOf(call.operand(0));
    }
    if (!(call.getOperator() instanceof SqlBinaryOperator) || call.operandCount() != 2) {
      return Optional.empty();
    }
    Optional<String> left = columns.columnOf(call.operand(0));
    return left.isPresent() ? left : columns.columnOf(call.operand(1));
  }

  /** Returns the operands of {@code call}, with the items of an IN list among them. */
  private static List<SqlNode> operands(SqlCall call) {
    List<SqlNode> result = new ArrayList<>();
    for (SqlNode each : call.getOperandList()) {
      if (each instanceof SqlNodeList list && (call.getKind() == SqlKind.IN
          || call.getKind() == SqlKind.NOT_IN)) {
        result.addAll(list.getList());
      } else {
        result.add(each);
      }
    }
    return result;
  }

  /** Returns whether {@code node} is an untyped string naming a moment, or a parameter. */
  private static boolean isMomentCandidate(SqlNode node) {
    return node instanceof SqlDynamicParam
        || node instanceof SqlCharStringLiteral literal && namesMoment(literal);
  }

  private static boolean namesMoment(SqlLiteral literal) {
    return literal instanceof SqlCharStringLiteral string
        && FunctionVolatility.namesMoment(string.getValueAs(String.class));
  }
}
