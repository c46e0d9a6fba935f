package io.spar.jdbc;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.apache.calcite.avatica.AvaticaResultSet;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.QueryState;

/**
 * Avatica result set over the rows of a Spar result ({@link RowsCursor}), whose getters convert
 * values as pgjdbc's do ({@link PgAccessor}). A {@code TYPE_SCROLL_INSENSITIVE} result set has
 * its rows in memory and moves in every direction; a {@code TYPE_FORWARD_ONLY} one may read them
 * as they stream from the shards.
 */
public final class SparResultSet extends AvaticaResultSet {
  private final Rows rows;
  private RowsCursor cursor;
  private Map<String, Integer> columnsByLabel;
  private int fetchSize;
  private int fetchDirection = FETCH_FORWARD;
  private boolean closed;

  /**
   * The rows of a result as the first frame of a Spar result set carries them: a Spar statement
   * hands its result over whole, so frames never travel.
   */
  record Rows(RowSet rows, int type, int fetchSize, Runnable onClose) implements Iterable<Object> {
    @Override
    public Iterator<Object> iterator() {
      throw new UnsupportedOperationException("Spar's rows are read through their cursor");
    }
  }

  /** Creates the result set of {@code statement}; {@code firstFrame} carries its {@link Rows}. */
  SparResultSet(AvaticaStatement statement, QueryState state, Meta.Signature signature,
      ResultSetMetaData metaData, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    super(statement, state, signature, metaData, timeZone, firstFrame);
    this.rows = (Rows) firstFrame.rows;
    this.fetchSize = rows.fetchSize();
  }

  /** Returns a forward-only result set over {@code rows} that belongs to no statement. */
  public static SparResultSet of(RowSet rows) throws SQLException {
    return create(rows, TYPE_FORWARD_ONLY, 0, null);
  }

  /**
   * Returns an executed result set that belongs to no statement over {@code rows};
   * {@code onClose} (or null) runs once when it is closed.
   */
  static SparResultSet create(RowSet rows, int type, int fetchSize, Runnable onClose)
      throws SQLException {
    Meta.Signature signature = Columns.signature(null, rows.columns(), List.of());
    Meta.Frame frame = new Meta.Frame(0, true, new Rows(rows, type, fetchSize, onClose));
    return new SparResultSet(null, new QueryState(), signature,
        new SparResultSetMetaData(rows.columns()), TimeZone.getDefault(), frame).execute();
  }

  @Override
  protected SparResultSet execute() throws SQLException {
    cursor = new RowsCursor(ResultRows.of(rows.rows(), rows.type() == TYPE_FORWARD_ONLY),
        sessionPrinter());
    execute2(cursor, columnMetaDataList);
    return this;
  }

  /**
   * Returns the printer of timestamptz values in the session's TimeZone, which reads the
   * setting once, when first asked (as the coordinator last reported it): in a zone Java reads
   * as PostgreSQL does, here; in any other, by the coordinator itself. Rows that belong to no
   * session print as pgjdbc's values do.
   */
  private TimestamptzPrinter sessionPrinter() {
    AvaticaStatement owner = statement;
    return new TimestamptzPrinter() {
      private io.spar.session.SparSession session;
      private ZoneId zone;
      private boolean read;

      @Override
      public String print(Timestamp value) throws SQLException {
        if (!read) {
          if (owner != null && owner.getConnection() instanceof SparConnection connection) {
            session = connection.session();
            zone = TemporalConversions.zoneOf(session.timeZoneSetting());
          }
          read = true;
        }
        return zone != null ? TemporalConversions.timestamptzText(value, zone)
            : session != null ? session.timestamptzText(value) : ValueConversions.toText(value);
      }
    };
  }

  /** Returns the column descriptions of these rows. */
  List<ColumnInfo> columns() {
    return rows.rows().columns();
  }

  @Override
  protected void checkOpen() throws SQLException {
    if (closed) {
      throw new SQLException("This ResultSet is closed.", JdbcErrors.OBJECT_NOT_IN_STATE);
    }
  }

  /** Returns the value as pgjdbc's {@code getObject} returns it. */
  @Override
  public Object getObject(int columnIndex) throws SQLException {
    checkOpen();
    return accessorList.get(columnIndex - 1).getObject();
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    checkOpen();
    if (columnsByLabel == null) {
      Map<String, Integer> byLabel = new HashMap<>();
      List<ColumnInfo> columns = columns();
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

  private void checkScrollable() throws SQLException {
    checkOpen();
    if (rows.type() == TYPE_FORWARD_ONLY) {
      throw new SQLException("Operation requires a scrollable ResultSet, but this ResultSet is"
          + " FORWARD_ONLY.", JdbcErrors.INVALID_CURSOR_STATE);
    }
  }

  @Override
  public boolean next() throws SQLException {
    checkOpen();
    return cursor.next();
  }

  @Override
  public boolean previous() throws SQLException {
    checkScrollable();
    return cursor.moveTo(cursor.position() - 1);
  }

  @Override
  public boolean absolute(int row) throws SQLException {
    checkScrollable();
    return cursor.moveTo(row >= 0 ? row : cursor.count() + 1 + row);
  }

  @Override
  public boolean relative(int offset) throws SQLException {
    checkScrollable();
    return cursor.moveTo(cursor.position() + offset);
  }

  @Override
  public boolean first() throws SQLException {
    checkScrollable();
    return cursor.moveTo(1);
  }

  @Override
  public boolean last() throws SQLException {
    checkScrollable();
    return cursor.moveTo(cursor.count());
  }

  @Override
  public void beforeFirst() throws SQLException {
    checkScrollable();
    cursor.moveTo(0);
  }

  @Override
  public void afterLast() throws SQLException {
    checkScrollable();
    cursor.moveTo(cursor.count() + 1);
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    checkOpen();
    return cursor.position() == 0 && cursor.count() > 0;
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    checkOpen();
    return cursor.position() > 0 && !cursor.onRow() && cursor.count() > 0;
  }

  @Override
  public boolean isFirst() throws SQLException {
    checkOpen();
    return cursor.position() == 1 && cursor.onRow();
  }

  @Override
  public boolean isLast() throws SQLException {
    checkOpen();
    return cursor.onRow() && cursor.position() == cursor.count();
  }

  @Override
  public int getRow() throws SQLException {
    checkOpen();
    return cursor.onRow() ? cursor.position() : 0;
  }

  @Override
  public int getType() throws SQLException {
    checkOpen();
    return rows.type();
  }

  @Override
  public int getConcurrency() throws SQLException {
    checkOpen();
    return CONCUR_READ_ONLY;
  }

  /**
   * Returns HOLD_CURSORS_OVER_COMMIT: rows are in memory, or stream from connections outside
   * the session's transaction, and outlive any transaction.
   */
  @Override
  public int getHoldability() throws SQLException {
    checkOpen();
    return HOLD_CURSORS_OVER_COMMIT;
  }

  /** Stores the hint; rows are in memory or stream a fixed number at a time. */
  @Override
  public void setFetchSize(int rows) throws SQLException {
    checkOpen();
    if (rows < 0) {
      throw JdbcErrors.invalidArgument("Fetch size must be a value greater to or equal to 0.");
    }
    fetchSize = rows;
  }

  @Override
  public int getFetchSize() throws SQLException {
    checkOpen();
    return fetchSize;
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    checkOpen();
    if (direction != FETCH_FORWARD && direction != FETCH_REVERSE && direction != FETCH_UNKNOWN) {
      throw JdbcErrors.invalidArgument("Invalid fetch direction constant: " + direction + ".");
    }
    if (direction != FETCH_FORWARD && rows.type() == TYPE_FORWARD_ONLY) {
      throw new SQLException("Invalid fetch direction for a forward-only cursor: " + direction,
          JdbcErrors.INVALID_CURSOR_STATE);
    }
    fetchDirection = direction;
  }

  @Override
  public int getFetchDirection() throws SQLException {
    checkOpen();
    return fetchDirection;
  }

  /**
   * Releases the rows (and the connections a streaming result holds) and runs the close action
   * its statement gave; closing again does nothing.
   */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        if (cursor != null) {
          cursor.close();
        }
      } finally {
        if (rows.onClose() != null) {
          rows.onClose().run();
        }
      }
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }
}
