package io.spar.engine.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Checks {@link PgHash} against values printed by a PostgreSQL 15 server on x86-64. */
class PgHashTest {

  @Test
  void hashesIntegersLikePostgres() {
    assertEquals(-205084363, PgHash.hashInt4(123));
    assertEquals(-1905060026, PgHash.hashInt8(1));
    assertEquals(1134484726, PgHash.hashInt8(2));
    assertEquals(-28094569, PgHash.hashInt8(3));
    assertEquals(954517114, PgHash.hashInt8(-5_000_000_000L));
    assertEquals(385747274, PgHash.hashInt2((short) -1));
  }

  @Test
  void foldsInt8SoThatInt4RangeValuesHashLikeInt4() {
    for (int v : new int[] {0, 1, -1, 123, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      assertEquals(PgHash.hashInt4(v), PgHash.hashInt8(v));
      assertEquals(PgHash.hashInt4(v), PgHash.hashUint32(v));
    }
  }

  @Test
  void hashesTextBytesOfEveryTailLength() {
    assertEquals(-1477818771, PgHash.hashText(""));
    assertEquals(689552124, PgHash.hashText("hello world, this is longer"));
    assertEquals(710316786, PgHash.hashText("Grüße 日本 🎉"));
    byte[] utf8 = "Grüße 日本 🎉".getBytes(StandardCharsets.UTF_8);
    byte[] padded = new byte[utf8.length + 3];
    System.arraycopy(utf8, 0, padded, 3, utf8.length);
    assertEquals(710316786, PgHash.hashBytes(padded, 3, utf8.length));
  }

  @Test
  void ignoresTrailingSpacesOfBpcharOnly() {
    assertEquals(1718550461, PgHash.hashBpchar("ab  "));
    assertEquals(1718550461, PgHash.hashBpchar("ab"));
    assertEquals(PgHash.hashText(" ab"), PgHash.hashBpchar(" ab "));
  }

  @Test
  void hashesBoolAsChar() {
    assertEquals(-1905060026, PgHash.hashBool(true));
    assertEquals(-272711505, PgHash.hashBool(false));
  }

  @Test
  void hashesDatesAndTimestampsByTheirPostgresEpochValue() {
    assertEquals(-1115794954, PgHash.hashDate(LocalDate.of(2015, 1, 8)));
    assertEquals(PgHash.hashInt4(0), PgHash.hashDate(LocalDate.of(2000, 1, 1)));
    LocalDateTime ts = LocalDateTime.of(2015, 1, 8, 10, 0, 0, 123_456_000);
    assertEquals(1285884577, PgHash.hashTimestamp(ts));
    assertEquals(1285884577, PgHash.hashTimestamptz(ts.toInstant(ZoneOffset.UTC)));
    assertEquals(1285884577, PgHash.hashTimestamp(ts.plusNanos(499)));
  }

  @Test
  void hashesUuidBytes() {
    assertEquals(1154666245, PgHash.hashUuid(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")));
  }

  @Test
  void hashesNumericIndependentOfScaleAndSign() {
    assertEquals(1951971037, PgHash.hashNumeric(new BigDecimal("0.1")));
    assertEquals(1951971037, PgHash.hashNumeric(new BigDecimal("0.10")));
    assertEquals(1951971037, PgHash.hashNumeric(new BigDecimal("-0.1000")));
    assertEquals(-2041232919, PgHash.hashNumeric(new BigDecimal("-12345.6789")));
    assertEquals(-1, PgHash.hashNumeric(new BigDecimal("0.000")));
    assertEquals(1324868433, PgHash.hashNumeric(new BigDecimal("1E+100")));
    assertEquals(-1324868433, PgHash.hashNumeric(new BigDecimal("1E-100")));
  }
}
