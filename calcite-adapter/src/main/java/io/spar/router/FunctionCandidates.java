package io.spar.router;

import io.spar.engine.catalog.PgFunction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Overloads a function call may resolve to, chosen from {@code pg_proc} as PostgreSQL chooses
 * them before it looks at argument types.
 *
 * <p>A schema-qualified call looks in that schema only. An unqualified call looks in the
 * session's function path, which is {@code current_schemas(true)} without the temporary schema
 * (PostgreSQL never finds functions there unless the call names {@code pg_temp}): an overload
 * hides one with the same argument types in a later schema. Of what remains, only overloads
 * that take the call's number of arguments qualify, counting defaults and VARIADIC. Procedures
 * are never candidates, since expressions cannot call them.
 */
final class FunctionCandidates {
  private FunctionCandidates() {
  }

  /**
   * Returns the candidates among {@code overloads} (every overload of the call's name, in any
   * schema) for a call with {@code count} arguments.
   *
   * @param schema the schema the call names, or null for an unqualified call
   * @param path the session's function path, searched in order for unqualified calls
   */
  static List<PgFunction> of(List<PgFunction> overloads, String schema, int count,
      List<String> path) {
    List<PgFunction> result = new ArrayList<>();
    if (schema != null) {
      for (PgFunction each : overloads) {
        if (each.schema().equals(schema) && qualifies(each, count)) {
          result.add(each);
        }
      }
      return result;
    }
    Set<List<String>> signatures = new HashSet<>();
    for (String each : path) {
      for (PgFunction function : overloads) {
        if (function.schema().equals(each) && function.kind() != 'p'
            && signatures.add(function.argumentTypes()) && function.accepts(count)) {
          result.add(function);
        }
      }
    }
    return result;
  }

  private static boolean qualifies(PgFunction function, int count) {
    return function.kind() != 'p' && function.accepts(count);
  }
}
