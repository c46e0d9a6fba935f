package io.spar.adapter;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Mapping of PostgreSQL column types to Calcite types; types Calcite cannot evaluate (uuid,
 * json, arrays, extension types) become opaque {@code ANY} values that pass through unchanged.
 */
final class PgColumnTypes {
  /** Type modifier PostgreSQL stores when a length or precision was not declared. */
  private static final int NO_MODIFIER = -1;

  /** Offset PostgreSQL adds to a declared length or numeric modifier (VARHDRSZ). */
  private static final int HEADER_SIZE = 4;

  /** Scale of an unconstrained numeric column, wide enough for values PostgreSQL prints. */
  private static final int UNCONSTRAINED_NUMERIC_SCALE = 20;

  private PgColumnTypes() {
  }

  /** Returns the Calcite type of {@code column}, nullable unless it is declared NOT NULL. */
  static RelDataType toCalcite(RelDataTypeFactory factory, PgColumn column) {
    RelDataType type = baseType(factory, column.typeName(), column.typeModifier());
    return factory.createTypeWithNullability(type, !column.notNull());
  }

  private static RelDataType baseType(RelDataTypeFactory factory, String typeName, int modifier) {
    return switch (typeName) {
      case "int2" -> factory.createSqlType(SqlTypeName.SMALLINT);
      case "int4" -> factory.createSqlType(SqlTypeName.INTEGER);
      case "int8" -> factory.createSqlType(SqlTypeName.BIGINT);
      case "numeric" -> numeric(factory, modifier);
      case "float4" -> factory.createSqlType(SqlTypeName.REAL);
      case "float8" -> factory.createSqlType(SqlTypeName.DOUBLE);
      case "text", "name" -> factory.createSqlType(SqlTypeName.VARCHAR);
      case "varchar" -> modifier == NO_MODIFIER ? factory.createSqlType(SqlTypeName.VARCHAR)
          : factory.createSqlType(SqlTypeName.VARCHAR, modifier - HEADER_SIZE);
      case "bpchar" -> factory.createSqlType(SqlTypeName.CHAR,
          modifier == NO_MODIFIER ? 1 : modifier - HEADER_SIZE);
      case "bool" -> factory.createSqlType(SqlTypeName.BOOLEAN);
      case "date" -> factory.createSqlType(SqlTypeName.DATE);
      case "timestamp" -> factory.createSqlType(SqlTypeName.TIMESTAMP);
      case "timestamptz" -> factory.createSqlType(SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE);
      case "time" -> factory.createSqlType(SqlTypeName.TIME);
      case "bytea" -> factory.createSqlType(SqlTypeName.VARBINARY);
      default -> factory.createSqlType(SqlTypeName.ANY);
    };
  }

  private static RelDataType numeric(RelDataTypeFactory factory, int modifier) {
    if (modifier == NO_MODIFIER) {
      return factory.createSqlType(SqlTypeName.DECIMAL,
          PostgresTypeSystem.MAX_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE);
    }
    int packed = modifier - HEADER_SIZE;
    int precision = (packed >> 16) & 0xFFFF;
    int scale = packed & 0xFFFF;
    return factory.createSqlType(SqlTypeName.DECIMAL, precision, scale);
  }
}
