package io.spar.planner.rules;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Test of whether PostgreSQL evaluates an expression exactly as Calcite would, so that a shard
 * may evaluate it.
 *
 * <p>The test is a whitelist: anything it does not know (user-defined functions, subqueries,
 * correlation variables, window functions, non-deterministic or time-dependent functions, casts
 * to opaque types) stays at the coordinator.
 */
public final class PushableExpressions {
  private static final Set<SqlKind> KINDS = EnumSet.of(SqlKind.EQUALS, SqlKind.NOT_EQUALS,
      SqlKind.LESS_THAN, SqlKind.LESS_THAN_OR_EQUAL, SqlKind.GREATER_THAN,
      SqlKind.GREATER_THAN_OR_EQUAL, SqlKind.IS_DISTINCT_FROM, SqlKind.IS_NOT_DISTINCT_FROM,
      SqlKind.AND, SqlKind.OR, SqlKind.NOT, SqlKind.IS_NULL, SqlKind.IS_NOT_NULL,
      SqlKind.IS_TRUE, SqlKind.IS_NOT_TRUE, SqlKind.IS_FALSE, SqlKind.IS_NOT_FALSE,
      SqlKind.PLUS, SqlKind.MINUS, SqlKind.TIMES, SqlKind.MINUS_PREFIX, SqlKind.PLUS_PREFIX,
      SqlKind.LIKE, SqlKind.CAST, SqlKind.SEARCH, SqlKind.IN, SqlKind.CASE, SqlKind.COALESCE,
      SqlKind.BETWEEN);
  private static final Set<String> FUNCTIONS = Set.of("UPPER", "LOWER", "ABS", "CHAR_LENGTH",
      "CHARACTER_LENGTH", "||", "TRIM", "SUBSTRING", "POSITION", "FLOOR", "CEIL", "MOD");

  private PushableExpressions() {
  }

  /** Returns whether every expression in {@code nodes} may be evaluated by a shard. */
  public static boolean all(List<? extends RexNode> nodes) {
    return nodes.stream().allMatch(PushableExpressions::test);
  }

  /** Returns whether {@code node} may be evaluated by a shard. */
  public static boolean test(RexNode node) {
    if (node instanceof RexInputRef || node instanceof RexDynamicParam) {
      return node.getType().getSqlTypeName() != SqlTypeName.SYMBOL;
    }
    if (node instanceof RexLiteral literal) {
      return isPushableLiteral(literal);
    }
    if (!(node instanceof RexCall call)) {
      return false;
    }
    if (call.getOperator() instanceof ShardFunction function) {
      // PostgreSQL's own function: its volatility, not Calcite's view of it, decides.
      return function.isShardEvaluable()
          && call.getOperands().stream().allMatch(PushableExpressions::test);
    }
    if (!RexUtil.isDeterministic(call) || call.getOperator().isDynamicFunction()) {
      return false;
    }
    if (!isPushableOperator(call) || castsToOpaque(call) || mayOverflow(call)) {
      return false;
    }
    return call.getOperands().stream().allMatch(PushableExpressions::test);
  }

  private static boolean isPushableOperator(RexCall call) {
    return KINDS.contains(call.getKind())
        || FUNCTIONS.contains(call.getOperator().getName().toUpperCase(Locale.ROOT));
  }

  private static boolean isPushableLiteral(RexLiteral literal) {
    SqlTypeName type = literal.getType().getSqlTypeName();
    // Sargs, symbols (TRIM flags) and the rest render fine; only interval and binary literals
    // have spellings that differ between Calcite and PostgreSQL.
    return !SqlTypeName.INTERVAL_TYPES.contains(type) && type != SqlTypeName.BINARY
        && type != SqlTypeName.VARBINARY;
  }

  private static boolean castsToOpaque(RexCall call) {
    if (call.getKind() != SqlKind.CAST) {
      return false;
    }
    SqlTypeName target = call.getType().getSqlTypeName();
    // Calcite's CAST to CHAR/VARCHAR of floats and timestamps formats differently from
    // PostgreSQL's, and an ANY target has no SQL spelling.
    SqlTypeName source = call.getOperands().get(0).getType().getSqlTypeName();
    // Dates print alike (ISO, as PostgreSQL's default DateStyle), and so do integers.
    boolean textOfNonText = SqlTypeName.CHAR_TYPES.contains(target)
        && !SqlTypeName.CHAR_TYPES.contains(source) && !SqlTypeName.INT_TYPES.contains(source)
        && source != SqlTypeName.DATE;
    return target == SqlTypeName.ANY || target == SqlTypeName.OTHER || textOfNonText
        || SqlTypeName.INTERVAL_TYPES.contains(target);
  }

  /**
   * Returns whether {@code call} casts to a DECIMAL that may not hold its operand: Calcite
   * invents such casts (to {@code DECIMAL(19,16)} and the like) while reducing aggregates, and
   * where Calcite would round or overflow silently, a shard raises "numeric field overflow".
   * Casts that keep every integer digit and every fraction digit are safe.
   */
  private static boolean mayOverflow(RexCall call) {
    if (call.getKind() != SqlKind.CAST
        || call.getType().getSqlTypeName() != SqlTypeName.DECIMAL) {
      return false;
    }
    RelDataType source = call.getOperands().get(0).getType();
    int integerDigits = call.getType().getPrecision() - call.getType().getScale();
    return switch (source.getSqlTypeName()) {
      case TINYINT -> integerDigits < 3;
      case SMALLINT -> integerDigits < 5;
      case INTEGER -> integerDigits < 10;
      case BIGINT -> integerDigits < 19;
      case DECIMAL -> integerDigits < source.getPrecision() - source.getScale()
          || call.getType().getScale() < source.getScale();
      default -> true;
    };
  }
}
