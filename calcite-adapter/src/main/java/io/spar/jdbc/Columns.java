package io.spar.jdbc;

import io.spar.engine.execution.ColumnInfo;
import java.sql.ParameterMetaData;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.SqlType;

/**
 * Spar's column and parameter descriptions ({@link ColumnInfo}, as pgjdbc reports them) as
 * Avatica's signatures carry them, and back.
 */
final class Columns {
  private Columns() {
  }

  /** Returns the signature of {@code sql} (or null) with these result columns and parameters. */
  static Meta.Signature signature(String sql, List<ColumnInfo> columns,
      List<ColumnInfo> parameters) throws SQLException {
    return new Meta.Signature(columns(columns), sql, parameters(parameters), null,
        Meta.CursorFactory.LIST, null);
  }

  /** Returns the Avatica descriptions of {@code columns}. */
  static List<ColumnMetaData> columns(List<ColumnInfo> columns) throws SQLException {
    ResultSetMetaData metaData = new SparResultSetMetaData(columns);
    List<ColumnMetaData> result = new ArrayList<>(columns.size());
    for (int i = 1; i <= columns.size(); i++) {
      int jdbcType = metaData.getColumnType(i);
      String typeName = metaData.getColumnTypeName(i);
      ColumnMetaData.Rep rep = rep(jdbcType);
      ColumnMetaData.AvaticaType type = jdbcType == Types.ARRAY
          ? ColumnMetaData.array(
              ColumnMetaData.scalar(Types.JAVA_OBJECT, typeName, ColumnMetaData.Rep.OBJECT),
              typeName, rep)
          : ColumnMetaData.scalar(jdbcType, typeName, rep);
      result.add(new ColumnMetaData(i - 1, metaData.isAutoIncrement(i),
          metaData.isCaseSensitive(i), metaData.isSearchable(i), metaData.isCurrency(i),
          metaData.isNullable(i), metaData.isSigned(i), metaData.getColumnDisplaySize(i),
          metaData.getColumnLabel(i), metaData.getColumnName(i), metaData.getSchemaName(i),
          metaData.getPrecision(i), metaData.getScale(i), metaData.getTableName(i),
          metaData.getCatalogName(i), type, metaData.isReadOnly(i), metaData.isWritable(i),
          metaData.isDefinitelyWritable(i), metaData.getColumnClassName(i)));
    }
    return result;
  }

  /** Returns the Avatica descriptions of parameters of the given {@code types}. */
  static List<AvaticaParameter> parameters(List<ColumnInfo> types) throws SQLException {
    ParameterMetaData metaData = new SparParameterMetaData(types);
    List<AvaticaParameter> result = new ArrayList<>(types.size());
    for (int i = 1; i <= types.size(); i++) {
      result.add(new AvaticaParameter(metaData.isSigned(i), metaData.getPrecision(i),
          metaData.getScale(i), metaData.getParameterType(i), metaData.getParameterTypeName(i),
          metaData.getParameterClassName(i), "?" + i));
    }
    return result;
  }

  private static ColumnMetaData.Rep rep(int jdbcType) {
    try {
      return ColumnMetaData.Rep.of(SqlType.valueOf(jdbcType).internal);
    } catch (IllegalArgumentException e) {
      return ColumnMetaData.Rep.OBJECT; // a type JDBC does not name travels as an object
    }
  }

  /** Returns the column descriptions that {@code columns} carry. */
  static List<ColumnInfo> infos(List<ColumnMetaData> columns) {
    List<ColumnInfo> result = new ArrayList<>(columns.size());
    for (ColumnMetaData each : columns) {
      result.add(new ColumnInfo(each.label, each.type.id, each.type.name, each.precision,
          each.scale, each.nullable, each.columnClassName));
    }
    return result;
  }
}
