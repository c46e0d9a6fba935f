package io.spar.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Struct;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;
import org.apache.calcite.avatica.util.Cursor;
import org.joou.UByte;
import org.joou.UInteger;
import org.joou.ULong;
import org.joou.UShort;

/**
 * Accessor of one column of a {@link RowsCursor}: reads the values pgjdbc's {@code getObject}
 * returned as pgjdbc's getters would ({@link ValueConversions}, {@link TemporalConversions}):
 * booleans print as {@code t}/{@code f}, bytea as {@code \x…}, numerics keep their scale, and a
 * calendar places local date-times but never moves instants (timestamptz, timetz).
 */
final class PgAccessor implements Cursor.Accessor {
  private final RowsCursor cursor;
  private final int index;
  private final String typeName;
  private final boolean zoned;
  /** The calendar Avatica passes when the caller gave none, which means the default zone. */
  private final Calendar localCalendar;
  /** Prints timestamptz values in the session's TimeZone. */
  private final TimestamptzPrinter timestamptz;

  PgAccessor(RowsCursor cursor, int index, String typeName, Calendar localCalendar,
      TimestamptzPrinter timestamptz) {
    this.cursor = cursor;
    this.index = index;
    this.typeName = typeName;
    this.zoned = "timestamptz".equalsIgnoreCase(typeName)
        || "timetz".equalsIgnoreCase(typeName);
    this.localCalendar = localCalendar;
    this.timestamptz = timestamptz;
  }

  private Object value() throws SQLException {
    return cursor.value(index);
  }

  private Calendar given(Calendar calendar) {
    return calendar == localCalendar ? null : calendar;
  }

  @Override
  public boolean wasNull() {
    return cursor.wasNull();
  }

  @Override
  public String getString() throws SQLException {
    Object value = value();
    return value instanceof Timestamp timestamp && "timestamptz".equalsIgnoreCase(typeName)
        ? timestamptz.print(timestamp) : ValueConversions.toText(value);
  }

  @Override
  public String getNString() throws SQLException {
    return getString();
  }

  @Override
  public boolean getBoolean() throws SQLException {
    return ValueConversions.toBoolean(value());
  }

  @Override
  public byte getByte() throws SQLException {
    return (byte) ValueConversions.toIntegral(value(), "byte", Byte.MIN_VALUE, Byte.MAX_VALUE);
  }

  @Override
  public short getShort() throws SQLException {
    return (short) ValueConversions.toIntegral(value(), "short", Short.MIN_VALUE,
        Short.MAX_VALUE);
  }

  @Override
  public int getInt() throws SQLException {
    return (int) ValueConversions.toIntegral(value(), "int", Integer.MIN_VALUE,
        Integer.MAX_VALUE);
  }

  @Override
  public long getLong() throws SQLException {
    return ValueConversions.toIntegral(value(), "long", Long.MIN_VALUE, Long.MAX_VALUE);
  }

  @Override
  public UByte getUByte() throws SQLException {
    throw JdbcErrors.unsupported("Unsigned values");
  }

  @Override
  public UShort getUShort() throws SQLException {
    throw JdbcErrors.unsupported("Unsigned values");
  }

  @Override
  public UInteger getUInt() throws SQLException {
    throw JdbcErrors.unsupported("Unsigned values");
  }

  @Override
  public ULong getULong() throws SQLException {
    throw JdbcErrors.unsupported("Unsigned values");
  }

  @Override
  public float getFloat() throws SQLException {
    return (float) ValueConversions.toDouble(value(), "float");
  }

  @Override
  public double getDouble() throws SQLException {
    return ValueConversions.toDouble(value(), "double");
  }

  @Override
  public BigDecimal getBigDecimal() throws SQLException {
    return ValueConversions.toBigDecimal(value(), "BigDecimal");
  }

  @Override
  public BigDecimal getBigDecimal(int scale) throws SQLException {
    BigDecimal decimal = getBigDecimal();
    return decimal == null ? null : decimal.setScale(scale, RoundingMode.HALF_UP);
  }

  @Override
  public byte[] getBytes() throws SQLException {
    return ValueConversions.toBytes(value());
  }

  @Override
  public InputStream getAsciiStream() throws SQLException {
    String text = getString();
    return text == null ? null
        : new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** Returns the value's UTF-8 bytes, as pgjdbc does for this deprecated method. */
  @Override
  public InputStream getUnicodeStream() throws SQLException {
    String text = getString();
    return text == null ? null
        : new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public InputStream getBinaryStream() throws SQLException {
    byte[] bytes = getBytes();
    return bytes == null ? null : new ByteArrayInputStream(bytes);
  }

  /** Returns the value as pgjdbc's {@code getObject} returned it. */
  @Override
  public Object getObject() throws SQLException {
    return value();
  }

  @Override
  public Reader getCharacterStream() throws SQLException {
    String text = getString();
    return text == null ? null : new StringReader(text);
  }

  @Override
  public Reader getNCharacterStream() throws SQLException {
    return getCharacterStream();
  }

  @Override
  public Object getObject(Map<String, Class<?>> map) throws SQLException {
    if (map != null && !map.isEmpty()) {
      throw JdbcErrors.unsupported("Custom type maps (getObject with a Map)");
    }
    return getObject();
  }

  @Override
  public <T> T getObject(Class<T> type) throws SQLException {
    if (type == null) {
      throw JdbcErrors.invalidArgument("conversion target class must not be null");
    }
    return ValueConversions.toObject(value(), type, typeName, zoned);
  }

  @Override
  public Array getArray() throws SQLException {
    Object value = value();
    if (value == null || value instanceof Array) {
      return (Array) value;
    }
    throw ValueConversions.badValue("array", value, ValueConversions.INVALID_PARAMETER_TYPE);
  }

  @Override
  public Date getDate(Calendar calendar) throws SQLException {
    return TemporalConversions.toDate(value(), given(calendar), zoned);
  }

  @Override
  public Time getTime(Calendar calendar) throws SQLException {
    return TemporalConversions.toTime(value(), given(calendar), zoned);
  }

  @Override
  public Timestamp getTimestamp(Calendar calendar) throws SQLException {
    return TemporalConversions.toTimestamp(value(), given(calendar), zoned);
  }

  @Override
  public URL getURL() throws SQLException {
    String text = getString();
    try {
      return text == null ? null : URI.create(text).toURL();
    } catch (IllegalArgumentException | MalformedURLException e) {
      throw ValueConversions.badValue("URL", text, ValueConversions.INVALID_TEXT);
    }
  }

  @Override
  public Ref getRef() throws SQLException {
    throw JdbcErrors.unsupported("Ref");
  }

  @Override
  public Blob getBlob() throws SQLException {
    throw JdbcErrors.unsupported("Blob (use getBytes)");
  }

  @Override
  public Clob getClob() throws SQLException {
    throw JdbcErrors.unsupported("Clob (use getString)");
  }

  @Override
  public NClob getNClob() throws SQLException {
    throw JdbcErrors.unsupported("NClob (use getString)");
  }

  @Override
  public SQLXML getSQLXML() throws SQLException {
    throw JdbcErrors.unsupported("SQLXML (use getString)");
  }

  @Override
  public Struct getStruct() throws SQLException {
    throw JdbcErrors.unsupported("Struct");
  }
}
