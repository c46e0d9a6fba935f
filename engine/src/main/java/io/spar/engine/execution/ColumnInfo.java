package io.spar.engine.execution;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * Description of one result column, as JDBC reports it.
 */
public record ColumnInfo(String label, int jdbcType, String typeName, int precision, int scale,
    int nullable, String className) {

  /** Returns the description of column {@code column} (1-based) of {@code metaData}. */
  public static ColumnInfo of(ResultSetMetaData metaData, int column) throws SQLException {
    return new ColumnInfo(metaData.getColumnLabel(column), metaData.getColumnType(column),
        metaData.getColumnTypeName(column), metaData.getPrecision(column),
        metaData.getScale(column), metaData.isNullable(column),
        metaData.getColumnClassName(column));
  }
}
