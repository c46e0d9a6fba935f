package io.spar.adapter;

import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperatorBinding;
import org.apache.calcite.sql.fun.SqlMonotonicBinaryOperator;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql2rel.SqlRexContext;
import org.apache.calcite.sql2rel.StandardConvertletTable;

/**
 * PostgreSQL's date arithmetic, which Calcite lacks: {@code date ± integer} is the date that
 * many days later or earlier, and {@code date - date} the integer number of days between.
 *
 * <p>Before validation, every {@code +} and {@code -} gets an operator that also accepts these
 * operand types; after validation, conversion turns date arithmetic into integer arithmetic on
 * the day numbers (Calcite's internal form of a DATE) and everything else back into Calcite's
 * standard operators.
 */
final class DateArithmetic {
  /** {@code +} that also accepts {@code date + integer} and {@code integer + date}. */
  static final SqlBinaryOperator PLUS = new SqlMonotonicBinaryOperator("+", SqlKind.PLUS, 40,
      true, DateArithmetic::plusType, InferTypes.FIRST_KNOWN,
      OperandTypes.or(OperandTypes.PLUS_OPERATOR,
          OperandTypes.family(SqlTypeFamily.DATE, SqlTypeFamily.INTEGER),
          OperandTypes.family(SqlTypeFamily.INTEGER, SqlTypeFamily.DATE)));

  /** {@code -} that also accepts {@code date - integer} and {@code date - date}. */
  static final SqlBinaryOperator MINUS = new SqlMonotonicBinaryOperator("-", SqlKind.MINUS, 40,
      true, DateArithmetic::minusType, InferTypes.FIRST_KNOWN,
      OperandTypes.or(OperandTypes.MINUS_OPERATOR,
          OperandTypes.family(SqlTypeFamily.DATE, SqlTypeFamily.INTEGER),
          OperandTypes.family(SqlTypeFamily.DATE, SqlTypeFamily.DATE)));

  private DateArithmetic() {
  }

  /** Gives every {@code +} and {@code -} in {@code node} the operators above, in place. */
  static SqlNode rewrite(SqlNode node) {
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlCall call) {
        if (call instanceof SqlBasicCall basic) {
          if (call.getOperator() == SqlStdOperatorTable.PLUS) {
            basic.setOperator(PLUS);
          } else if (call.getOperator() == SqlStdOperatorTable.MINUS) {
            basic.setOperator(MINUS);
          }
        }
        return super.visit(call);
      }
    });
    return node;
  }

  private static boolean isDate(RelDataType type) {
    return type.getSqlTypeName() == SqlTypeName.DATE;
  }

  private static boolean isInteger(RelDataType type) {
    return SqlTypeName.INT_TYPES.contains(type.getSqlTypeName());
  }

  private static RelDataType plusType(SqlOperatorBinding binding) {
    RelDataType left = binding.getOperandType(0);
    RelDataType right = binding.getOperandType(1);
    if (isDate(left) && isInteger(right) || isInteger(left) && isDate(right)) {
      return nullable(binding.getTypeFactory(), SqlTypeName.DATE, left, right);
    }
    return SqlStdOperatorTable.PLUS.inferReturnType(binding);
  }

  private static RelDataType minusType(SqlOperatorBinding binding) {
    RelDataType left = binding.getOperandType(0);
    RelDataType right = binding.getOperandType(1);
    if (isDate(left) && isInteger(right)) {
      return nullable(binding.getTypeFactory(), SqlTypeName.DATE, left, right);
    }
    if (isDate(left) && isDate(right)) {
      return nullable(binding.getTypeFactory(), SqlTypeName.INTEGER, left, right);
    }
    return SqlStdOperatorTable.MINUS.inferReturnType(binding);
  }

  private static RelDataType nullable(RelDataTypeFactory factory, SqlTypeName name,
      RelDataType left, RelDataType right) {
    return factory.createTypeWithNullability(factory.createSqlType(name),
        left.isNullable() || right.isNullable());
  }

  /** Converts a validated call of {@link #PLUS} or {@link #MINUS} to a row expression. */
  static RexNode convert(SqlRexContext context, SqlCall call) {
    RexBuilder rex = context.getRexBuilder();
    RexNode left = context.convertExpression(call.operand(0));
    RexNode right = context.convertExpression(call.operand(1));
    boolean plus = call.getOperator() == PLUS;
    RelDataType type = context.getValidator().getValidatedNodeType(call);
    if (isDate(left.getType()) && isInteger(right.getType())) {
      return shift(rex, type, left, right, plus);
    }
    if (plus && isInteger(left.getType()) && isDate(right.getType())) {
      return shift(rex, type, right, left, true);
    }
    if (!plus && isDate(left.getType()) && isDate(right.getType())) {
      return rex.makeCall(type, SqlStdOperatorTable.MINUS,
          List.of(days(rex, left), days(rex, right)));
    }
    // Not date arithmetic: Calcite's own operator and conversion (interval arithmetic etc.).
    ((SqlBasicCall) call).setOperator(plus ? SqlStdOperatorTable.PLUS : SqlStdOperatorTable.MINUS);
    return StandardConvertletTable.INSTANCE.get(call).convertCall(context, call);
  }

  /** Returns {@code date ± days} as a DATE: the day number moved, reinterpreted. */
  private static RexNode shift(RexBuilder rex, RelDataType type, RexNode date, RexNode days,
      boolean plus) {
    RelDataType integer = rex.getTypeFactory().createTypeWithNullability(
        rex.getTypeFactory().createSqlType(SqlTypeName.INTEGER), type.isNullable());
    RexNode moved = rex.makeCall(integer, plus ? SqlStdOperatorTable.PLUS
        : SqlStdOperatorTable.MINUS, List.of(days(rex, date), rex.makeCast(
            rex.getTypeFactory().createTypeWithNullability(
                rex.getTypeFactory().createSqlType(SqlTypeName.INTEGER),
                days.getType().isNullable()), days, true, false)));
    return rex.makeReinterpretCast(type, moved, rex.makeLiteral(false));
  }

  /** Returns the day number (days since 1970-01-01) of {@code date}. */
  private static RexNode days(RexBuilder rex, RexNode date) {
    RelDataType integer = rex.getTypeFactory().createTypeWithNullability(
        rex.getTypeFactory().createSqlType(SqlTypeName.INTEGER), date.getType().isNullable());
    return rex.makeReinterpretCast(integer, date, rex.makeLiteral(false));
  }
}
