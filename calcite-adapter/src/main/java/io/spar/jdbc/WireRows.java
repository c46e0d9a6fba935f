package io.spar.jdbc;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.SqlType;
import org.apache.calcite.avatica.util.DateTimeUtils;
import org.postgresql.util.PGobject;

/**
 * Spar's result values in the form Avatica's wire protocol carries: each value as the plain Java
 * value its column's representation ({@link Columns}) serializes (dates as days,
 * times and timestamps as milliseconds in the server's zone, arrays as lists, pgjdbc's own
 * objects as their text).
 */
final class WireRows {
  /** Dates and times are read in the server's zone, as Avatica's JdbcMeta reads them. */
  private static final ThreadLocal<Calendar> CALENDAR =
      ThreadLocal.withInitial(() -> Calendar.getInstance(Locale.ROOT));

  private WireRows() {
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
