package io.spar.jdbc;

import io.spar.engine.execution.ColumnInfo;
import java.sql.Array;
import java.sql.ParameterMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.SqlType;
import org.apache.calcite.avatica.util.DateTimeUtils;
import org.postgresql.util.PGobject;

/**
 * Spar's results in the form Avatica's wire protocol carries: column and parameter descriptions,
 * and each value as the plain Java value its column's representation serializes (dates as days,
 * times and timestamps as milliseconds in the server's zone, arrays as lists, pgjdbc's own
 * objects as their text).
 */
final class WireRows {
  /** Dates and times are read in the server's zone, as Avatica's JdbcMeta reads them. */
  private static final ThreadLocal<Calendar> CALENDAR =
      ThreadLocal.withInitial(() -> Calendar.getInstance(Locale.ROOT));

  private WireRows() {
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

  /**
   * Reads the current row of {@code rows} into wire values, one per column of {@code columns};
   * an array column's component type is learned from its first non-null value.
   */
  static Object[] row(ResultSet rows, List<ColumnMetaData> columns) throws SQLException {
    Object[] row = new Object[columns.size()];
    for (int i = 0; i < row.length; i++) {
      row[i] = value(rows, columns.get(i), i + 1);
    }
    return row;
  }

  private static Object value(ResultSet rows, ColumnMetaData column, int index)
      throws SQLException {
    Calendar calendar = CALENDAR.get();
    Object value = switch (column.type.id) {
      case Types.BIGINT -> rows.getLong(index);
      case Types.INTEGER -> rows.getInt(index);
      case Types.SMALLINT -> rows.getShort(index);
      case Types.TINYINT -> rows.getByte(index);
      case Types.DOUBLE, Types.FLOAT -> rows.getDouble(index);
      case Types.REAL -> rows.getFloat(index);
      case Types.DATE -> {
        java.sql.Date date = rows.getDate(index, calendar);
        yield date == null ? null : (int) (date.getTime() / DateTimeUtils.MILLIS_PER_DAY);
      }
      case Types.TIME -> {
        java.sql.Time time = rows.getTime(index, calendar);
        yield time == null ? null : (int) (time.getTime() % DateTimeUtils.MILLIS_PER_DAY);
      }
      case Types.TIMESTAMP -> {
        java.sql.Timestamp timestamp = rows.getTimestamp(index, calendar);
        yield timestamp == null ? null : timestamp.getTime();
      }
      case Types.ARRAY -> array(rows.getArray(index), column);
      default -> plain(rows.getObject(index));
    };
    return rows.wasNull() ? null : value;
  }

  private static Object array(Array array, ColumnMetaData column) throws SQLException {
    if (array == null) {
      return null;
    }
    if (column.type instanceof ColumnMetaData.ArrayType arrayType
        && arrayType.getComponent().id == Types.JAVA_OBJECT) {
      arrayType.updateComponentType(ColumnMetaData.scalar(array.getBaseType(),
          array.getBaseTypeName(), ColumnMetaData.Rep.serialRepOf(
              SqlType.valueOf(array.getBaseType()))));
    }
    return elements((Object[]) array.getArray());
  }

  private static List<Object> elements(Object[] values) {
    List<Object> result = new ArrayList<>(values.length);
    for (Object each : values) {
      result.add(each instanceof Object[] nested ? elements(nested) : plain(each));
    }
    return result;
  }

  /** Returns pgjdbc's own objects as their text, which is all Avatica's frames can carry. */
  private static Object plain(Object value) {
    if (value instanceof PGobject || value instanceof UUID) {
      return ValueConversions.toText(value);
    }
    return value instanceof Object[] values ? Arrays.asList(values) : value;
  }
}
