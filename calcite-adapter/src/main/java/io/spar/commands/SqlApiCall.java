package io.spar.commands;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;

/**
 * Call of one of Spar's SQL API functions, in the form {@code SELECT f(args)} or
 * {@code SELECT * FROM f(args)}.
 *
 * @param function the function's name in lower case
 * @param arguments the argument expressions as parsed
 * @param inFrom whether the call is the FROM clause of {@code SELECT *}, as a function that
 *     returns rows of several columns must be called
 * @param label the name of a one-column result: the select item's alias, else the function's
 */
public record SqlApiCall(String function, List<SqlNode> arguments, boolean inFrom,
    String label) {

  /** Returns the call {@code statement} makes, if it is one of the forms above of a known f. */
  public static Optional<SqlApiCall> match(SqlNode statement, java.util.Set<String> functions) {
    if (!(statement instanceof SqlSelect select) || select.getSelectList().size() != 1
        || select.getWhere() != null) {
      return Optional.empty();
    }
    SqlNode item = select.getFrom();
    boolean inFrom = item != null;
    String alias = null;
    if (inFrom) {
      if (!(select.getSelectList().get(0) instanceof SqlIdentifier star) || !star.isStar()) {
        return Optional.empty();
      }
      item = strip(strip(item, SqlKind.AS), SqlKind.COLLECTION_TABLE);
    } else {
      item = select.getSelectList().get(0);
      if (item.getKind() == SqlKind.AS) {
        alias = ((SqlIdentifier) ((SqlBasicCall) item).operand(1)).getSimple();
      }
      item = strip(item, SqlKind.AS);
    }
    if (!(item instanceof SqlBasicCall call)) {
      return Optional.empty();
    }
    String name = call.getOperator().getName().toLowerCase(Locale.ROOT);
    return functions.contains(name)
        ? Optional.of(new SqlApiCall(name, call.getOperandList(), inFrom,
            alias != null ? alias : name))
        : Optional.empty();
  }

  /**
   * Returns the name each argument is given by ({@code name => value}), or null for one given
   * by position.
   */
  public List<String> argumentNames() {
    return arguments.stream().map(each -> each.getKind() == SqlKind.ARGUMENT_ASSIGNMENT
        ? ((SqlIdentifier) ((SqlBasicCall) each).operand(1)).getSimple()
            .toLowerCase(Locale.ROOT) : null).toList();
  }

  /** Returns an argument's value expression, without its name if it is given by name. */
  public static SqlNode value(SqlNode argument) {
    return argument.getKind() == SqlKind.ARGUMENT_ASSIGNMENT
        ? ((SqlBasicCall) argument).operand(0) : argument;
  }

  private static SqlNode strip(SqlNode node, SqlKind kind) {
    return node.getKind() == kind ? ((SqlBasicCall) node).operand(0) : node;
  }
}
