package io.spar.planner.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.planner.PlannerFixture;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.RelBuilder;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link SparAggregateNumericRule}, with PostgreSQL's result types (avg and stddev
 * of integers numeric, sum of bigint numeric) as the adapter's type system derives them.
 */
final class SparAggregateNumericRuleTest {
  /** Numeric avg/stddev of exact numbers and numeric sum of bigint, as in PostgreSQL. */
  private static final RelDataTypeSystemImpl PG_TYPES = new PgTypes();

  /** Public with a public constructor: Calcite's connection config instantiates it. */
  public static final class PgTypes extends RelDataTypeSystemImpl {
    /** Creates the type system. */
    public PgTypes() {
    }

    @Override
    public int getMaxPrecision(SqlTypeName typeName) {
      return typeName == SqlTypeName.DECIMAL ? 1000 : super.getMaxPrecision(typeName);
    }

    @Override
    public RelDataType deriveAvgAggType(RelDataTypeFactory factory, RelDataType argument) {
      return SqlTypeName.EXACT_TYPES.contains(argument.getSqlTypeName())
          ? factory.createSqlType(SqlTypeName.DECIMAL, 1000, 16) : argument;
    }

    @Override
    public RelDataType deriveSumType(RelDataTypeFactory factory, RelDataType argument) {
      return argument.getSqlTypeName() == SqlTypeName.BIGINT
          ? factory.createSqlType(SqlTypeName.DECIMAL, 1000, 0) : argument;
    }
  }

  private static String plan(RelBuilder b) {
    return PlannerFixture.explain(PlannerFixture.optimize(b.build()));
  }

  @Test
  void avgOfIntegerDividesAsPostgres() {
    RelBuilder b = PlannerFixture.builder(PG_TYPES);
    b.scan("articles").aggregate(b.groupKey(),
        b.aggregateCall(SqlStdOperatorTable.AVG, b.field("word_count")));
    String plan = plan(b);
    assertTrue(plan.contains("pg_numeric_div"), plan);
    assertTrue(plan.contains("SUM(") && plan.contains("COUNT("), plan);
    assertFalse(plan.contains("DECIMAL(19, 16)"), plan);
  }

  @Test
  void stddevPushesExactSquaresToShards() {
    RelBuilder b = PlannerFixture.builder(PG_TYPES);
    b.scan("articles").aggregate(b.groupKey("author_id"),
        b.aggregateCall(SqlStdOperatorTable.STDDEV_SAMP, b.field("word_count")));
    String plan = plan(b);
    assertTrue(plan.contains("pg_numeric_variance"), plan);
    assertTrue(plan.contains("SparProject") && plan.contains("DECIMAL(19, 0)"), plan);
  }

  @Test
  void leavesFloatingPointAveragesToCalcite() {
    RelBuilder b = PlannerFixture.builder(PG_TYPES);
    b.scan("articles").project(b.cast(b.field("word_count"), SqlTypeName.DOUBLE))
        .aggregate(b.groupKey(), b.aggregateCall(SqlStdOperatorTable.AVG, b.field(0)));
    String plan = plan(b);
    assertFalse(plan.contains("pg_numeric_div"), plan);
  }
}
