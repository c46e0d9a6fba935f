package io.spar.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Calendar;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class ParameterConversionsTest {

  @Test
  void convertsToTheTargetSqlType() throws SQLException {
    assertEquals(42, ParameterConversions.convert("42", Types.INTEGER, -1));
    assertEquals(42L, ParameterConversions.convert(42, Types.BIGINT, -1));
    assertEquals((short) 7, ParameterConversions.convert(7L, Types.TINYINT, -1));
    assertEquals("12", ParameterConversions.convert(12, Types.VARCHAR, -1));
    assertEquals(true, ParameterConversions.convert("yes", Types.BOOLEAN, -1));
    assertEquals(1.5, ParameterConversions.convert("1.5", Types.DOUBLE, -1));
    assertEquals(1.5f, ParameterConversions.convert("1.5", Types.REAL, -1));
    assertEquals(new BigDecimal("1.24"),
        ParameterConversions.convert(new BigDecimal("1.235"), Types.NUMERIC, 2));
    assertEquals(Date.valueOf("2024-05-06"),
        ParameterConversions.convert(LocalDate.of(2024, 5, 6), Types.DATE, -1));
    assertEquals(Timestamp.valueOf("2024-05-06 07:08:09"),
        ParameterConversions.convert("2024-05-06 07:08:09", Types.TIMESTAMP, -1));
    assertArrayEquals("ab".getBytes(StandardCharsets.UTF_8),
        (byte[]) ParameterConversions.convert("ab", Types.VARBINARY, -1));
    assertNull(ParameterConversions.convert(null, Types.INTEGER, -1));
    assertEquals("{}", ParameterConversions.convert("{}", Types.OTHER, -1));
  }

  @Test
  void badConversionsFail() {
    assertEquals("22P02", assertThrows(SQLException.class,
        () -> ParameterConversions.convert("x", Types.INTEGER, -1)).getSQLState());
    assertThrows(SQLException.class, () -> ParameterConversions.convert(1, 12345, -1));
  }

  @Test
  void normalizesLegacyJavaTypes() {
    assertEquals("c", ParameterConversions.normalize('c'));
    assertEquals(new Timestamp(1000), ParameterConversions.normalize(new java.util.Date(1000)));
    Date date = Date.valueOf("2024-01-01");
    assertEquals(date, ParameterConversions.normalize(date));
  }

  @Test
  void calendarsGiveTheLocalFieldsInTheirZone() {
    Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
    Timestamp instant = Timestamp.from(Instant.parse("2024-01-02T03:04:05Z"));
    assertEquals(Timestamp.valueOf("2024-01-02 03:04:05"),
        ParameterConversions.withCalendar(instant, utc));
    Calendar tokyo = Calendar.getInstance(TimeZone.getTimeZone("Asia/Tokyo"));
    Date date = new Date(Instant.parse("2024-01-02T20:00:00Z").toEpochMilli());
    assertEquals(Date.valueOf("2024-01-03"), ParameterConversions.withCalendar(date, tokyo));
    assertNull(ParameterConversions.withCalendar((Timestamp) null, utc));
  }

  @Test
  void readsStreamsAndReaders() throws SQLException {
    byte[] bytes = {1, 2, 3, 4};
    assertArrayEquals(bytes, ParameterConversions.readBytes(new ByteArrayInputStream(bytes), -1));
    assertArrayEquals(new byte[] {1, 2},
        ParameterConversions.readBytes(new ByteArrayInputStream(bytes), 2));
    assertThrows(SQLException.class,
        () -> ParameterConversions.readBytes(new ByteArrayInputStream(bytes), 10));
    assertEquals("héllo", ParameterConversions.readText(new StringReader("héllo"), -1));
    assertEquals("hé", ParameterConversions.readText(new StringReader("héllo"), 2));
    assertThrows(SQLException.class,
        () -> ParameterConversions.readText(new StringReader("ab"), 3));
    assertEquals("abc", ParameterConversions.readText(new ByteArrayInputStream(
        "abc".getBytes(StandardCharsets.US_ASCII)), -1, StandardCharsets.US_ASCII));
    assertNull(ParameterConversions.readBytes(null, 3));
  }

  @Test
  void parameterMetaDataReportsVarcharInParameters() throws SQLException {
    ParameterMetaData metaData = new SparParameterMetaData(
        SqlScanner.countParameters("SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?"));
    assertEquals(2, metaData.getParameterCount());
    assertEquals(Types.VARCHAR, metaData.getParameterType(1));
    assertEquals(ParameterMetaData.parameterModeIn, metaData.getParameterMode(2));
    assertEquals(ParameterMetaData.parameterNullableUnknown, metaData.isNullable(1));
    assertThrows(SQLException.class, () -> metaData.getParameterType(3));
  }
}
