package io.spar.planner.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.planner.PlannerFixture;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.tools.RelBuilder;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link SparProjectRule}.
 */
final class SparProjectRuleTest {

  @Test
  void pushesColumnsAndArithmetic() {
    RelBuilder b = PlannerFixture.builder();
    String plan = PlannerFixture.explain(PlannerFixture.optimize(b.scan("articles")
        .project(b.field("title"), b.call(SqlStdOperatorTable.PLUS, b.field("word_count"),
            b.literal(1))).build()));
    assertTrue(plan.contains("SparProject"), plan);
    assertFalse(plan.contains("EnumerableProject"), plan);
  }

  @Test
  void keepsCurrentTimestampAtCoordinator() {
    RelBuilder b = PlannerFixture.builder();
    String plan = PlannerFixture.explain(PlannerFixture.optimize(b.scan("articles")
        .project(b.field("id"), b.call(SqlStdOperatorTable.CURRENT_TIMESTAMP)).build()));
    assertFalse(plan.contains("SparProject"), plan);
    assertTrue(plan.contains("EnumerableProject"), plan);
  }
}
