package io.spar.adapter;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Type system that derives aggregate result types as PostgreSQL does: {@code sum} of integers is
 * bigint and {@code avg} of exact numbers is numeric.
 */
public final class PostgresTypeSystem extends RelDataTypeSystemImpl {
  /** The only instance; the {@code typeSystem} connection property names it. */
  public static final PostgresTypeSystem INSTANCE = new PostgresTypeSystem();

  /** PostgreSQL's largest declared numeric precision. */
  static final int MAX_NUMERIC_PRECISION = 1000;

  /** Scale PostgreSQL gives an average of integers below 10000, such as 1.5000000000000000. */
  static final int AVG_SCALE = 16;

  private static final int MAX_TEXT_LENGTH = 10 * 1024 * 1024;

  @Override
  public int getMaxPrecision(SqlTypeName typeName) {
    return switch (typeName) {
      case DECIMAL -> MAX_NUMERIC_PRECISION;
      case CHAR, VARCHAR, BINARY, VARBINARY -> MAX_TEXT_LENGTH;
      default -> super.getMaxPrecision(typeName);
    };
  }

  @Override
  public int getMaxScale(SqlTypeName typeName) {
    return typeName == SqlTypeName.DECIMAL ? MAX_NUMERIC_PRECISION : super.getMaxScale(typeName);
  }

  @Override
  public RelDataType deriveSumType(RelDataTypeFactory typeFactory, RelDataType argumentType) {
    RelDataType result = switch (argumentType.getSqlTypeName()) {
      // PostgreSQL sums bigint into numeric, but Enumerable's SUM cannot accumulate longs into
      // a BigDecimal, so bigint sums stay bigint: the same values short of overflow.
      case TINYINT, SMALLINT, INTEGER, BIGINT -> typeFactory.createSqlType(SqlTypeName.BIGINT);
      case DECIMAL -> typeFactory.createSqlType(SqlTypeName.DECIMAL, MAX_NUMERIC_PRECISION,
          argumentType.getScale());
      default -> argumentType;
    };
    return typeFactory.createTypeWithNullability(result, argumentType.isNullable());
  }

  @Override
  public RelDataType deriveAvgAggType(RelDataTypeFactory typeFactory, RelDataType argumentType) {
    if (!SqlTypeName.EXACT_TYPES.contains(argumentType.getSqlTypeName())) {
      return typeFactory.createTypeWithNullability(
          typeFactory.createSqlType(SqlTypeName.DOUBLE), argumentType.isNullable());
    }
    int scale = Math.max(AVG_SCALE, Math.max(argumentType.getScale(), 0));
    return typeFactory.createTypeWithNullability(
        typeFactory.createSqlType(SqlTypeName.DECIMAL, MAX_NUMERIC_PRECISION, scale),
        argumentType.isNullable());
  }

  @Override
  public boolean shouldConvertRaggedUnionTypesToVarying() {
    // PostgreSQL compares 'a' and 'bb' as text, never padded to a common CHAR length.
    return true;
  }
}
