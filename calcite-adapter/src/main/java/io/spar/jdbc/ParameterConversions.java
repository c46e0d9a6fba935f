package io.spar.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Calendar;

/**
 * Conversions of prepared statement parameters to the Java values the session binds: values
 * for a target SQL type, streams read fully, and dates moved by a caller's Calendar.
 */
final class ParameterConversions {
  /** Means "no scale or length given" to {@link #convert}. */
  static final int NO_SCALE = -1;

  private ParameterConversions() {
  }

  /**
   * Returns {@code value} converted to the Java type JDBC maps {@code targetSqlType} to;
   * {@code scale} applies to NUMERIC and DECIMAL unless it is {@link #NO_SCALE}.
   */
  static Object convert(Object value, int targetSqlType, int scale) throws SQLException {
    if (value == null || targetSqlType == Types.NULL) {
      return null;
    }
    return switch (targetSqlType) {
      case Types.BIT, Types.BOOLEAN -> ValueConversions.toBoolean(value);
      case Types.TINYINT, Types.SMALLINT -> (short) ValueConversions.toIntegral(value, "short",
          Short.MIN_VALUE, Short.MAX_VALUE);
      case Types.INTEGER -> (int) ValueConversions.toIntegral(value, "int", Integer.MIN_VALUE,
          Integer.MAX_VALUE);
      case Types.BIGINT -> ValueConversions.toIntegral(value, "long", Long.MIN_VALUE,
          Long.MAX_VALUE);
      case Types.REAL -> (float) ValueConversions.toDouble(value, "float");
      case Types.FLOAT, Types.DOUBLE -> ValueConversions.toDouble(value, "double");
      case Types.NUMERIC, Types.DECIMAL -> decimal(value, scale);
      case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR,
          Types.LONGNVARCHAR, Types.CLOB, Types.NCLOB -> ValueConversions.toText(value);
      case Types.DATE -> TemporalConversions.toDate(value, null, false);
      case Types.TIME -> TemporalConversions.toTime(value, null, false);
      case Types.TIMESTAMP -> TemporalConversions.toTimestamp(value, null, false);
      case Types.TIMESTAMP_WITH_TIMEZONE ->
          TemporalConversions.toTemporal(value, OffsetDateTime.class, true);
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB ->
          ValueConversions.toBytes(value);
      // Types PostgreSQL resolves from the value or the context: bound as given.
      case Types.OTHER, Types.JAVA_OBJECT, Types.ARRAY, Types.STRUCT, Types.DISTINCT,
          Types.SQLXML, Types.TIME_WITH_TIMEZONE -> value;
      default -> throw new SQLException("Unsupported Types value: " + targetSqlType,
          ValueConversions.INVALID_PARAMETER_TYPE);
    };
  }

  private static BigDecimal decimal(Object value, int scale) throws SQLException {
    BigDecimal decimal = ValueConversions.toBigDecimal(value, "BigDecimal");
    return scale == NO_SCALE ? decimal : decimal.setScale(scale, RoundingMode.HALF_UP);
  }

  /** Returns a value of {@code setObject(int, Object)} in a form the session can bind. */
  static Object normalize(Object value) {
    if (value instanceof Character c) {
      return c.toString();
    }
    if (value instanceof java.util.Date date && !(value instanceof Date)
        && !(value instanceof Time) && !(value instanceof Timestamp)) {
      return new Timestamp(date.getTime());
    }
    if (value instanceof Calendar calendar) {
      return new Timestamp(calendar.getTimeInMillis());
    }
    return value;
  }

  /** Returns the local date of {@code date} in the calendar's zone, as a default-zone Date. */
  static Date withCalendar(Date date, Calendar calendar) {
    if (date == null || calendar == null) {
      return date;
    }
    // java.sql.Date.toInstant() throws, hence the epoch milliseconds.
    return Date.valueOf(Instant.ofEpochMilli(date.getTime()).atZone(zone(calendar))
        .toLocalDate());
  }

  /** Returns the local time of {@code time} in the calendar's zone, as a default-zone Time. */
  static Time withCalendar(Time time, Calendar calendar) {
    if (time == null || calendar == null) {
      return time;
    }
    return Time.valueOf(new Timestamp(time.getTime()).toInstant().atZone(zone(calendar))
        .toLocalTime());
  }

  /**
   * Returns the local date-time of {@code timestamp} in the calendar's zone, as a default-zone
   * Timestamp: right for timestamp columns, which is what calendars are used with.
   */
  static Timestamp withCalendar(Timestamp timestamp, Calendar calendar) {
    if (timestamp == null || calendar == null) {
      return timestamp;
    }
    return Timestamp.valueOf(timestamp.toInstant().atZone(zone(calendar)).toLocalDateTime());
  }

  private static ZoneId zone(Calendar calendar) {
    return calendar.getTimeZone().toZoneId();
  }

  /** Reads {@code length} bytes of {@code in}, or all of it if {@code length} is negative. */
  static byte[] readBytes(InputStream in, long length) throws SQLException {
    if (in == null) {
      return null;
    }
    try {
      if (length < 0) {
        return in.readAllBytes();
      }
      byte[] bytes = in.readNBytes(Math.toIntExact(length));
      if (bytes.length < length) {
        throw JdbcErrors.invalidArgument("Provided InputStream failed: it ended after "
            + bytes.length + " of " + length + " bytes.");
      }
      return bytes;
    } catch (IOException | ArithmeticException e) {
      throw new SQLException("Provided InputStream failed.", JdbcErrors.INVALID_PARAMETER_VALUE,
          e);
    }
  }

  /** Reads {@code in} as text in {@code charset}; see {@link #readBytes}. */
  static String readText(InputStream in, long length, Charset charset) throws SQLException {
    byte[] bytes = readBytes(in, length);
    return bytes == null ? null : new String(bytes, charset);
  }

  /** Reads {@code length} chars of {@code reader}, or all of it if {@code length} is negative. */
  static String readText(Reader reader, long length) throws SQLException {
    if (reader == null) {
      return null;
    }
    try {
      StringBuilder text = new StringBuilder();
      char[] buffer = new char[8192];
      long remaining = length < 0 ? Long.MAX_VALUE : length;
      int read;
      while (remaining > 0
          && (read = reader.read(buffer, 0, (int) Math.min(buffer.length, remaining))) >= 0) {
        text.append(buffer, 0, read);
        remaining -= read;
      }
      if (length >= 0 && remaining > 0) {
        throw JdbcErrors.invalidArgument("Provided Reader failed: it ended after "
            + text.length() + " of " + length + " characters.");
      }
      return text.toString();
    } catch (IOException e) {
      throw new SQLException("Provided Reader failed.", JdbcErrors.INVALID_PARAMETER_VALUE, e);
    }
  }
}
