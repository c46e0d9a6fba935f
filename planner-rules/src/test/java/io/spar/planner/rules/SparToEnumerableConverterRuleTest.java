package io.spar.planner.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.planner.PlannerFixture;
import org.apache.calcite.tools.RelBuilder;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link SparToEnumerableConverterRule}.
 */
final class SparToEnumerableConverterRuleTest {

  @Test
  void convertsScanForEnumerableParent() {
    RelBuilder b = PlannerFixture.builder();
    String plan = PlannerFixture.explain(PlannerFixture.optimize(b.scan("articles")
        .aggregate(b.groupKey(), b.countStar("c")).build()));
    assertTrue(plan.contains("EnumerableAggregate"), plan);
    assertTrue(plan.contains("SparToEnumerableConverter"), plan);
  }

  @Test
  void keepsSortAndLimitAboveTheConverter() {
    RelBuilder b = PlannerFixture.builder();
    String plan = PlannerFixture.explain(PlannerFixture.optimize(b.scan("articles")
        .sort(b.field("id")).limit(0, 3).build()));
    int converter = plan.indexOf("SparToEnumerableConverter");
    assertTrue(converter > plan.indexOf("Enumerable"), plan);
    assertFalse(plan.substring(converter).contains("EnumerableSort"), plan);
  }
}
