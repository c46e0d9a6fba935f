package io.spar.adapter;

import java.util.Locale;
import java.util.Map;
import org.apache.calcite.avatica.util.TimeUnitRange;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.runtime.CalciteException;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCallBinding;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql2rel.SqlRexContext;

/**
 * PostgreSQL's {@code date_trunc(unit, date or timestamp)} with a literal unit, converted to
 * Calcite's {@code FLOOR(CAST(x AS TIMESTAMP) TO unit)}: computable at the coordinator, and
 * pushable, since the PostgreSQL dialect prints that FLOOR as {@code DATE_TRUNC}.
 *
 * <p>Only units whose Calcite flooring equals PostgreSQL's are accepted (not {@code week},
 * which Calcite starts on Sunday, nor decade/century/millennium, which PostgreSQL counts from
 * year 1). The result is a timestamp; PostgreSQL's {@code date_trunc} of a date is a
 * timestamptz at local midnight, the same instant in a session's time zone.
 */
final class PgDateTrunc extends SqlFunction {
  /** The only instance. */
  static final PgDateTrunc INSTANCE = new PgDateTrunc();

  private static final Map<String, TimeUnitRange> UNITS = Map.of(
      "second", TimeUnitRange.SECOND, "minute", TimeUnitRange.MINUTE,
      "hour", TimeUnitRange.HOUR, "day", TimeUnitRange.DAY, "month", TimeUnitRange.MONTH,
      "quarter", TimeUnitRange.QUARTER, "year", TimeUnitRange.YEAR);

  private PgDateTrunc() {
    super("date_trunc", SqlKind.OTHER_FUNCTION,
        opBinding -> opBinding.getTypeFactory().createTypeWithNullability(
            opBinding.getTypeFactory().createSqlType(SqlTypeName.TIMESTAMP),
            opBinding.getOperandType(1).isNullable()),
        null, OperandTypes.or(
            OperandTypes.family(SqlTypeFamily.CHARACTER, SqlTypeFamily.DATE),
            OperandTypes.family(SqlTypeFamily.CHARACTER, SqlTypeFamily.TIMESTAMP)),
        SqlFunctionCategory.TIMEDATE);
  }

  @Override
  public boolean checkOperandTypes(SqlCallBinding binding, boolean throwOnFailure) {
    if (!super.checkOperandTypes(binding, throwOnFailure)) {
      return false;
    }
    if (unit(binding.operand(0)) == null) {
      throw new CalciteException("date_trunc across shards supports only a literal unit of "
          + String.join(", ", UNITS.keySet().stream().sorted().toList()), null);
    }
    return true;
  }

  private static TimeUnitRange unit(SqlNode node) {
    if (!(node instanceof SqlLiteral literal) || literal.toValue() == null) {
      return null;
    }
    return UNITS.get(literal.toValue().toLowerCase(Locale.ROOT));
  }

  /** Converts a validated call to {@code FLOOR(CAST(x AS TIMESTAMP) TO unit)}. */
  static RexNode convert(SqlRexContext context, SqlCall call) {
    RexBuilder rex = context.getRexBuilder();
    RelDataType type = context.getValidator().getValidatedNodeType(call);
    RexNode value = rex.makeCast(type, context.convertExpression(call.operand(1)), true, false);
    return rex.makeCall(type, SqlStdOperatorTable.FLOOR,
        java.util.List.of(value, rex.makeFlag(unit(call.operand(0)))));
  }
}
