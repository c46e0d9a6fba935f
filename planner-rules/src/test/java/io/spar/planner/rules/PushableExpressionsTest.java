package io.spar.planner.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.planner.PlannerFixture;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.RelBuilder;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link PushableExpressions}: casts that may overflow and PostgreSQL functions.
 */
final class PushableExpressionsTest {
  /** A pass-through PostgreSQL function of the given volatility. */
  private static final class PgFunction extends SqlFunction implements ShardFunction {
    private final boolean immutable;

    PgFunction(boolean immutable) {
      super("f", SqlKind.OTHER_FUNCTION, ReturnTypes.INTEGER, null, OperandTypes.ANY,
          SqlFunctionCategory.SYSTEM);
      this.immutable = immutable;
    }

    @Override
    public boolean isShardEvaluable() {
      return immutable;
    }
  }

  private static RexNode decimalCast(RelBuilder b, int precision, int scale) {
    RelDataTypeFactory types = b.getTypeFactory();
    RexBuilder rex = b.getRexBuilder();
    return rex.makeCast(types.createSqlType(SqlTypeName.DECIMAL, precision, scale),
        b.field("word_count"), true, false);
  }

  @Test
  void keepsInventedNarrowDecimalCastsAtCoordinator() {
    RelBuilder b = PlannerFixture.builder();
    b.scan("articles");
    assertFalse(PushableExpressions.test(decimalCast(b, 19, 16)));
    assertTrue(PushableExpressions.test(decimalCast(b, 19, 0)));
    assertTrue(PushableExpressions.test(decimalCast(b, 12, 2)));
  }

  @Test
  void pushesOnlyImmutablePostgresFunctions() {
    RelBuilder b = PlannerFixture.builder();
    b.scan("articles");
    assertTrue(PushableExpressions.test(b.call(new PgFunction(true), b.field("title"))));
    assertFalse(PushableExpressions.test(b.call(new PgFunction(false), b.field("title"))));
  }
}
