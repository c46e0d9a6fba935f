package io.spar.engine.hashing;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A PostgreSQL type a hash- or range-distributed table's partition column may have, with its canonical Java value,
 * its PostgreSQL hash function, its ordering and its text form.
 *
 * <p>Canonical Java values: {@link Long} for int2/int4/int8, {@link String} for text/varchar/bpchar (bpchar without
 * trailing spaces), {@link java.time.LocalDate} for date, {@link java.time.LocalDateTime} for timestamp,
 * {@link java.time.Instant} for timestamptz, {@link java.util.UUID}, {@link Boolean} and {@link java.math.BigDecimal}
 * for numeric.
 */
public enum PartitionType {
  /** smallint, hashed by {@code hashint2}. */
  INT2("int2", IntegerCodec.INT2),
  /** integer, hashed by {@code hashint4}. */
  INT4("int4", IntegerCodec.INT4),
  /** bigint, hashed by {@code hashint8}. */
  INT8("int8", IntegerCodec.INT8),
  /** text, hashed by {@code hashtext}. */
  TEXT("text", TextCodec.TEXT),
  /** character varying, hashed by {@code hashtext}. */
  VARCHAR("varchar", TextCodec.VARCHAR),
  /** character(n), hashed by {@code hashbpchar}. */
  BPCHAR("bpchar", TextCodec.BPCHAR),
  /** date, hashed by {@code hashint4} of the days since 2000-01-01. */
  DATE("date", TemporalCodec.DATE),
  /** timestamp without time zone, hashed by {@code timestamp_hash}. */
  TIMESTAMP("timestamp", TemporalCodec.TIMESTAMP),
  /** timestamp with time zone, hashed by {@code timestamp_hash}. */
  TIMESTAMPTZ("timestamptz", TemporalCodec.TIMESTAMPTZ),
  /** uuid, hashed by {@code uuid_hash}. */
  UUID("uuid", UuidCodec.INSTANCE),
  /** boolean, hashed by {@code hashchar}. */
  BOOL("bool", BoolCodec.INSTANCE),
  /** numeric, hashed by {@code hash_numeric}. */
  NUMERIC("numeric", NumericCodec.INSTANCE);

  /** SQL-standard spellings, so that names from information_schema or format_type also resolve. */
  private static final Map<String, PartitionType> ALIASES = Map.ofEntries(
      Map.entry("smallint", INT2), Map.entry("integer", INT4), Map.entry("int", INT4), Map.entry("bigint", INT8),
      Map.entry("character varying", VARCHAR), Map.entry("character", BPCHAR), Map.entry("char", BPCHAR),
      Map.entry("timestamp without time zone", TIMESTAMP), Map.entry("timestamp with time zone", TIMESTAMPTZ),
      Map.entry("boolean", BOOL), Map.entry("decimal", NUMERIC));

  private final String typeName;
  private final ValueCodec codec;

  PartitionType(String typeName, ValueCodec codec) {
    this.typeName = typeName;
    this.codec = codec;
  }

  /**
   * Finds the partition type for a {@code pg_type.typname} (or its SQL-standard spelling).
   *
   * @param pgTypeName e.g. {@code int8}, {@code text}, {@code timestamptz}
   * @return the type, or empty for types without a supported hash function (json, point, xml, ...)
   */
  public static Optional<PartitionType> forTypeName(String pgTypeName) {
    String name = pgTypeName.trim().toLowerCase(Locale.ROOT);
    for (PartitionType type : values()) {
      if (type.typeName.equals(name)) {
        return Optional.of(type);
      }
    }
    return Optional.ofNullable(ALIASES.get(name));
  }

  /**
   * Returns the {@code pg_type.typname} of this type.
   *
   * @return e.g. {@code int8}
   */
  public String typeName() {
    return typeName;
  }

  /**
   * Converts a value from JDBC or a SQL literal into this type's canonical Java value, as PostgreSQL's input
   * function or implicit cast would.
   *
   * @param value a Number, String, Boolean, UUID, java.sql or java.time value
   * @return the canonical value
   * @throws IllegalArgumentException with PostgreSQL's message text if the value is invalid or out of range
   */
  public Object coerce(Object value) {
    if (value == null) {
      throw new IllegalArgumentException("partition value of type " + typeName + " must not be NULL");
    }
    return codec.coerce(value);
  }

  /**
   * Computes the hash PostgreSQL's default hash opclass for this type returns.
   *
   * @param canonicalValue a canonical value (other accepted inputs are coerced first)
   * @return the signed int32 PostgreSQL prints
   */
  public int hash(Object canonicalValue) {
    return codec.hash(coerce(canonicalValue));
  }

  /**
   * Compares two canonical values in PostgreSQL's default btree order (byte-wise for text, as in the C collation).
   *
   * @param a the first canonical value
   * @param b the second canonical value
   * @return negative, zero or positive
   */
  public int compare(Object a, Object b) {
    return codec.compare(coerce(a), coerce(b));
  }

  /**
   * Parses PostgreSQL's text form of a value, e.g. a shard's min/max value.
   *
   * @param text e.g. {@code 2015-01-08}, {@code 42}
   * @return the canonical value
   * @throws IllegalArgumentException with PostgreSQL's message text if the text is invalid
   */
  public Object parseText(String text) {
    return coerce(text);
  }

  /**
   * Renders a canonical value in PostgreSQL's text output form (ISO DateStyle, UTC for timestamptz).
   *
   * @param canonicalValue a canonical value
   * @return e.g. {@code 2015-01-08 10:00:00}
   */
  public String toText(Object canonicalValue) {
    return codec.toText(coerce(canonicalValue));
  }
}
