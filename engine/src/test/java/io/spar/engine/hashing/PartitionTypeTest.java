package io.spar.engine.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Checks coercion, parsing, text output, ordering and error messages of {@link PartitionType}. */
class PartitionTypeTest {

  @Test
  void resolvesTypeNames() {
    assertEquals(Optional.of(PartitionType.INT8), PartitionType.forTypeName("int8"));
    assertEquals(Optional.of(PartitionType.TIMESTAMPTZ), PartitionType.forTypeName("timestamptz"));
    assertEquals(Optional.of(PartitionType.BPCHAR), PartitionType.forTypeName("bpchar"));
    assertEquals(Optional.of(PartitionType.INT4), PartitionType.forTypeName("integer"));
    for (String unhashable : new String[] {"json", "point", "xml", "jsonb_path"}) {
      assertEquals(Optional.empty(), PartitionType.forTypeName(unhashable));
    }
    for (PartitionType type : PartitionType.values()) {
      assertEquals(Optional.of(type), PartitionType.forTypeName(type.typeName()));
    }
  }

  @Test
  void coercesIntegersFromNumbersAndText() {
    assertEquals(42L, PartitionType.INT8.coerce(" 42 "));
    assertEquals(42L, PartitionType.INT8.coerce(42));
    assertEquals(42L, PartitionType.INT4.coerce(new BigDecimal("42.000")));
    assertEquals(42L, PartitionType.INT2.coerce(42.0d));
    assertEquals(-7L, PartitionType.INT8.coerce(BigInteger.valueOf(-7)));
    assertEquals(PgHash.hashInt8(1), PartitionType.INT8.hash(1L));
    assertEquals(-205084363, PartitionType.INT4.hash("123"));
  }

  @Test
  void rejectsBadIntegersWithPostgresMessages() {
    assertError("value \"99999\" is out of range for type smallint", () -> PartitionType.INT2.coerce("99999"));
    assertError("value \"99999\" is out of range for type smallint", () -> PartitionType.INT2.coerce(99999));
    assertError("value \"3000000000\" is out of range for type integer",
        () -> PartitionType.INT4.coerce(3_000_000_000L));
    assertError("value \"9223372036854775808\" is out of range for type bigint",
        () -> PartitionType.INT8.coerce("9223372036854775808"));
    assertError("invalid input syntax for type bigint: \"abc\"", () -> PartitionType.INT8.coerce("abc"));
    assertError("invalid input syntax for type integer: \"1.5\"", () -> PartitionType.INT4.coerce(1.5d));
  }

  @Test
  void coercesBooleansLikeBoolin() {
    for (String yes : new String[] {"t", "true", "TRUE", "yes", "y", "on", "1", " tr "}) {
      assertEquals(Boolean.TRUE, PartitionType.BOOL.coerce(yes), yes);
    }
    for (String no : new String[] {"f", "false", "no", "n", "off", "of", "0"}) {
      assertEquals(Boolean.FALSE, PartitionType.BOOL.coerce(no), no);
    }
    assertError("invalid input syntax for type boolean: \"o\"", () -> PartitionType.BOOL.coerce("o"));
    assertEquals("t", PartitionType.BOOL.toText(true));
  }

  @Test
  void coercesAndFormatsDates() {
    LocalDate date = LocalDate.of(2015, 1, 8);
    assertEquals(date, PartitionType.DATE.coerce("2015-01-08"));
    assertEquals(date, PartitionType.DATE.coerce(Date.valueOf(date)));
    assertEquals(LocalDate.of(-43, 3, 15), PartitionType.DATE.parseText("0044-03-15 BC"));
    assertEquals("0044-03-15 BC", PartitionType.DATE.toText(LocalDate.of(-43, 3, 15)));
    assertEquals("2015-01-08", PartitionType.DATE.toText(date));
    assertError("invalid input syntax for type date: \"x\"", () -> PartitionType.DATE.coerce("x"));
    assertError("date/time field value out of range: \"2015-02-30\"",
        () -> PartitionType.DATE.coerce("2015-02-30"));
  }

  @Test
  void coercesAndFormatsTimestamps() {
    LocalDateTime ts = LocalDateTime.of(2015, 1, 8, 10, 0);
    assertEquals(ts, PartitionType.TIMESTAMP.coerce("2015-01-08 10:00:00"));
    assertEquals(ts, PartitionType.TIMESTAMP.coerce("2015-01-08T10:00"));
    assertEquals(ts, PartitionType.TIMESTAMP.coerce("2015-01-08 10:00:00+05"));
    assertEquals(LocalDate.of(2015, 1, 8).atStartOfDay(), PartitionType.TIMESTAMP.coerce(LocalDate.of(2015, 1, 8)));
    assertEquals("2015-01-08 10:00:00", PartitionType.TIMESTAMP.toText(ts));
    assertEquals("2015-01-08 10:00:00.5", PartitionType.TIMESTAMP.toText(ts.plusNanos(500_000_000)));
    assertEquals(ts.plusNanos(1000), PartitionType.TIMESTAMP.coerce(ts.plusNanos(500)));
    assertError("invalid input syntax for type timestamp: \"x\"", () -> PartitionType.TIMESTAMP.coerce("x"));
  }

  @Test
  void coercesTimestamptzToUtcInstants() {
    Instant instant = Instant.parse("2015-01-08T05:00:00Z");
    assertEquals(instant, PartitionType.TIMESTAMPTZ.coerce("2015-01-08 10:00:00+05"));
    assertEquals(instant, PartitionType.TIMESTAMPTZ.coerce("2015-01-08 05:00:00"));
    assertEquals(instant, PartitionType.TIMESTAMPTZ.coerce(OffsetDateTime.of(2015, 1, 8, 7, 0, 0, 0,
        ZoneOffset.ofHours(2))));
    assertEquals("2015-01-08 05:00:00+00", PartitionType.TIMESTAMPTZ.toText(instant));
    assertEquals(PartitionType.TIMESTAMP.hash("2015-01-08 05:00:00"), PartitionType.TIMESTAMPTZ.hash(instant));
  }

  @Test
  void coercesTextTypes() {
    assertEquals("ab", PartitionType.BPCHAR.coerce("ab   "));
    assertEquals("ab   ", PartitionType.VARCHAR.coerce("ab   "));
    assertEquals(PgHash.hashText("é"), PartitionType.TEXT.hash("é"));
    assertError("invalid byte sequence for encoding \"UTF8\": 0x00", () -> PartitionType.TEXT.coerce("a\0"));
  }

  @Test
  void comparesTextByCodePointLikeTheCCollation() {
    // U+FF5E sorts before U+1F600 in UTF-8, but after its surrogate pair in UTF-16.
    assertTrue(PartitionType.TEXT.compare("\uff5e", "\ud83d\ude00") < 0);
    assertTrue(PartitionType.TEXT.compare("B", "a") < 0);
    assertTrue(PartitionType.TEXT.compare("ab", "abc") < 0);
    assertEquals(0, PartitionType.BPCHAR.compare("ab ", "ab"));
  }

  @Test
  void coercesUuids() {
    UUID uuid = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assertEquals(uuid, PartitionType.UUID.coerce("{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}"));
    assertEquals(uuid, PartitionType.UUID.coerce("a0eebc999c0b4ef8bb6d6bb9bd380a11"));
    assertError("invalid input syntax for type uuid: \"1-2-3-4-5\"", () -> PartitionType.UUID.coerce("1-2-3-4-5"));
    // memcmp order: 0x80... sorts after 0x7f..., unlike UUID.compareTo.
    assertTrue(PartitionType.UUID.compare(new UUID(Long.MIN_VALUE, 0), new UUID(Long.MAX_VALUE, 0)) > 0);
  }

  @Test
  void coercesNumerics() {
    assertEquals(new BigDecimal("0.10"), PartitionType.NUMERIC.coerce(" 0.10 "));
    assertEquals("1000", PartitionType.NUMERIC.toText(PartitionType.NUMERIC.coerce("1e3")));
    assertEquals(new BigDecimal("0.1"), PartitionType.NUMERIC.coerce(0.1d));
    assertEquals(PartitionType.NUMERIC.hash("0.1"), PartitionType.NUMERIC.hash("0.10"));
    assertEquals(0, PartitionType.NUMERIC.compare("0.1", new BigDecimal("0.100")));
    assertError("invalid input syntax for type numeric: \"abc\"", () -> PartitionType.NUMERIC.coerce("abc"));
    assertThrows(IllegalArgumentException.class, () -> PartitionType.NUMERIC.coerce("NaN"));
  }

  private static void assertError(String message, Runnable action) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
    assertEquals(message, e.getMessage());
  }
}
