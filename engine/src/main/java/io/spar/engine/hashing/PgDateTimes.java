package io.spar.engine.hashing;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Conversions between java.time values and PostgreSQL's date/timestamp representations and ISO text forms.
 *
 * <p>Only the ISO input style ({@code YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][zone][ BC]}) is parsed; PostgreSQL's other
 * input styles and special values (infinity, now, ...) are rejected rather than risking a wrong interpretation.
 */
final class PgDateTimes {

  /** 2000-01-01, PostgreSQL's date and timestamp epoch. */
  static final LocalDate PG_EPOCH = LocalDate.of(2000, 1, 1);

  private static final long PG_EPOCH_DAY = PG_EPOCH.toEpochDay();
  private static final long MICROS_PER_DAY = 86_400_000_000L;
  private static final LocalDate MIN_DATE = LocalDate.of(-4713, 11, 24);
  private static final LocalDate MAX_DATE = LocalDate.of(5_874_897, 12, 31);
  private static final LocalDateTime MAX_TIMESTAMP = LocalDateTime.of(294_276, 12, 31, 23, 59, 59, 999_999_000);
  private static final Pattern ISO = Pattern.compile(
      "\\s*(\\d{4,})-(\\d{1,2})-(\\d{1,2})"
          + "(?:[ T]+(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d*))?)?)?"
          + "\\s*(Z|UTC|GMT|[+-]\\d{1,2}(?::?\\d{2}(?::?\\d{2})?)?)?"
          + "\\s*(BC|AD)?\\s*",
      Pattern.CASE_INSENSITIVE);

  /** The pieces of an ISO date/time literal; time fields are zero and offset is null when absent. */
  record Parsed(LocalDateTime local, ZoneOffset offset) {
  }

  private PgDateTimes() {
  }

  /** Returns PostgreSQL's int4 date value: days since 2000-01-01. */
  static int toPgDays(LocalDate date) {
    return Math.toIntExact(date.toEpochDay() - PG_EPOCH_DAY);
  }

  /** Returns PostgreSQL's int8 timestamp value, rounding nanoseconds half up to microseconds as pgjdbc does. */
  static long toPgMicros(LocalDateTime value) {
    long days = value.toLocalDate().toEpochDay() - PG_EPOCH_DAY;
    long micros = (value.toLocalTime().toNanoOfDay() + 500) / 1000;
    return Math.addExact(Math.multiplyExact(days, MICROS_PER_DAY), micros);
  }

  /** Returns PostgreSQL's int8 timestamptz value: microseconds since 2000-01-01 00:00:00 UTC. */
  static long toPgMicros(Instant value) {
    return toPgMicros(LocalDateTime.ofInstant(value, ZoneOffset.UTC));
  }

  /** Truncates sub-microsecond precision the way PostgreSQL would store the value (half up). */
  static LocalDateTime roundToMicros(LocalDateTime value) {
    return value.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
  }

  /** Checks a date against PostgreSQL's date range (4714-11-24 BC .. 5874897-12-31). */
  static LocalDate checkDate(LocalDate date, Object input) {
    if (date.isBefore(MIN_DATE) || date.isAfter(MAX_DATE)) {
      throw new IllegalArgumentException("date out of range: \"" + input + "\"");
    }
    return date;
  }

  /** Checks a timestamp against PostgreSQL's timestamp range (4714-11-24 BC .. 294276-12-31). */
  static LocalDateTime checkTimestamp(LocalDateTime value, Object input) {
    if (value.toLocalDate().isBefore(MIN_DATE) || value.isAfter(MAX_TIMESTAMP)) {
      throw new IllegalArgumentException("timestamp out of range: \"" + input + "\"");
    }
    return value;
  }

  /**
   * Parses an ISO date or timestamp literal as PostgreSQL's date_in/timestamp_in would.
   *
   * @param text the literal
   * @param pgTypeName the SQL type name used in error messages ("date", "timestamp", ...)
   */
  static Parsed parse(String text, String pgTypeName) {
    Matcher m = ISO.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid input syntax for type " + pgTypeName + ": \"" + text + "\"");
    }
    try {
      int year = Integer.parseInt(m.group(1));
      if (year == 0) {
        throw new DateTimeException("year zero");
      }
      boolean bc = m.group(9) != null && m.group(9).equalsIgnoreCase("BC");
      LocalDate date = LocalDate.of(bc ? 1 - year : year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
      LocalTime time = m.group(4) == null ? LocalTime.MIDNIGHT : LocalTime.of(Integer.parseInt(m.group(4)),
          Integer.parseInt(m.group(5)), m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
      long nanos = fractionNanos(m.group(7));
      LocalDateTime local = LocalDateTime.of(date, time).plusNanos(nanos);
      return new Parsed(roundToMicros(local), offset(m.group(8)));
    } catch (DateTimeException | NumberFormatException e) {
      throw new IllegalArgumentException("date/time field value out of range: \"" + text + "\"", e);
    }
  }

  /** Formats a date like PostgreSQL's ISO DateStyle: {@code 2015-01-08}, {@code 0044-03-15 BC}. */
  static String formatDate(LocalDate date) {
    return datePart(date) + era(date);
  }

  /** Formats a timestamp like PostgreSQL: {@code 2015-01-08 10:00:00}, fraction without trailing zeros. */
  static String formatTimestamp(LocalDateTime value) {
    return datePart(value.toLocalDate()) + " " + timePart(value.toLocalTime()) + era(value.toLocalDate());
  }

  /** Formats an instant like PostgreSQL does for timestamptz in a UTC session: {@code 2015-01-08 10:00:00+00}. */
  static String formatTimestamptz(Instant value) {
    LocalDateTime utc = LocalDateTime.ofInstant(value, ZoneOffset.UTC);
    return datePart(utc.toLocalDate()) + " " + timePart(utc.toLocalTime()) + "+00" + era(utc.toLocalDate());
  }

  private static long fractionNanos(String digits) {
    if (digits == null || digits.isEmpty()) {
      return 0;
    }
    String nine = (digits + "000000000").substring(0, 9);
    long nanos = Long.parseLong(nine);
    // Digits beyond nanoseconds only matter for rounding at the microsecond; a tenth digit >= 5 rounds up.
    return digits.length() > 9 && digits.charAt(9) >= '5' ? nanos + 1 : nanos;
  }

  private static ZoneOffset offset(String zone) {
    if (zone == null) {
      return null;
    }
    String upper = zone.toUpperCase(Locale.ROOT);
    if (upper.equals("Z") || upper.equals("UTC") || upper.equals("GMT")) {
      return ZoneOffset.UTC;
    }
    String digits = zone.substring(1).replace(":", "");
    int hours;
    int minutes = 0;
    int seconds = 0;
    if (digits.length() <= 2) {
      hours = Integer.parseInt(digits);
    } else {
      int hourDigits = digits.length() % 2 == 0 ? 2 : 1;
      hours = Integer.parseInt(digits.substring(0, hourDigits));
      minutes = Integer.parseInt(digits.substring(hourDigits, hourDigits + 2));
      if (digits.length() > hourDigits + 2) {
        seconds = Integer.parseInt(digits.substring(hourDigits + 2));
      }
    }
    int sign = zone.charAt(0) == '-' ? -1 : 1;
    return ZoneOffset.ofHoursMinutesSeconds(sign * hours, sign * minutes, sign * seconds);
  }

  private static String datePart(LocalDate date) {
    int year = date.getYear() > 0 ? date.getYear() : 1 - date.getYear();
    return String.format(Locale.ROOT, "%04d-%02d-%02d", year, date.getMonthValue(), date.getDayOfMonth());
  }

  private static String era(LocalDate date) {
    return date.getYear() > 0 ? "" : " BC";
  }

  private static String timePart(LocalTime time) {
    String hms = String.format(Locale.ROOT, "%02d:%02d:%02d", time.getHour(), time.getMinute(), time.getSecond());
    int micros = time.getNano() / 1000;
    if (micros == 0) {
      return hms;
    }
    String fraction = String.format(Locale.ROOT, "%06d", micros).replaceAll("0+$", "");
    return hms + "." + fraction;
  }
}
