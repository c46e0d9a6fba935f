package io.spar.planner.rules;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlAggFunction;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.RelBuilder;
import org.apache.calcite.rel.core.RelFactories;
import org.apache.calcite.tools.RelBuilderFactory;

/**
 * Rule that computes {@code avg}, {@code stddev*}, {@code var*} of exact numbers and
 * {@code sum} of integers typed numeric exactly as PostgreSQL does.
 *
 * <p>Calcite's own reduction divides with 16 significant digits and casts to invented
 * precisions ({@code DECIMAL(19,16)}) that overflow when pushed to a shard. This rule instead
 * rewrites each such call into {@code sum}s and {@code count}s of exact numeric values (integers
 * cast to {@code DECIMAL(19,0)}, which holds every bigint) and finishes them with
 * {@link PgNumericFunctions}, which follow {@code numeric.c}. Calls over floats are left to
 * Calcite, as PostgreSQL computes those in double precision too.
 */
public final class SparAggregateNumericRule
    extends RelRule<SparAggregateNumericRule.Config> {
  private static final Set<SqlKind> DEVIATIONS = EnumSet.of(SqlKind.STDDEV_POP,
      SqlKind.STDDEV_SAMP, SqlKind.VAR_POP, SqlKind.VAR_SAMP);

  /** Precision of a DECIMAL that holds every bigint. */
  private static final int BIGINT_DIGITS = 19;

  /** Creates the rule from {@code config}. */
  private SparAggregateNumericRule(Config config) {
    super(config);
  }

  /** Creates the rule with the default configuration. */
  public static SparAggregateNumericRule create() {
    return new SparAggregateNumericRule(Config.DEFAULT);
  }

  /** Returns whether this rule, not Calcite's reduction, computes {@code call}. */
  public static boolean handles(Aggregate aggregate, AggregateCall call) {
    if (call.getArgList().size() != 1 || !call.getCollation().getFieldCollations().isEmpty()) {
      return false;
    }
    SqlTypeName argument = aggregate.getInput().getRowType().getFieldList()
        .get(call.getArgList().get(0)).getType().getSqlTypeName();
    boolean exact = SqlTypeName.EXACT_TYPES.contains(argument);
    SqlKind kind = call.getAggregation().getKind();
    if (kind == SqlKind.AVG || DEVIATIONS.contains(kind)) {
      return exact && call.getType().getSqlTypeName() == SqlTypeName.DECIMAL;
    }
    return kind == SqlKind.SUM && SqlTypeName.INT_TYPES.contains(argument)
        && call.getType().getSqlTypeName() == SqlTypeName.DECIMAL;
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    Aggregate aggregate = call.rel(0);
    RelBuilder builder = call.builder();
    RexBuilder rex = builder.getRexBuilder();
    RelDataTypeFactory types = rex.getTypeFactory();
    builder.push(aggregate.getInput());
    int width = aggregate.getInput().getRowType().getFieldCount();
    List<RexNode> inputs = new ArrayList<>(builder.fields());
    // Per original call: its replacements as {function, input field}, null to keep it.
    List<List<Part>> parts = new ArrayList<>();
    for (AggregateCall each : aggregate.getAggCallList()) {
      if (!handles(aggregate, each)) {
        parts.add(null);
        continue;
      }
      int argument = each.getArgList().get(0);
      RexNode exact = exact(rex, types, inputs.get(argument));
      int exactIndex = add(inputs, exact);
      SqlKind kind = each.getAggregation().getKind();
      if (kind == SqlKind.SUM) {
        parts.add(List.of(new Part(SqlStdOperatorTable.SUM, exactIndex)));
      } else if (kind == SqlKind.AVG) {
        parts.add(List.of(new Part(SqlStdOperatorTable.SUM, exactIndex),
            new Part(SqlStdOperatorTable.COUNT, argument)));
      } else {
        int squareIndex = add(inputs, rex.makeCall(SqlStdOperatorTable.MULTIPLY, exact, exact));
        parts.add(List.of(new Part(SqlStdOperatorTable.SUM, exactIndex),
            new Part(SqlStdOperatorTable.SUM, squareIndex),
            new Part(SqlStdOperatorTable.COUNT, argument)));
      }
    }
    if (inputs.size() > width) {
      builder.project(inputs);
    }
    List<RelBuilder.AggCall> aggCalls = new ArrayList<>();
    List<int[]> positions = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      AggregateCall original = aggregate.getAggCallList().get(i);
      List<Part> replacement = parts.get(i);
      if (replacement == null) {
        positions.add(new int[] {aggCalls.size()});
        aggCalls.add(builder.aggregateCall(original));
        continue;
      }
      int[] at = new int[replacement.size()];
      for (int j = 0; j < at.length; j++) {
        at[j] = aggCalls.size();
        aggCalls.add(like(builder, original, replacement.get(j).function(),
            replacement.get(j).field()));
      }
      positions.add(at);
    }
    builder.aggregate(builder.groupKey(aggregate.getGroupSet(), aggregate.getGroupSets()),
        aggCalls);
    int groups = aggregate.getGroupCount();
    List<RexNode> outputs = new ArrayList<>(builder.fields().subList(0, groups));
    for (int i = 0; i < parts.size(); i++) {
      AggregateCall original = aggregate.getAggCallList().get(i);
      RexNode value = finish(builder, rex, original, positions.get(i), groups);
      outputs.add(rex.makeCast(original.getType(), value, true, false));
    }
    builder.project(outputs, aggregate.getRowType().getFieldNames(), true);
    call.transformTo(builder.build());
  }

  /** One replacement aggregate call: {@code function} over input field {@code field}. */
  private record Part(SqlAggFunction function, int field) {
  }

  private static int add(List<RexNode> inputs, RexNode expression) {
    int existing = inputs.indexOf(expression);
    if (existing >= 0) {
      return existing;
    }
    inputs.add(expression);
    return inputs.size() - 1;
  }

  /** Returns {@code value} as a DECIMAL: integers widened losslessly, decimals unchanged. */
  private static RexNode exact(RexBuilder rex, RelDataTypeFactory types, RexNode value) {
    if (value.getType().getSqlTypeName() == SqlTypeName.DECIMAL) {
      return value;
    }
    RelDataType decimal = types.createTypeWithNullability(
        types.createSqlType(SqlTypeName.DECIMAL, BIGINT_DIGITS, 0), value.getType().isNullable());
    return rex.makeCast(decimal, value, true, false);
  }

  /** Returns an aggregate call of {@code function} over {@code field}, keeping flags. */
  private static RelBuilder.AggCall like(RelBuilder builder, AggregateCall original,
      SqlAggFunction function, int field) {
    RelBuilder.AggCall result = builder.aggregateCall(function, builder.field(field))
        .distinct(original.isDistinct());
    if (original.filterArg >= 0) {
      result = result.filter(builder.field(original.filterArg));
    }
    return result;
  }

  private static RexNode finish(RelBuilder builder, RexBuilder rex, AggregateCall original,
      int[] parts, int groups) {
    List<RexNode> values = new ArrayList<>();
    for (int part : parts) {
      values.add(builder.field(groups + part));
    }
    SqlKind kind = original.getAggregation().getKind();
    if (parts.length == 1) {
      return values.get(0);
    }
    RelDataTypeFactory types = rex.getTypeFactory();
    RelDataType decimal = types.createTypeWithNullability(
        types.createSqlType(SqlTypeName.DECIMAL, BIGINT_DIGITS, 0), true);
    if (kind == SqlKind.AVG) {
      return rex.makeCall(original.getType(), PgNumericFunctions.DIVIDE,
          List.of(values.get(0), rex.makeCast(decimal, values.get(1), true, false)));
    }
    boolean sample = kind == SqlKind.STDDEV_SAMP || kind == SqlKind.VAR_SAMP;
    boolean root = kind == SqlKind.STDDEV_SAMP || kind == SqlKind.STDDEV_POP;
    return rex.makeCall(original.getType(), PgNumericFunctions.VARIANCE,
        List.of(values.get(0), values.get(1), values.get(2), rex.makeLiteral(sample),
            rex.makeLiteral(root)));
  }

  /**
   * Rule configuration, written out because Spar does not run the Immutables annotation
   * processor that Calcite's own rule configurations use.
   */
  public record Config(String description, RelBuilderFactory relBuilderFactory,
      OperandTransform operandSupplier) implements RelRule.Config {
    /** Logical aggregates with at least one call this rule handles. */
    public static final Config DEFAULT = new Config("SparAggregateNumericRule",
        RelFactories.LOGICAL_BUILDER, b -> b.operand(LogicalAggregate.class)
            .predicate(a -> a.getAggCallList().stream().anyMatch(c -> handles(a, c)))
            .anyInputs());

    @Override
    public Config withRelBuilderFactory(RelBuilderFactory factory) {
      return new Config(description, factory, operandSupplier);
    }

    @Override
    public Config withDescription(String newDescription) {
      return new Config(newDescription, relBuilderFactory, operandSupplier);
    }

    @Override
    public Config withOperandSupplier(OperandTransform transform) {
      return new Config(description, relBuilderFactory, transform);
    }

    @Override
    public SparAggregateNumericRule toRule() {
      return new SparAggregateNumericRule(this);
    }
  }
}
