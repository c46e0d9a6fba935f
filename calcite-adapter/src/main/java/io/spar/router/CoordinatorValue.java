package io.spar.router;

import java.util.List;
import org.apache.calcite.sql.SqlNode;

/**
 * A value that the coordinator computes once per execution and sends to every placement in
 * place of a node of the statement, so that no placement computes its own.
 *
 * @param node the statement node whose text the value replaces
 * @param expression the SQL text to evaluate, or null to evaluate the node's own text (a
 *     column's default is evaluated in place of the {@code DEFAULT} keyword)
 * @param type the type the coordinator casts the value to, for a node whose type comes from
 *     its context (a column's default, or a string that names a moment); the placement then
 *     receives an untyped parameter, which that context types the same way. Null for an
 *     expression with a type of its own, which the placement receives cast to that type.
 * @param momentParameters the 0-based statement parameters that decide whether the value is
 *     needed: if there are any, the node is evaluated only when one of them is bound to a
 *     string that names a moment ({@code 'now'}, {@code 'today'}…), which each placement would
 *     otherwise read for itself; if there are none, always
 */
public record CoordinatorValue(SqlNode node, String expression, String type,
    List<Integer> momentParameters) {

  /** Creates a value, keeping its own copy of {@code momentParameters}. */
  public CoordinatorValue {
    momentParameters = List.copyOf(momentParameters);
  }

  /** Creates the value of {@code node} as written, sent cast to its own type. */
  public static CoordinatorValue asWritten(SqlNode node) {
    return new CoordinatorValue(node, null, null, List.of());
  }

  /** Creates the value of {@code expression}, of type {@code type}, in place of {@code node}. */
  public static CoordinatorValue typed(SqlNode node, String expression, String type) {
    return new CoordinatorValue(node, expression, type, List.of());
  }

  /** Returns whether the value must be computed when the statement runs with {@code values}. */
  public boolean needed(List<Object> values) {
    if (momentParameters.isEmpty()) {
      return true;
    }
    for (int index : momentParameters) {
      if (index < values.size() && values.get(index) instanceof String text
          && FunctionVolatility.namesMoment(text)) {
        return true;
      }
    }
    return false;
  }
}
