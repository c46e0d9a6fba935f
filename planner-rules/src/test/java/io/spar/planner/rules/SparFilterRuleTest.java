package io.spar.planner.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.planner.PlannerFixture;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.tools.RelBuilder;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link SparFilterRule}.
 */
final class SparFilterRuleTest {

  @Test
  void pushesComparisonToShards() {
    RelBuilder b = PlannerFixture.builder();
    String plan = PlannerFixture.explain(PlannerFixture.optimize(b.scan("articles")
        .filter(b.greaterThan(b.field("word_count"), b.literal(5))).build()));
    assertTrue(plan.contains("SparFilter(condition=[>($3, 5)])"), plan);
    assertFalse(plan.contains("EnumerableFilter"), plan);
  }

  @Test
  void pushesLikeAndIsNull() {
    RelBuilder b = PlannerFixture.builder();
    String plan = PlannerFixture.explain(PlannerFixture.optimize(b.scan("articles")
        .filter(b.or(b.call(SqlStdOperatorTable.LIKE, b.field("title"), b.literal("a%")),
            b.isNull(b.field("title")))).build()));
    assertTrue(plan.contains("SparFilter"), plan);
  }

  @Test
  void keepsNonDeterministicConditionAtCoordinator() {
    RelBuilder b = PlannerFixture.builder();
    String plan = PlannerFixture.explain(PlannerFixture.optimize(b.scan("articles")
        .filter(b.greaterThan(b.call(SqlStdOperatorTable.RAND), b.literal(0.5))).build()));
    assertFalse(plan.contains("SparFilter"), plan);
    assertTrue(plan.contains("EnumerableFilter"), plan);
  }

  @Test
  void keepsDivisionAtCoordinator() {
    RelBuilder b = PlannerFixture.builder();
    String plan = PlannerFixture.explain(PlannerFixture.optimize(b.scan("articles")
        .filter(b.greaterThan(b.call(SqlStdOperatorTable.DIVIDE, b.field("word_count"),
            b.literal(2)), b.literal(1))).build()));
    assertFalse(plan.contains("SparFilter"), plan);
  }
}
