package io.spar.planner.rules;

import io.spar.planner.exec.PgNumeric;
import java.util.List;
import org.apache.calcite.schema.ScalarFunction;
import org.apache.calcite.schema.impl.ScalarFunctionImpl;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.validate.SqlUserDefinedFunction;

/**
 * Operators over {@link PgNumeric} that rules put into plans: they run only at the coordinator
 * (as user-defined functions, which {@link PushableExpressions} never sends to a shard) and
 * callers give each call its type explicitly.
 */
final class PgNumericFunctions {
  /** {@code pg_numeric_div(dividend, divisor)}: PostgreSQL's numeric division. */
  static final SqlUserDefinedFunction DIVIDE = function("pg_numeric_div", "divide");

  /** {@code pg_numeric_variance(sumX, sumX2, count, sample, root)}. */
  static final SqlUserDefinedFunction VARIANCE = function("pg_numeric_variance", "variance");

  private PgNumericFunctions() {
  }

  private static SqlUserDefinedFunction function(String name, String method) {
    ScalarFunction function = ScalarFunctionImpl.create(PgNumeric.class, method);
    return new SqlUserDefinedFunction(new SqlIdentifier(name, SqlParserPos.ZERO),
        SqlKind.OTHER_FUNCTION, ReturnTypes.explicit(
            factory -> function.getReturnType(factory)), InferTypes.RETURN_TYPE, null,
        function);
  }

  /** Returns the operators, for tests. */
  static List<SqlUserDefinedFunction> all() {
    return List.of(DIVIDE, VARIANCE);
  }
}
