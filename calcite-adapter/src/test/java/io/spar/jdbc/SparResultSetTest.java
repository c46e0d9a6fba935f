package io.spar.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PGobject;

class SparResultSetTest {

  private static ColumnInfo column(String label, int type, String typeName) {
    return new ColumnInfo(label, type, typeName, 0, 0, ResultSetMetaData.columnNullable,
        Object.class.getName());
  }

  private static SparResultSet single(ColumnInfo column, Object value) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {value});
    SparResultSet resultSet = SparResultSet.of(new RowSet(List.of(column), rows));
    assertTrue(resultSet.next());
    return resultSet;
  }

  private static SparResultSet single(Object value) throws SQLException {
    return single(column("v", Types.OTHER, "unknown"), value);
  }

  private static SparResultSet rows(int type, Object... values) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    Arrays.stream(values).forEach(v -> rows.add(new Object[] {v}));
    return SparResultSet.create(new RowSet(List.of(column("n", Types.INTEGER, "int4")), rows),
        type, 0, null);
  }

  @Test
  void getStringPrintsValuesAsPostgresDoes() throws SQLException {
    assertEquals("t", single(true).getString(1));
    assertEquals("f", single(false).getString(1));
    assertEquals("\\x00ff10", single(new byte[] {0, (byte) 0xff, 0x10}).getString(1));
    PGobject json = new PGobject();
    json.setType("json");
    json.setValue("{\"a\":1}");
    assertEquals("{\"a\":1}", single(json).getString(1));
    assertEquals("100", single(new BigDecimal("1E+2")).getString(1));
    assertEquals("2024-01-02 03:04:05",
        single(Timestamp.valueOf("2024-01-02 03:04:05")).getString(1));
    assertEquals("2024-01-02 03:04:05.5",
        single(Timestamp.valueOf("2024-01-02 03:04:05.5")).getString(1));
    assertEquals("42", single(42L).getString(1));
  }

  @Test
  void numericGettersConvertNumbersAndNumericText() throws SQLException {
    assertEquals(42, single(42L).getInt(1));
    assertEquals(42L, single("  42 ").getLong(1));
    assertEquals(1, single("1.9").getInt(1)); // truncated like pgjdbc
    assertEquals(-1, single(new BigDecimal("-1.9")).getInt(1));
    assertEquals(7, single(7.0).getShort(1));
    assertEquals(3, single((short) 3).getByte(1));
    assertEquals(1.5, single("1.5").getDouble(1));
    assertEquals(2.5f, single(new BigDecimal("2.5")).getFloat(1));
    assertEquals(new BigDecimal("12.50"), single("12.50").getBigDecimal(1));
    assertEquals(Double.NaN, single("NaN").getDouble(1));
    assertEquals(1, single(true).getInt(1));
  }

  @Test
  void badNumbersFailLikePgjdbc() throws SQLException {
    SQLException text = assertThrows(SQLException.class, () -> single("abc").getInt(1));
    assertEquals("Bad value for type int : abc", text.getMessage());
    assertEquals("22P02", text.getSQLState());
    SQLException range = assertThrows(SQLException.class, () -> single(3_000_000_000L).getInt(1));
    assertEquals("22003", range.getSQLState());
    assertThrows(SQLException.class, () -> single(300).getByte(1));
    assertThrows(SQLException.class, () -> single(Double.NaN).getLong(1));
    assertEquals("22P02", assertThrows(SQLException.class,
        () -> single("x").getBigDecimal(1)).getSQLState());
  }

  @Test
  void nullsReadAsDefaultsAndSetWasNull() throws SQLException {
    SparResultSet resultSet = single(null);
    assertEquals(0, resultSet.getInt(1));
    assertTrue(resultSet.wasNull());
    assertFalse(resultSet.getBoolean(1));
    assertNull(resultSet.getString(1));
    assertNull(resultSet.getBigDecimal(1));
    assertNull(resultSet.getTimestamp(1));
    assertNull(resultSet.getObject(1, Integer.class));
    assertNull(resultSet.getBytes(1));
    assertTrue(resultSet.wasNull());
    SparResultSet notNull = single(5);
    notNull.getInt(1);
    assertFalse(notNull.wasNull());
  }

  @Test
  void booleansAcceptPostgresSpellings() throws SQLException {
    for (Object yes : new Object[] {true, "t", "TRUE", " yes ", "on", "1", 1}) {
      assertTrue(single(yes).getBoolean(1), String.valueOf(yes));
    }
    for (Object no : new Object[] {false, "f", "false", "no", "off", "0", 0L}) {
      assertFalse(single(no).getBoolean(1), String.valueOf(no));
    }
    assertEquals("42846", assertThrows(SQLException.class,
        () -> single("maybe").getBoolean(1)).getSQLState());
    assertThrows(SQLException.class, () -> single(2).getBoolean(1));
  }

  @Test
  void datesAndTimesConvertBetweenJdbcAndJavaTime() throws SQLException {
    Timestamp timestamp = Timestamp.valueOf("2024-03-04 05:06:07.123456");
    SparResultSet resultSet = single(column("ts", Types.TIMESTAMP, "timestamp"), timestamp);
    assertEquals(timestamp, resultSet.getTimestamp(1));
    assertEquals(Date.valueOf("2024-03-04"), resultSet.getDate(1));
    assertEquals(Time.valueOf("05:06:07").toString(), resultSet.getTime(1).toString());
    assertEquals(LocalDateTime.of(2024, 3, 4, 5, 6, 7, 123_456_000),
        resultSet.getObject(1, LocalDateTime.class));
    assertEquals(LocalDate.of(2024, 3, 4), resultSet.getObject(1, LocalDate.class));
    assertEquals(OffsetDateTime.of(2024, 3, 4, 5, 6, 7, 123_456_000, ZoneOffset.UTC),
        resultSet.getObject(1, OffsetDateTime.class));
    SparResultSet date = single(Date.valueOf("2024-03-04"));
    assertEquals(Timestamp.valueOf("2024-03-04 00:00:00"), date.getTimestamp(1));
    assertEquals(LocalDate.of(2024, 3, 4), date.getObject(1, LocalDate.class));
    assertEquals(Date.valueOf("2024-03-04"), single(LocalDate.of(2024, 3, 4)).getDate(1));
    assertEquals(Timestamp.valueOf("2024-03-04 05:06:07"), single("2024-03-04 05:06:07")
        .getTimestamp(1));
    assertEquals(Instant.parse("2024-03-04T03:06:07Z"), single("2024-03-04 05:06:07+02")
        .getTimestamp(1).toInstant());
    assertEquals("22007", assertThrows(SQLException.class,
        () -> single("yesterday-ish").getTimestamp(1)).getSQLState());
  }

  @Test
  void calendarPlacesLocalTimestampsButNotInstants() throws SQLException {
    Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
    Timestamp local = Timestamp.valueOf("2024-01-02 03:04:05");
    SparResultSet plain = single(column("ts", Types.TIMESTAMP, "timestamp"), local);
    assertEquals(Instant.parse("2024-01-02T03:04:05Z"), plain.getTimestamp(1, utc).toInstant());
    assertEquals(Instant.parse("2024-01-02T00:00:00Z"),
        Instant.ofEpochMilli(plain.getDate(1, utc).getTime()));
    Timestamp instant = Timestamp.from(Instant.parse("2024-01-02T03:04:05Z"));
    SparResultSet zoned = single(column("tz", Types.TIMESTAMP, "timestamptz"), instant);
    Calendar tokyo = Calendar.getInstance(TimeZone.getTimeZone("Asia/Tokyo"));
    assertEquals(instant, zoned.getTimestamp(1, tokyo));
    assertEquals(OffsetDateTime.parse("2024-01-02T03:04:05Z"),
        zoned.getObject(1, OffsetDateTime.class));
  }

  @Test
  void getObjectWithClassCoversCommonTypes() throws SQLException {
    UUID uuid = UUID.randomUUID();
    assertEquals(uuid, single(uuid).getObject(1, UUID.class));
    assertEquals(uuid, single(uuid.toString()).getObject(1, UUID.class));
    assertEquals(5, single(5L).getObject(1, Integer.class));
    assertEquals(5L, single(5).getObject(1, Long.class));
    assertEquals("5", single(5).getObject(1, String.class));
    assertEquals(new BigDecimal("5"), single(5).getObject(1, BigDecimal.class));
    assertEquals(Boolean.TRUE, single("t").getObject(1, Boolean.class));
    assertEquals(2.5, single(new BigDecimal("2.5")).getObject(1, Double.class));
    assertEquals(List.of(1), single(List.of(1)).getObject(1, List.class));
    SQLException e = assertThrows(SQLException.class,
        () -> single(5).getObject(1, StringBuilder.class));
    assertEquals("07006", e.getSQLState());
  }

  @Test
  void bytesAndStreams() throws Exception {
    byte[] bytes = {1, 2, 3};
    SparResultSet resultSet = single(bytes);
    assertArrayEquals(bytes, resultSet.getBytes(1));
    assertArrayEquals(bytes, resultSet.getBinaryStream(1).readAllBytes());
    assertArrayEquals("abc".getBytes(), single("abc").getBytes(1));
    char[] chars = new char[3];
    assertEquals(3, single("abc").getCharacterStream(1).read(chars));
    assertEquals("abc", new String(chars));
  }

  @Test
  void labelsResolveCaseInsensitivelyToTheFirstMatch() throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {1, 2, 3});
    SparResultSet resultSet = SparResultSet.of(new RowSet(List.of(
        column("id", Types.INTEGER, "int4"), column("Name", Types.VARCHAR, "text"),
        column("ID", Types.INTEGER, "int4")), rows));
    assertTrue(resultSet.next());
    assertEquals(1, resultSet.findColumn("ID"));
    assertEquals(2, resultSet.findColumn("name"));
    assertEquals(1, resultSet.getInt("Id"));
    assertEquals("2", resultSet.getString("NAME"));
    SQLException e = assertThrows(SQLException.class, () -> resultSet.findColumn("missing"));
    assertEquals("The column name missing was not found in this ResultSet.", e.getMessage());
    assertEquals("42703", e.getSQLState());
    assertEquals("22023", assertThrows(SQLException.class,
        () -> resultSet.getInt(4)).getSQLState());
  }

  @Test
  void readingBeforeNextOrAfterCloseFails() throws SQLException {
    SparResultSet resultSet = rows(ResultSet.TYPE_FORWARD_ONLY, 1);
    SQLException before = assertThrows(SQLException.class, () -> resultSet.getInt(1));
    assertEquals("ResultSet not positioned properly, perhaps you need to call next.",
        before.getMessage());
    assertEquals("24000", before.getSQLState());
    assertTrue(resultSet.next());
    assertFalse(resultSet.next());
    assertEquals("24000", assertThrows(SQLException.class,
        () -> resultSet.getInt(1)).getSQLState());
    resultSet.close();
    resultSet.close();
    assertTrue(resultSet.isClosed());
    SQLException closed = assertThrows(SQLException.class, resultSet::next);
    assertEquals("This ResultSet is closed.", closed.getMessage());
    assertEquals("55000", closed.getSQLState());
  }

  @Test
  void forwardOnlyRefusesScrolling() throws SQLException {
    SparResultSet resultSet = rows(ResultSet.TYPE_FORWARD_ONLY, 1, 2);
    assertEquals(ResultSet.TYPE_FORWARD_ONLY, resultSet.getType());
    assertTrue(resultSet.isBeforeFirst());
    assertThrows(SQLException.class, resultSet::previous);
    assertThrows(SQLException.class, () -> resultSet.absolute(1));
    assertThrows(SQLException.class, resultSet::first);
    assertThrows(SQLException.class,
        () -> resultSet.setFetchDirection(ResultSet.FETCH_REVERSE));
    assertTrue(resultSet.next());
    assertTrue(resultSet.isFirst());
    assertTrue(resultSet.next());
    assertTrue(resultSet.isLast());
    assertEquals(2, resultSet.getRow());
    assertFalse(resultSet.next());
    assertTrue(resultSet.isAfterLast());
    assertEquals(0, resultSet.getRow());
  }

  @Test
  void scrollInsensitiveMovesFreely() throws SQLException {
    SparResultSet resultSet = rows(ResultSet.TYPE_SCROLL_INSENSITIVE, 10, 20, 30);
    assertTrue(resultSet.last());
    assertEquals(30, resultSet.getInt(1));
    assertEquals(3, resultSet.getRow());
    assertTrue(resultSet.absolute(-3));
    assertEquals(10, resultSet.getInt(1));
    assertTrue(resultSet.relative(1));
    assertEquals(20, resultSet.getInt(1));
    assertFalse(resultSet.relative(5));
    assertTrue(resultSet.isAfterLast());
    assertTrue(resultSet.previous());
    assertEquals(30, resultSet.getInt(1));
    assertFalse(resultSet.absolute(0));
    assertTrue(resultSet.isBeforeFirst());
    assertFalse(resultSet.absolute(-4));
    assertTrue(resultSet.isBeforeFirst());
    resultSet.afterLast();
    assertTrue(resultSet.isAfterLast());
    assertTrue(resultSet.first());
    assertEquals(1, resultSet.getRow());
    resultSet.beforeFirst();
    assertEquals(0, resultSet.getRow());
  }

  @Test
  void emptyResultIsNeitherBeforeFirstNorAfterLast() throws SQLException {
    SparResultSet resultSet = rows(ResultSet.TYPE_FORWARD_ONLY);
    assertFalse(resultSet.isBeforeFirst());
    assertFalse(resultSet.next());
    assertFalse(resultSet.isAfterLast());
  }

  @Test
  void updatesAreRefused() throws SQLException {
    SparResultSet resultSet = single(1);
    assertEquals(ResultSet.CONCUR_READ_ONLY, resultSet.getConcurrency());
    // Avatica's refusal: JDBC lets a read-only result set refuse updates as a feature.
    assertThrows(SQLFeatureNotSupportedException.class, () -> resultSet.updateInt(1, 2));
    assertThrows(SQLFeatureNotSupportedException.class, () -> resultSet.updateString("v", "x"));
    assertThrows(SQLFeatureNotSupportedException.class, resultSet::insertRow);
    assertFalse(resultSet.rowUpdated());
  }

  @Test
  void closeRunsTheCallbackOnce() throws SQLException {
    int[] calls = new int[1];
    SparResultSet resultSet = SparResultSet.create(new RowSet(List.of(), List.of()),
        ResultSet.TYPE_FORWARD_ONLY, 0, () -> calls[0]++);
    resultSet.close();
    resultSet.close();
    assertEquals(1, calls[0]);
  }

  @Test
  void metaDataDescribesColumns() throws SQLException {
    ResultSetMetaData metaData = SparResultSet.of(new RowSet(List.of(
        new ColumnInfo("id", Types.BIGINT, "int8", 19, 0, ResultSetMetaData.columnNoNulls,
            "java.lang.Long"),
        new ColumnInfo("name", Types.VARCHAR, "varchar", 20, 0,
            ResultSetMetaData.columnNullable, "java.lang.String")), List.of())).getMetaData();
    assertEquals(2, metaData.getColumnCount());
    assertEquals("id", metaData.getColumnName(1));
    assertEquals("name", metaData.getColumnLabel(2));
    assertEquals(Types.BIGINT, metaData.getColumnType(1));
    assertEquals("int8", metaData.getColumnTypeName(1));
    assertEquals("java.lang.Long", metaData.getColumnClassName(1));
    assertEquals(ResultSetMetaData.columnNoNulls, metaData.isNullable(1));
    assertTrue(metaData.isSigned(1));
    assertFalse(metaData.isSigned(2));
    assertTrue(metaData.isCaseSensitive(2));
    assertFalse(metaData.isCaseSensitive(1));
    assertEquals(20, metaData.getColumnDisplaySize(1));
    assertEquals(20, metaData.getColumnDisplaySize(2));
    assertEquals("", metaData.getTableName(1));
    assertFalse(metaData.isAutoIncrement(1));
    assertThrows(SQLException.class, () -> metaData.getColumnName(3));
  }
}
