package io.spar.jdbc;

import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Calendar;

/**
 * Conversions between the date and time values pgjdbc returns and the types JDBC getters ask
 * for.
 *
 * <p>Values are first normalized to an {@link Instant} (a point in time: timestamptz columns or
 * zoned values) or to local fields ({@link LocalDateTime}, {@link LocalDate},
 * {@link LocalTime}). Local fields are placed in the time zone of the caller's
 * {@link Calendar}, or the JVM's default zone as pgjdbc does; instants ignore the calendar.
 */
final class TemporalConversions {
  private static final LocalDate EPOCH_DAY = LocalDate.of(1970, 1, 1);

  private TemporalConversions() {
  }

  /** Returns {@code value} as a Timestamp, or null for SQL NULL. */
  static Timestamp toTimestamp(Object value, Calendar calendar, boolean zoned)
      throws SQLException {
    Object normal = normalize(value, zoned, "timestamp");
    if (normal == null) {
      return null;
    }
    if (normal instanceof Instant instant) {
      return Timestamp.from(instant);
    }
    return Timestamp.from(localDateTime(normal).atZone(zone(calendar)).toInstant());
  }

  /** Returns {@code value} as a Date (midnight in the calendar's zone), or null for SQL NULL. */
  static Date toDate(Object value, Calendar calendar, boolean zoned) throws SQLException {
    Object normal = normalize(value, zoned, "date");
    if (normal == null) {
      return null;
    }
    if (normal instanceof LocalTime) {
      throw ValueConversions.badValue("date", value, "22007");
    }
    ZoneId zone = zone(calendar);
    LocalDate date = normal instanceof Instant instant
        ? instant.atZone(zone).toLocalDate() : localDateTime(normal).toLocalDate();
    return new Date(date.atStartOfDay(zone).toInstant().toEpochMilli());
  }

  /** Returns {@code value} as a Time (on 1970-01-01 in the calendar's zone), or null. */
  static Time toTime(Object value, Calendar calendar, boolean zoned) throws SQLException {
    Object normal = normalize(value, zoned, "time");
    if (normal == null) {
      return null;
    }
    if (normal instanceof LocalDate) {
      throw ValueConversions.badValue("time", value, "22007");
    }
    ZoneId zone = zone(calendar);
    LocalTime time = normal instanceof Instant instant
        ? instant.atZone(zone).toLocalTime() : localDateTime(normal).toLocalTime();
    return new Time(EPOCH_DAY.atTime(time).atZone(zone).toInstant().toEpochMilli());
  }

  /**
   * Returns {@code value} as {@code type} if that is a date or time class, otherwise null so
   * that the caller tries other conversions.
   */
  static Object toTemporal(Object value, Class<?> type, boolean zoned) throws SQLException {
    if (type == Timestamp.class) {
      return toTimestamp(value, null, zoned);
    } else if (type == Date.class) {
      return toDate(value, null, zoned);
    } else if (type == Time.class) {
      return toTime(value, null, zoned);
    } else if (type == LocalDateTime.class) {
      return local(value, zoned, "timestamp");
    } else if (type == LocalDate.class) {
      return local(value, zoned, "date").toLocalDate();
    } else if (type == LocalTime.class) {
      return local(value, zoned, "time").toLocalTime();
    } else if (type == OffsetDateTime.class) {
      Object normal = normalize(value, zoned, "timestamptz");
      // Like pgjdbc, a timestamp without time zone is read as UTC.
      return normal instanceof Instant instant ? instant.atOffset(ZoneOffset.UTC)
          : localDateTime(normal).atOffset(ZoneOffset.UTC);
    } else if (type == Instant.class) {
      return toTimestamp(value, null, zoned).toInstant();
    }
    return null;
  }

  private static LocalDateTime local(Object value, boolean zoned, String typeName)
      throws SQLException {
    Object normal = normalize(value, zoned, typeName);
    return normal instanceof Instant instant
        ? LocalDateTime.ofInstant(instant, ZoneId.systemDefault()) : localDateTime(normal);
  }

  private static ZoneId zone(Calendar calendar) {
    return calendar == null ? ZoneId.systemDefault() : calendar.getTimeZone().toZoneId();
  }

  private static LocalDateTime localDateTime(Object normal) {
    if (normal instanceof LocalDate date) {
      return date.atStartOfDay();
    }
    if (normal instanceof LocalTime time) {
      return EPOCH_DAY.atTime(time);
    }
    return (LocalDateTime) normal;
  }

  /**
   * Returns {@code value} as an Instant, LocalDateTime, LocalDate or LocalTime, or null for
   * SQL NULL.
   */
  private static Object normalize(Object value, boolean zoned, String typeName)
      throws SQLException {
    if (value == null || value instanceof Instant || value instanceof LocalDateTime
        || value instanceof LocalDate || value instanceof LocalTime) {
      return value;
    } else if (value instanceof Timestamp timestamp) {
      return zoned ? timestamp.toInstant() : timestamp.toLocalDateTime();
    } else if (value instanceof Date date) {
      return date.toLocalDate();
    } else if (value instanceof Time time) {
      // Time.toLocalTime() drops milliseconds; PostgreSQL keeps them.
      return new Timestamp(time.getTime()).toLocalDateTime().toLocalTime();
    } else if (value instanceof java.util.Date date) {
      return date.toInstant();
    } else if (value instanceof OffsetDateTime offset) {
      return offset.toInstant();
    } else if (value instanceof ZonedDateTime zonedTime) {
      return zonedTime.toInstant();
    } else if (value instanceof String text) {
      return parse(text.trim(), typeName);
    }
    throw ValueConversions.badValue(typeName, value, "22007");
  }

  /** Parses PostgreSQL's text forms of dates, times and timestamps (with or without offset). */
  private static Object parse(String text, String typeName) throws SQLException {
    String iso = text.replace(' ', 'T');
    try {
      if (iso.indexOf('T') < 0) {
        return iso.indexOf(':') < 0 ? LocalDate.parse(iso) : LocalTime.parse(iso);
      }
      if (hasOffset(iso)) {
        // PostgreSQL prints "+02" where ISO-8601 wants "+02:00".
        return OffsetDateTime.parse(iso.matches(".*[+-]\\d\\d$") ? iso + ":00" : iso)
            .toInstant();
      }
      return LocalDateTime.parse(iso);
    } catch (DateTimeParseException e) {
      throw ValueConversions.badValue(typeName, text, "22007");
    }
  }

  private static boolean hasOffset(String iso) {
    int time = iso.indexOf('T');
    return iso.endsWith("Z") || iso.indexOf('+', time) > 0 || iso.indexOf('-', time) > 0;
  }
}
