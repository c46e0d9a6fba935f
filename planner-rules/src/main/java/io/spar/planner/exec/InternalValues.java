package io.spar.planner.exec;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.UnaryOperator;
import org.apache.calcite.avatica.util.ByteString;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Conversion of the values pgjdbc returns to Calcite's internal representation of each SQL
 * type, which Enumerable code casts to without checking.
 */
final class InternalValues {
  private InternalValues() {
  }

  /** Returns the conversion of non-null JDBC values for a column of SQL type {@code type}. */
  static UnaryOperator<Object> converter(SqlTypeName type) {
    return switch (type) {
      case TINYINT -> v -> ((Number) v).byteValue();
      case SMALLINT -> v -> ((Number) v).shortValue();
      case INTEGER -> v -> ((Number) v).intValue();
      case BIGINT -> v -> ((Number) v).longValue();
      case REAL -> v -> ((Number) v).floatValue();
      case FLOAT, DOUBLE -> v -> ((Number) v).doubleValue();
      case DECIMAL -> InternalValues::decimal;
      case CHAR, VARCHAR -> v -> v instanceof String ? v : v.toString();
      case DATE -> InternalValues::date;
      case TIME -> InternalValues::time;
      case TIMESTAMP -> InternalValues::timestamp;
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> InternalValues::instant;
      case BINARY, VARBINARY -> v -> v instanceof byte[] bytes ? new ByteString(bytes) : v;
      default -> v -> v;
    };
  }

  private static Object decimal(Object value) {
    if (value instanceof BigDecimal) {
      return value;
    }
    // pgjdbc returns Double.NaN for numeric 'NaN', which BigDecimal cannot hold.
    return value instanceof Double d ? BigDecimal.valueOf(d) : new BigDecimal(value.toString());
  }

  private static Object date(Object value) {
    LocalDate date = value instanceof Date sqlDate ? sqlDate.toLocalDate() : (LocalDate) value;
    return (int) date.toEpochDay();
  }

  private static Object time(Object value) {
    LocalTime time = value instanceof Time sqlTime ? sqlTime.toLocalTime() : (LocalTime) value;
    return (int) (time.toNanoOfDay() / 1_000_000L);
  }

  private static Object timestamp(Object value) {
    LocalDateTime local = value instanceof Timestamp ts ? ts.toLocalDateTime()
        : (LocalDateTime) value;
    return local.toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  private static Object instant(Object value) {
    if (value instanceof Timestamp ts) {
      return ts.getTime();
    }
    return ((OffsetDateTime) value).toInstant().toEpochMilli();
  }

  /** Returns the JDBC form of internal value {@code value} of SQL type {@code type}. */
  static Object toJdbc(Object value, SqlTypeName type) {
    if (value == null) {
      return null;
    }
    return switch (type) {
      case DATE -> value instanceof Integer days ? LocalDate.ofEpochDay(days) : value;
      case TIME -> value instanceof Integer ms ? LocalTime.ofNanoOfDay(ms * 1_000_000L) : value;
      case TIMESTAMP -> value instanceof Long ms
          ? LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000L),
              (int) Math.floorMod(ms, 1000L) * 1_000_000, ZoneOffset.UTC) : value;
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> value instanceof Long ms
          ? OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(ms), ZoneOffset.UTC) : value;
      default -> value instanceof ByteString bytes ? bytes.getBytes() : value;
    };
  }
}
