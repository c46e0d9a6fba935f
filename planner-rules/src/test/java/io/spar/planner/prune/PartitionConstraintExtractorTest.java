package io.spar.planner.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.routing.PartitionConstraint;
import io.spar.engine.routing.PartitionConstraint.And;
import io.spar.engine.routing.PartitionConstraint.Compare;
import io.spar.engine.routing.PartitionConstraint.Comparison;
import io.spar.engine.routing.PartitionConstraint.Equals;
import io.spar.engine.routing.PartitionConstraint.IsNull;
import io.spar.engine.routing.PartitionConstraint.Or;
import io.spar.engine.routing.PartitionValue.Constant;
import io.spar.engine.routing.PartitionValue.Parameter;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.DateString;
import io.spar.planner.PlannerFixture;
import org.apache.calcite.tools.RelBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link PartitionConstraintExtractor}; the partition column is {@code author_id}
 * (field 1) of the fixture's articles table.
 */
final class PartitionConstraintExtractorTest {
  private RelBuilder b;

  @BeforeEach
  void scan() {
    b = PlannerFixture.builder().scan("articles");
  }

  private RexNode key() {
    return b.field("author_id");
  }

  private static PartitionConstraint extract(RexNode condition) {
    return PartitionConstraintExtractor.extract(condition, 1);
  }

  @Test
  void extractsEqualityInEitherOrder() {
    assertEquals(new Equals(new Constant(1L)), extract(b.equals(key(), b.literal(1L))));
    assertEquals(new Compare(Comparison.LESS, new Constant(3L)),
        extract(b.greaterThan(b.literal(3L), key())));
  }

  @Test
  void extractsParameters() {
    RexBuilder rex = b.getRexBuilder();
    RexNode param = rex.makeDynamicParam(b.getTypeFactory().createSqlType(SqlTypeName.BIGINT), 2);
    assertEquals(new Equals(new Parameter(2)), extract(b.equals(key(), param)));
  }

  @Test
  void extractsContradictionAsConjunction() {
    PartitionConstraint result = extract(b.call(SqlStdOperatorTable.AND,
        b.equals(key(), b.literal(1L)), b.equals(key(), b.literal(2L))));
    assertEquals(new And(List.of(new Equals(new Constant(1L)), new Equals(new Constant(2L)))),
        result);
  }

  @Test
  void extractsInListAsPoints() {
    PartitionConstraint result = extract(b.in(key(), b.literal(1L), b.literal(5L)));
    assertEquals(new Or(List.of(new Equals(new Constant(1L)), new Equals(new Constant(5L)))),
        result);
  }

  @Test
  void extractsBetweenAsRange() {
    PartitionConstraint result = extract(b.between(key(), b.literal(10L), b.literal(20L)));
    assertEquals(new And(List.of(new Compare(Comparison.GREATER_OR_EQUAL, new Constant(10L)),
        new Compare(Comparison.LESS_OR_EQUAL, new Constant(20L)))), result);
  }

  @Test
  void extractsIsNullAndFalse() {
    assertEquals(new IsNull(), extract(b.isNull(key())));
    assertEquals(PartitionConstraint.NONE, extract(b.literal(false)));
  }

  @Test
  void convertsLiteralsToPlainJava() {
    assertEquals(new BigDecimal("1.5"),
        LiteralValues.of(b.getRexBuilder().makeExactLiteral(new BigDecimal("1.5"))).get().get());
    assertEquals(LocalDate.of(2015, 1, 8), LiteralValues.of(
        b.getRexBuilder().makeDateLiteral(new DateString("2015-01-08"))).get().get());
    assertEquals("abc", LiteralValues.of(b.getRexBuilder().makeLiteral("abc")).get().get());
  }

  @Test
  void leavesOtherColumnsAndOperatorsUnconstrained() {
    assertEquals(PartitionConstraint.UNCONSTRAINED,
        extract(b.equals(b.field("id"), b.literal(1L))));
    assertEquals(PartitionConstraint.UNCONSTRAINED,
        extract(b.or(b.equals(key(), b.literal(1L)), b.equals(b.field("id"), b.literal(2L)))));
    assertEquals(PartitionConstraint.UNCONSTRAINED, extract(b.not(b.equals(key(), b.literal(1L)))));
  }
}
