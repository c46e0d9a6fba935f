package io.spar.engine.hashing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Codec for date ({@link LocalDate}), timestamp ({@link LocalDateTime}) and timestamptz ({@link Instant}).
 *
 * <p>Wherever PostgreSQL would consult the session time zone (timestamptz input without an offset, conversions
 * between timestamp and timestamptz) this codec assumes UTC.
 */
final class TemporalCodec implements ValueCodec {

  static final TemporalCodec DATE = new TemporalCodec("date");
  static final TemporalCodec TIMESTAMP = new TemporalCodec("timestamp");
  static final TemporalCodec TIMESTAMPTZ = new TemporalCodec("timestamp with time zone");

  private final String sqlName;

  private TemporalCodec(String sqlName) {
    this.sqlName = sqlName;
  }

  @Override
  public Object coerce(Object value) {
    if (this == DATE) {
      return PgDateTimes.checkDate(toDate(value), value);
    }
    LocalDateTime utc = PgDateTimes.checkTimestamp(PgDateTimes.roundToMicros(toUtcDateTime(value)), value);
    return this == TIMESTAMP ? utc : utc.toInstant(ZoneOffset.UTC);
  }

  @Override
  public int hash(Object canonical) {
    if (this == DATE) {
      return PgHash.hashDate((LocalDate) canonical);
    }
    return this == TIMESTAMP ? PgHash.hashTimestamp((LocalDateTime) canonical)
        : PgHash.hashTimestamptz((Instant) canonical);
  }

  @SuppressWarnings("unchecked")
  @Override
  public int compare(Object a, Object b) {
    return ((Comparable<Object>) a).compareTo(b);
  }

  @Override
  public String toText(Object canonical) {
    if (this == DATE) {
      return PgDateTimes.formatDate((LocalDate) canonical);
    }
    return this == TIMESTAMP ? PgDateTimes.formatTimestamp((LocalDateTime) canonical)
        : PgDateTimes.formatTimestamptz((Instant) canonical);
  }

  private LocalDate toDate(Object value) {
    if (value instanceof LocalDate date) {
      return date;
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate();
    }
    if (value instanceof String text) {
      // date_in accepts a time of day and a zone and ignores both.
      return PgDateTimes.parse(text, sqlName).local().toLocalDate();
    }
    throw ValueCodec.unsupportedClass(sqlName, value);
  }

  /** Returns the wall-clock value for timestamp, or the UTC wall-clock value for timestamptz. */
  private LocalDateTime toUtcDateTime(Object value) {
    if (value instanceof LocalDateTime dateTime) {
      return dateTime;
    }
    if (value instanceof Instant instant) {
      return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
    if (value instanceof OffsetDateTime odt) {
      return LocalDateTime.ofInstant(odt.toInstant(), ZoneOffset.UTC);
    }
    if (value instanceof ZonedDateTime zdt) {
      return LocalDateTime.ofInstant(zdt.toInstant(), ZoneOffset.UTC);
    }
    if (value instanceof java.sql.Timestamp ts) {
      // pgjdbc sends a Timestamp in the JVM's zone: its wall clock for timestamp, its instant for timestamptz.
      return this == TIMESTAMP ? ts.toLocalDateTime() : LocalDateTime.ofInstant(ts.toInstant(), ZoneOffset.UTC);
    }
    if (value instanceof LocalDate date) {
      return date.atStartOfDay();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().atStartOfDay();
    }
    if (value instanceof String text) {
      return fromText(text);
    }
    throw ValueCodec.unsupportedClass(sqlName, value);
  }

  private LocalDateTime fromText(String text) {
    PgDateTimes.Parsed parsed = PgDateTimes.parse(text, sqlName);
    if (this == TIMESTAMP || parsed.offset() == null) {
      // timestamp_in silently ignores a zone; timestamptz_in without one uses the (assumed UTC) session zone.
      return parsed.local();
    }
    return LocalDateTime.ofInstant(parsed.local().toInstant(parsed.offset()), ZoneOffset.UTC);
  }
}
