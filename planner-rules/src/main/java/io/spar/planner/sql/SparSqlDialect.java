package io.spar.planner.sql;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlAlienSystemTypeNameSpec;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * PostgreSQL dialect for shard queries: Calcite's, with casts that keep PostgreSQL's meaning and
 * no LIMIT, since limits are applied at the coordinator.
 */
public final class SparSqlDialect extends org.apache.calcite.sql.dialect.PostgresqlSqlDialect {
  /** The only instance. */
  public static final SparSqlDialect INSTANCE = new SparSqlDialect();

  private SparSqlDialect() {
    super(DEFAULT_CONTEXT);
  }

  @Override
  public @Nullable SqlNode getCastSpec(RelDataType type) {
    switch (type.getSqlTypeName()) {
      case ANY:
      case OTHER:
        // An opaque column's value needs no cast; Calcite has no spelling for ANY.
        return null;
      case TIMESTAMP:
        // Calcite's default TIMESTAMP(0) would round PostgreSQL's microseconds away.
        return alien("timestamp", type.getSqlTypeName());
      case TIME:
        return alien("time", type.getSqlTypeName());
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
        return alien("timestamptz", type.getSqlTypeName());
      case VARCHAR:
        return type.getPrecision() < 0 || type.getPrecision() >= 10 * 1024 * 1024
            ? alien("text", type.getSqlTypeName()) : super.getCastSpec(type);
      default:
        return super.getCastSpec(type);
    }
  }

  private static SqlNode alien(String name, SqlTypeName typeName) {
    return new SqlDataTypeSpec(new SqlAlienSystemTypeNameSpec(name, typeName, SqlParserPos.ZERO),
        SqlParserPos.ZERO);
  }

  @Override
  public void unparseOffsetFetch(SqlWriter writer, @Nullable SqlNode offset,
      @Nullable SqlNode fetch) {
    // Limits stay at the coordinator, which sees the rows of all shards.
  }
}
