package io.spar.commands;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;

/**
 * Call of one of Spar's SQL API functions in the form {@code SELECT f(args)}.
 *
 * @param function the function's name in lower case
 * @param arguments the argument expressions as parsed
 */
public record SqlApiCall(String function, List<SqlNode> arguments) {

  /** Returns the call {@code statement} makes, if it is {@code SELECT f(...)} of a known f. */
  public static Optional<SqlApiCall> match(SqlNode statement, java.util.Set<String> functions) {
    if (!(statement instanceof SqlSelect select) || select.getFrom() != null
        || select.getSelectList().size() != 1 || select.getWhere() != null) {
      return Optional.empty();
    }
    SqlNode item = select.getSelectList().get(0);
    if (item.getKind() == SqlKind.AS) {
      item = ((SqlBasicCall) item).operand(0);
    }
    if (!(item instanceof SqlBasicCall call)) {
      return Optional.empty();
    }
    String name = call.getOperator().getName().toLowerCase(Locale.ROOT);
    return functions.contains(name)
        ? Optional.of(new SqlApiCall(name, call.getOperandList()))
        : Optional.empty();
  }
}
