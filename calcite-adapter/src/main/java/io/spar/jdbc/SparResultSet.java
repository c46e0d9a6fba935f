package io.spar.jdbc;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
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
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Read-only result set over a {@link RowSet}, in memory or streaming, with pgjdbc's value
 * conversions.
 */
public final class SparResultSet extends ResultSetLabelAccess {
  private final List<ColumnInfo> columns;
  private Map<String, Integer> columnsByLabel;
  private boolean lastWasNull;

  /** Creates a forward-only result set over {@code rows} that belongs to no statement. */
  public SparResultSet(RowSet rows) {
    this(rows, null, TYPE_FORWARD_ONLY, 0, null);
  }

  /**
   * Creates a result set of {@code statement} (or null); {@code onClose} runs once when it is
   * closed.
   */
  SparResultSet(RowSet rows, Statement statement, int type, int fetchSize, Runnable onClose) {
    super(ResultRows.of(rows, type == TYPE_FORWARD_ONLY), statement, type, fetchSize, onClose);
    this.columns = rows.columns();
  }

  private Object value(int column) throws SQLException {
    Object[] row = currentRow();
    checkColumn(column);
    Object value = row[column - 1];
    lastWasNull = value == null;
    return value;
  }

  private void checkColumn(int column) throws SQLException {
    if (column < 1 || column > columns.size()) {
      throw JdbcErrors.invalidArgument("The column index is out of range: " + column
          + ", number of columns: " + columns.size() + ".");
    }
  }

  /** Returns whether the column holds points in time, so that a Calendar must not move them. */
  private boolean zoned(int column) {
    String typeName = columns.get(column - 1).typeName();
    return "timestamptz".equalsIgnoreCase(typeName) || "timetz".equalsIgnoreCase(typeName);
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    checkOpen();
    if (columnsByLabel == null) {
      Map<String, Integer> byLabel = new HashMap<>();
      for (int i = columns.size(); i >= 1; i--) {
        // Filled backwards so the first column with a label wins.
        byLabel.put(columns.get(i - 1).label().toLowerCase(Locale.ROOT), i);
      }
      columnsByLabel = byLabel;
    }
    Integer column = columnsByLabel.get(columnLabel.toLowerCase(Locale.ROOT));
    if (column == null) {
      throw new SQLException("The column name " + columnLabel
          + " was not found in this ResultSet.", "42703");
    }
    return column;
  }

  @Override
  public boolean wasNull() throws SQLException {
    checkOpen();
    return lastWasNull;
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    checkOpen();
    return new SparResultSetMetaData(columns);
  }

  @Override
  public String getString(int columnIndex) throws SQLException {
    return ValueConversions.toText(value(columnIndex));
  }

  @Override
  public String getNString(int columnIndex) throws SQLException {
    return getString(columnIndex);
  }

  @Override
  public boolean getBoolean(int columnIndex) throws SQLException {
    return ValueConversions.toBoolean(value(columnIndex));
  }

  @Override
  public byte getByte(int columnIndex) throws SQLException {
    return (byte) ValueConversions.toIntegral(value(columnIndex), "byte", Byte.MIN_VALUE,
        Byte.MAX_VALUE);
  }

  @Override
  public short getShort(int columnIndex) throws SQLException {
    return (short) ValueConversions.toIntegral(value(columnIndex), "short", Short.MIN_VALUE,
        Short.MAX_VALUE);
  }

  @Override
  public int getInt(int columnIndex) throws SQLException {
    return (int) ValueConversions.toIntegral(value(columnIndex), "int", Integer.MIN_VALUE,
        Integer.MAX_VALUE);
  }

  @Override
  public long getLong(int columnIndex) throws SQLException {
    return ValueConversions.toIntegral(value(columnIndex), "long", Long.MIN_VALUE,
        Long.MAX_VALUE);
  }

  @Override
  public float getFloat(int columnIndex) throws SQLException {
    return (float) ValueConversions.toDouble(value(columnIndex), "float");
  }

  @Override
  public double getDouble(int columnIndex) throws SQLException {
    return ValueConversions.toDouble(value(columnIndex), "double");
  }

  @Override
  public BigDecimal getBigDecimal(int columnIndex) throws SQLException {
    return ValueConversions.toBigDecimal(value(columnIndex), "BigDecimal");
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(int columnIndex, int scale) throws SQLException {
    BigDecimal decimal = getBigDecimal(columnIndex);
    return decimal == null ? null : decimal.setScale(scale, RoundingMode.HALF_UP);
  }

  @Override
  public byte[] getBytes(int columnIndex) throws SQLException {
    return ValueConversions.toBytes(value(columnIndex));
  }

  @Override
  public Date getDate(int columnIndex) throws SQLException {
    return getDate(columnIndex, null);
  }

  @Override
  public Date getDate(int columnIndex, Calendar calendar) throws SQLException {
    return TemporalConversions.toDate(value(columnIndex), calendar, zoned(columnIndex));
  }

  @Override
  public Time getTime(int columnIndex) throws SQLException {
    return getTime(columnIndex, null);
  }

  @Override
  public Time getTime(int columnIndex, Calendar calendar) throws SQLException {
    return TemporalConversions.toTime(value(columnIndex), calendar, zoned(columnIndex));
  }

  @Override
  public Timestamp getTimestamp(int columnIndex) throws SQLException {
    return getTimestamp(columnIndex, null);
  }

  @Override
  public Timestamp getTimestamp(int columnIndex, Calendar calendar) throws SQLException {
    return TemporalConversions.toTimestamp(value(columnIndex), calendar, zoned(columnIndex));
  }

  @Override
  public Object getObject(int columnIndex) throws SQLException {
    return value(columnIndex);
  }

  @Override
  public Object getObject(int columnIndex, Map<String, Class<?>> map) throws SQLException {
    if (map != null && !map.isEmpty()) {
      throw JdbcErrors.unsupported("Custom type maps (getObject with a Map)");
    }
    return getObject(columnIndex);
  }

  @Override
  public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
    if (type == null) {
      throw JdbcErrors.invalidArgument("conversion target class must not be null");
    }
    Object value = value(columnIndex);
    return ValueConversions.toObject(value, type, columns.get(columnIndex - 1).typeName(),
        zoned(columnIndex));
  }

  @Override
  public InputStream getAsciiStream(int columnIndex) throws SQLException {
    String text = getString(columnIndex);
    return text == null ? null
        : new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** Returns the value's UTF-8 bytes, as pgjdbc does for this deprecated method. */
  @Deprecated
  @Override
  public InputStream getUnicodeStream(int columnIndex) throws SQLException {
    String text = getString(columnIndex);
    return text == null ? null
        : new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public InputStream getBinaryStream(int columnIndex) throws SQLException {
    byte[] bytes = getBytes(columnIndex);
    return bytes == null ? null : new ByteArrayInputStream(bytes);
  }

  @Override
  public Reader getCharacterStream(int columnIndex) throws SQLException {
    String text = getString(columnIndex);
    return text == null ? null : new StringReader(text);
  }

  @Override
  public Reader getNCharacterStream(int columnIndex) throws SQLException {
    return getCharacterStream(columnIndex);
  }

  @Override
  public Array getArray(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    if (value == null || value instanceof Array) {
      return (Array) value;
    }
    throw ValueConversions.badValue("array", value, ValueConversions.INVALID_PARAMETER_TYPE);
  }

  @Override
  public URL getURL(int columnIndex) throws SQLException {
    String text = getString(columnIndex);
    try {
      return text == null ? null : URI.create(text).toURL();
    } catch (IllegalArgumentException | MalformedURLException e) {
      throw ValueConversions.badValue("URL", text, ValueConversions.INVALID_TEXT);
    }
  }

  @Override
  public Blob getBlob(int columnIndex) throws SQLException {
    throw JdbcErrors.unsupported("Blob (use getBytes)");
  }

  @Override
  public Clob getClob(int columnIndex) throws SQLException {
    throw JdbcErrors.unsupported("Clob (use getString)");
  }

  @Override
  public NClob getNClob(int columnIndex) throws SQLException {
    throw JdbcErrors.unsupported("NClob (use getString)");
  }

  @Override
  public Ref getRef(int columnIndex) throws SQLException {
    throw JdbcErrors.unsupported("Ref");
  }

  @Override
  public RowId getRowId(int columnIndex) throws SQLException {
    throw JdbcErrors.unsupported("RowId");
  }

  @Override
  public SQLXML getSQLXML(int columnIndex) throws SQLException {
    throw JdbcErrors.unsupported("SQLXML (use getString)");
  }
}
