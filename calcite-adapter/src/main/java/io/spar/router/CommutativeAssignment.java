package io.spar.router;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlTypeNameSpec;

/**
 * Judge of whether an assignment {@code x = x + e}, {@code x = e + x}, {@code x = x - e} or
 * {@code x = x || e} gives the same result whatever the order in which concurrent ones apply.
 *
 * <p>That holds only where the operation is exact and order-free for x's type. For smallint,
 * integer and bigint, {@code e} must be an integer, or the sum is rounded back to an integer
 * at each step; for numeric, {@code e} must be exact (not float) and, if a type modifier
 * limits x's scale, have no more decimal places than it allows. Float, money, interval, dates
 * and timestamps are never commutative here: float addition rounds, and the others are not
 * worth arguing about. {@code ||} is commutative only for the hll extension's HyperLogLog,
 * whose union is; text, bytea, array and jsonb concatenation depend on the order. {@code e}
 * must read no column, and {@code EXCLUDED.x} is not x.
 */
final class CommutativeAssignment {
  /** Exact-type value whose number of decimal places is not known. */
  private static final int ANY_SCALE = Integer.MAX_VALUE;

  private static final Set<String> INTEGER_TYPES = Set.of("int2", "int4", "int8", "smallint",
      "integer", "int", "bigint");

  private CommutativeAssignment() {
  }

  /**
   * Returns whether assigning {@code value} to {@code column} of type {@code type} commutes
   * with other such assignments, with {@code parameters} bound.
   */
  static boolean test(String column, SqlNode value, Optional<ColumnTypes.Type> type,
      List<Object> parameters) {
    if (type.isEmpty()) {
      return false;
    }
    ColumnTypes.Type columnType = type.get();
    if (columnType.isHll()) {
      return isUnion(column, value);
    }
    int allowed = columnType.isInteger() ? 0
        : columnType.isNumeric() ? columnType.scale() : -1;
    return allowed >= 0 && isSum(column, value, allowed, parameters);
  }

  /** Returns whether {@code value} is x, or x plus or minus terms of at most allowed scale. */
  private static boolean isSum(String column, SqlNode value, int allowed,
      List<Object> parameters) {
    if (isColumn(column, value)) {
      return true;
    }
    if (!(value instanceof SqlCall call) || call.operandCount() != 2) {
      return false;
    }
    if (call.getKind() == SqlKind.PLUS && isTerm(call.operand(0), allowed, parameters)) {
      return isSum(column, call.operand(1), allowed, parameters);
    }
    return (call.getKind() == SqlKind.PLUS || call.getKind() == SqlKind.MINUS)
        && isTerm(call.operand(1), allowed, parameters)
        && isSum(column, call.operand(0), allowed, parameters);
  }

  private static boolean isTerm(SqlNode node, int allowed, List<Object> parameters) {
    if (FunctionVolatility.readsRows(node)) {
      return false;
    }
    OptionalInt scale = scale(node, parameters, allowed == 0);
    return scale.isPresent() && scale.getAsInt() <= allowed;
  }

  /** Returns whether {@code value} is x with hll values unioned to it, on either side. */
  private static boolean isUnion(String column, SqlNode value) {
    if (isColumn(column, value)) {
      return true;
    }
    if (!(value instanceof SqlCall call) || call.operandCount() != 2
        || !call.getOperator().getName().equals("||")) {
      return false;
    }
    SqlNode left = call.operand(0);
    SqlNode right = call.operand(1);
    return !FunctionVolatility.readsRows(right) && isUnion(column, left)
        || !FunctionVolatility.readsRows(left) && isUnion(column, right);
  }

  private static boolean isColumn(String column, SqlNode node) {
    if (!(node instanceof SqlIdentifier identifier)) {
      return false;
    }
    List<String> names = identifier.names;
    return names.get(names.size() - 1).equals(column)
        && (names.size() == 1 || !names.get(0).equals("excluded"));
  }

  /**
   * Returns an upper bound of the decimal places of {@code node}'s value if it has an exact
   * type (an integer or numeric type), {@link #ANY_SCALE} if the bound is not known, and empty
   * if the type may be inexact or is not known.
   *
   * @param integerContext whether an untyped string takes an integer type from x
   */
  private static OptionalInt scale(SqlNode node, List<Object> parameters,
      boolean integerContext) {
    if (node instanceof SqlNumericLiteral number) {
      // PostgreSQL reads 1.5 and 1e3 as numeric, never float.
      return OptionalInt.of(decimalPlaces(number.getValueAs(BigDecimal.class)));
    }
    if (node instanceof SqlLiteral literal && literal.getValue() == null) {
      return OptionalInt.of(0); // NULL absorbs every operand alike
    }
    if (node instanceof SqlCharStringLiteral text) {
      return untyped(text.getValueAs(String.class), integerContext);
    }
    if (node instanceof SqlDynamicParam param) {
      return param.getIndex() < parameters.size()
          ? ofValue(parameters.get(param.getIndex()), integerContext) : OptionalInt.empty();
    }
    if (!(node instanceof SqlCall call)) {
      return OptionalInt.empty();
    }
    return switch (call.getKind()) {
      case CAST -> castScale(call, parameters, integerContext);
      case MINUS_PREFIX, PLUS_PREFIX -> scale(call.operand(0), parameters, integerContext);
      case PLUS, MINUS -> combine(scale(call.operand(0), parameters, integerContext),
          scale(call.operand(1), parameters, integerContext), false);
      case TIMES -> combine(scale(call.operand(0), parameters, integerContext),
          scale(call.operand(1), parameters, integerContext), true);
      default -> OptionalInt.empty();
    };
  }

  private static OptionalInt combine(OptionalInt left, OptionalInt right, boolean product) {
    if (left.isEmpty() || right.isEmpty()) {
      return OptionalInt.empty();
    }
    long combined = product ? (long) left.getAsInt() + right.getAsInt()
        : Math.max(left.getAsInt(), right.getAsInt());
    return OptionalInt.of((int) Math.min(combined, ANY_SCALE));
  }

  private static OptionalInt castScale(SqlCall call, List<Object> parameters,
      boolean integerContext) {
    SqlTypeNameSpec spec = ((SqlDataTypeSpec) call.operand(1)).getTypeNameSpec();
    List<String> names = spec.getTypeName().names;
    String name = names.get(names.size() - 1);
    if (spec instanceof SqlBasicTypeNameSpec) {
      name = name.toLowerCase(Locale.ROOT); // Calcite's own names, such as INTEGER
    }
    if (INTEGER_TYPES.contains(name) && (names.size() == 1
        || names.get(0).equals("pg_catalog"))) {
      return OptionalInt.of(0);
    }
    if (!(spec instanceof SqlBasicTypeNameSpec basic) || !name.equals("decimal")) {
      return OptionalInt.empty();
    }
    if (basic.getPrecision() >= 0) {
      return OptionalInt.of(Math.max(basic.getScale(), 0)); // numeric(p) means numeric(p, 0)
    }
    OptionalInt operand = scale(call.operand(0), parameters, false);
    return OptionalInt.of(operand.orElse(ANY_SCALE));
  }

  /**
   * Returns the scale of a parameter value as pgjdbc binds it: integers as integers,
   * BigDecimal as numeric, strings as untyped text, floats as float (inexact).
   */
  private static OptionalInt ofValue(Object value, boolean integerContext) {
    if (value == null || value instanceof Short || value instanceof Integer
        || value instanceof Long || value instanceof Byte || value instanceof BigInteger) {
      return OptionalInt.of(0);
    }
    if (value instanceof BigDecimal decimal) {
      return OptionalInt.of(decimalPlaces(decimal));
    }
    return value instanceof String text ? untyped(text, integerContext) : OptionalInt.empty();
  }

  /**
   * Returns the scale of an untyped string, which PostgreSQL reads as x's type: an integer
   * (or an error), or a numeric with the string's decimal places.
   */
  private static OptionalInt untyped(String text, boolean integerContext) {
    if (integerContext) {
      return OptionalInt.of(0);
    }
    try {
      return OptionalInt.of(decimalPlaces(new BigDecimal(text.strip())));
    } catch (NumberFormatException e) {
      return OptionalInt.of(ANY_SCALE); // NaN, Infinity or an error, all exact
    }
  }

  private static int decimalPlaces(BigDecimal value) {
    return Math.max(value.stripTrailingZeros().scale(), 0);
  }
}
