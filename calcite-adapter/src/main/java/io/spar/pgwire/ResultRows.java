package io.spar.pgwire;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowCursor;
import io.spar.engine.execution.RowSet;
import io.spar.session.SparSession;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * The rows of one statement's result as the protocol sends them: described by a
 * RowDescription, then sent as DataRows in the formats the client asked for, all at once or a
 * portal's row limit at a time.
 */
final class ResultRows implements AutoCloseable {
  /** Rows sent between flushes of a large result. */
  private static final int FLUSH_ROWS = 256;

  private final List<ColumnInfo> columns;
  private final int[] typeOids;
  private final short[] formats;
  private final List<BackendMessages.Field> fields;
  private RowCursor cursor;
  private Iterator<Object[]> materialized;
  private long sent;
  private boolean done;
  /** A row read ahead to learn whether a limited portal has more. */
  private Object[] pending;

  /**
   * Prepares {@code rows} to be sent with {@code formatCodes} as Bind gives them: none (all
   * text), one for every column, or one per column.
   */
  ResultRows(RowSet rows, short[] formatCodes, TypeCatalog types, SparSession session)
      throws SQLException {
    this.columns = rows.columns();
    this.typeOids = new int[columns.size()];
    this.formats = new short[columns.size()];
    this.fields = new ArrayList<>();
    if (formatCodes.length > 1 && formatCodes.length != columns.size()) {
      throw new SQLException("bind message has " + formatCodes.length + " result formats but"
          + " query has " + columns.size() + " columns", "08P01");
    }
    for (int i = 0; i < columns.size(); i++) {
      ColumnInfo column = columns.get(i);
      TypeCatalog.Type type = types.type(column.typeName(), session);
      typeOids[i] = type.oid();
      formats[i] = formatCodes.length == 0 ? 0 : formatCodes.length == 1 ? formatCodes[0]
          : formatCodes[i];
      if (formats[i] != 0 && formats[i] != 1) {
        throw new SQLException("unsupported format code: " + formats[i], "22023");
      }
      if (formats[i] == 1 && !BinaryFormat.supports(type.oid())) {
        throw new SQLException("binary output of type " + column.typeName()
            + " is not supported by Spar", "0A000");
      }
      fields.add(new BackendMessages.Field(column.label(), 0, (short) 0, type.oid(),
          type.length(), -1, formats[i]));
    }
    if (rows.isStreaming()) {
      cursor = rows.takeCursor();
    } else {
      materialized = rows.rows().iterator();
    }
  }

  List<BackendMessages.Field> fields() {
    return fields;
  }

  /**
   * Sends up to {@code limit} rows (all if 0) and returns whether rows are left, as a portal
   * suspended by Execute's row limit leaves them.
   */
  boolean send(WireSession wire, long limit) throws SQLException {
    long count = 0;
    while (limit <= 0 || count < limit) {
      Object[] row = next();
      if (row == null) {
        done = true;
        close();
        return false;
      }
      byte[][] values = new byte[row.length][];
      for (int i = 0; i < row.length; i++) {
        values[i] = encode(row[i], i);
      }
      wire.messages().dataRow(values);
      sent++;
      count++;
      if (sent % FLUSH_ROWS == 0) {
        wire.flush();
      }
    }
    // Limited: whether more rows follow is known only by reading one ahead.
    Object[] peek = next();
    if (peek == null) {
      done = true;
      close();
      return false;
    }
    pending = peek;
    return true;
  }

  private Object[] next() throws SQLException {
    if (pending != null) {
      Object[] row = pending;
      pending = null;
      return row;
    }
    if (done) {
      return null;
    }
    if (cursor != null) {
      return cursor.next();
    }
    return materialized.hasNext() ? materialized.next() : null;
  }

  /** Returns how many rows were sent in all. */
  long sent() {
    return sent;
  }

  private byte[] encode(Object value, int column) throws SQLException {
    if (value == null) {
      return null;
    }
    String text = text(value);
    return formats[column] == 1 ? BinaryFormat.encode(typeOids[column], text)
        : text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns {@code value} in PostgreSQL's text form: the session reads values as text
   * ({@code ValueForm.TEXT}); values Spar computes itself (its SQL API's results) are numbers,
   * booleans and strings.
   */
  static String text(Object value) {
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof Boolean bool) {
      return bool ? "t" : "f";
    }
    if (value instanceof byte[] bytes) {
      return "\\x" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof java.math.BigDecimal decimal) {
      return decimal.toPlainString();
    }
    return value.toString();
  }

  @Override
  public void close() {
    if (cursor != null) {
      cursor.close();
      cursor = null;
    }
  }
}
