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

  /**
   * A POSIX zone without daylight rules, as PostgreSQL reports a fixed offset ({@code <+03>-03})
   * or takes one ({@code UTC+3}): hours west of Greenwich, where Java counts east.
   */
  private static final java.util.regex.Pattern POSIX_OFFSET = java.util.regex.Pattern.compile(
      "(?:[A-Za-z]{3,}|<[^>]*>)([+-]?)(\\d{1,2})(?::(\\d{2}))?(?::(\\d{2}))?");

  /** Returns the zone of PostgreSQL's TimeZone setting {@code name}; null if unknown. */
  static ZoneId zoneOf(String name) {
    if (name == null) {
      return null;
    }
    java.util.regex.Matcher posix = POSIX_OFFSET.matcher(name);
    if (posix.matches()) {
      int seconds = Integer.parseInt(posix.group(2)) * 3600
          + (posix.group(3) == null ? 0 : Integer.parseInt(posix.group(3)) * 60)
          + (posix.group(4) == null ? 0 : Integer.parseInt(posix.group(4)));
      return java.time.ZoneOffset.ofTotalSeconds(posix.group(1).equals("-") ? seconds
          : -seconds);
    }
    try {
      return ZoneId.of(name, ZoneId.SHORT_IDS);
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  /** The first moment of the Gregorian calendar in java.util's calendars, which pgjdbc uses. */
  private static final long GREGORIAN_CUTOVER = -12219292800000L;

  /**
   * Returns the instant of timestamptz {@code value} in PostgreSQL's proleptic Gregorian
   * calendar: pgjdbc placed dates before 1582 in the Julian calendar, whose fields (read here
   * in UTC) are PostgreSQL's.
   */
  private static Instant instant(Timestamp value) {
    if (value.getTime() >= GREGORIAN_CUTOVER) {
      return value.toInstant();
    }
    java.util.GregorianCalendar julian = new java.util.GregorianCalendar(
        java.util.TimeZone.getTimeZone("UTC"));
    julian.setTimeInMillis(value.getTime());
    int year = julian.get(Calendar.YEAR);
    return LocalDateTime.of(julian.get(Calendar.ERA) == java.util.GregorianCalendar.BC
        ? 1 - year : year, julian.get(Calendar.MONTH) + 1, julian.get(Calendar.DAY_OF_MONTH),
        julian.get(Calendar.HOUR_OF_DAY), julian.get(Calendar.MINUTE),
        julian.get(Calendar.SECOND), value.getNanos()).toInstant(java.time.ZoneOffset.UTC);
  }

  /**
   * Returns timestamptz {@code value} as PostgreSQL writes it in zone {@code zone} with
   * DateStyle ISO (the only one pgjdbc accepts): fractional seconds without trailing zeros, the
   * offset in hours with minutes and seconds only where not zero, and BC years.
   */
  static String timestamptzText(Timestamp value, ZoneId zone) {
    if (value.getTime() == org.postgresql.PGStatement.DATE_POSITIVE_INFINITY) {
      return "infinity";
    }
    if (value.getTime() == org.postgresql.PGStatement.DATE_NEGATIVE_INFINITY) {
      return "-infinity";
    }
    java.time.ZonedDateTime time = instant(value).atZone(zone);
    int year = time.getYear();
    StringBuilder text = new StringBuilder(String.format("%04d-%02d-%02d %02d:%02d:%02d",
        year > 0 ? year : 1 - year, time.getMonthValue(), time.getDayOfMonth(),
        time.getHour(), time.getMinute(), time.getSecond()));
    if (time.getNano() != 0) {
      String fraction = String.format("%06d", time.getNano() / 1000).replaceFirst("0+$", "");
      if (!fraction.isEmpty()) {
        text.append('.').append(fraction);
      }
    }
    int offset = time.getOffset().getTotalSeconds();
    int magnitude = Math.abs(offset);
    text.append(offset < 0 ? '-' : '+').append(String.format("%02d", magnitude / 3600));
    if (magnitude % 3600 != 0) {
      text.append(String.format(":%02d", magnitude % 3600 / 60));
      if (magnitude % 60 != 0) {
        text.append(String.format(":%02d", magnitude % 60));
      }
    }
    return year > 0 ? text.toString() : text.append(" BC").toString();
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
