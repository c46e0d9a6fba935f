package io.spar.adapter;

import io.spar.engine.catalog.PgFunction;
import io.spar.planner.rules.ShardFunction;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCallBinding;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperandCountRange;
import org.apache.calcite.sql.SqlOperatorBinding;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.type.SqlOperandCountRanges;
import org.apache.calcite.sql.type.SqlOperandTypeInference;
import org.apache.calcite.sql.type.SqlTypeName;
import java.util.stream.IntStream;

/**
 * A PostgreSQL function Calcite does not know, declared from its {@code pg_proc} overloads so
 * that it validates, and passed through by name so that PostgreSQL evaluates it.
 *
 * <p>PostgreSQL does the real overload resolution on the shard; here the overload whose
 * argument types best match the operands' Calcite types (ties to the lowest oid) gives the
 * result type. The category is not USER_DEFINED_FUNCTION, which pushdown would refuse and
 * unparsing would treat differently.
 */
final class PgPassThroughFunction extends SqlFunction implements ShardFunction {
  /** Pseudo-types whose actual type is the operand's. */
  private static final Set<String> POLYMORPHIC = Set.of("anyelement", "anycompatible",
      "anynonarray", "anycompatiblenonarray");

  private final List<PgFunction> overloads;

  /** Creates the function {@code name} with its scalar {@code overloads}, in oid order. */
  PgPassThroughFunction(String name, List<PgFunction> overloads) {
    super(name, SqlKind.OTHER_FUNCTION, null, null, null, SqlFunctionCategory.SYSTEM);
    this.overloads = List.copyOf(overloads);
  }

  /** Returns true only if every overload is IMMUTABLE, whichever PostgreSQL picks. */
  @Override
  public boolean isShardEvaluable() {
    return overloads.stream().allMatch(PgFunction::isImmutable);
  }

  @Override
  public boolean isDeterministic() {
    return overloads.stream().noneMatch(f -> f.volatility() == 'v');
  }

  @Override
  public SqlOperandCountRange getOperandCountRange() {
    boolean variadic = overloads.stream().anyMatch(PgFunction::variadic);
    int min = overloads.stream().mapToInt(f -> f.argumentTypes().size() - (f.variadic() ? 1 : 0))
        .min().orElse(0);
    int max = overloads.stream().mapToInt(f -> f.argumentTypes().size()).max().orElse(0);
    return variadic ? SqlOperandCountRanges.from(min) : SqlOperandCountRanges.between(min, max);
  }

  /** Accepts any operand types: PostgreSQL checks them when it runs the call. */
  @Override
  public boolean checkOperandTypes(SqlCallBinding callBinding, boolean throwOnFailure) {
    return true;
  }

  @Override
  public RelDataType inferReturnType(SqlOperatorBinding binding) {
    RelDataTypeFactory factory = binding.getTypeFactory();
    List<RelDataType> operands = binding.collectOperandTypes();
    PgFunction chosen = choose(factory, operands);
    RelDataType result = POLYMORPHIC.contains(chosen.returnType())
        ? polymorphicOperand(chosen, operands)
        : PgColumnTypes.ofTypeName(factory, chosen.returnType());
    return factory.createTypeWithNullability(result, true);
  }

  /** Gives each {@code ?} operand the declared type of the overload's argument. */
  @Override
  public SqlOperandTypeInference getOperandTypeInference() {
    return (binding, returnType, operandTypes) -> {
      List<PgFunction> candidates = byArity(binding.getOperandCount());
      PgFunction chosen = candidates.isEmpty() ? overloads.get(0) : candidates.get(0);
      List<String> declared = chosen.argumentTypes();
      RelDataTypeFactory factory = binding.getTypeFactory();
      for (int i = 0; i < operandTypes.length; i++) {
        String name = declared.isEmpty() ? "text"
            : declared.get(Math.min(i, declared.size() - 1));
        operandTypes[i] = factory.createTypeWithNullability(
            PgColumnTypes.ofTypeName(factory, name), true);
      }
    };
  }

  @Override
  public void unparse(SqlWriter writer, SqlCall call, int leftPrec, int rightPrec) {
    // Quoted, so that PostgreSQL resolves exactly the name pg_proc has.
    writer.identifier(getName(), true);
    SqlWriter.Frame frame = writer.startList(SqlWriter.FrameTypeEnum.FUN_CALL, "(", ")");
    for (SqlNode operand : call.getOperandList()) {
      writer.sep(",");
      operand.unparse(writer, 0, 0);
    }
    writer.endList(frame);
  }

  private List<PgFunction> byArity(int count) {
    return overloads.stream().filter(f -> f.argumentTypes().size() == count
        || f.variadic() && count >= f.argumentTypes().size() - 1).toList();
  }

  private PgFunction choose(RelDataTypeFactory factory, List<RelDataType> operands) {
    List<PgFunction> candidates = byArity(operands.size());
    if (candidates.isEmpty()) {
      return overloads.get(0);
    }
    // max() keeps the first of equal scores when compared this way round: lowest oid wins.
    return candidates.stream().max(Comparator.comparingInt(
        (PgFunction f) -> score(factory, f, operands)).thenComparingInt(
            f -> -candidates.indexOf(f))).orElseThrow();
  }

  private static int score(RelDataTypeFactory factory, PgFunction function,
      List<RelDataType> operands) {
    List<String> declared = function.argumentTypes();
    return IntStream.range(0, Math.min(declared.size(), operands.size())).map(i -> {
      RelDataType parameter = PgColumnTypes.ofTypeName(factory, declared.get(i));
      RelDataType operand = operands.get(i);
      if (parameter.getSqlTypeName() == operand.getSqlTypeName()) {
        return 2;
      }
      return parameter.getSqlTypeName() != SqlTypeName.ANY
          && parameter.getFamily() == operand.getFamily() ? 1 : 0;
    }).sum();
  }

  private static RelDataType polymorphicOperand(PgFunction function, List<RelDataType> operands) {
    for (int i = 0; i < Math.min(function.argumentTypes().size(), operands.size()); i++) {
      if (POLYMORPHIC.contains(function.argumentTypes().get(i))) {
        return operands.get(i);
      }
    }
    return operands.isEmpty() ? null : operands.get(0);
  }
}
