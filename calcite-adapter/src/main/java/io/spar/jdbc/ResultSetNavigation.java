package io.spar.jdbc;

import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;

/**
 * Cursor, lifecycle and settings of a result set.
 *
 * <p>A {@code TYPE_SCROLL_INSENSITIVE} result set has its rows in memory; a
 * {@code TYPE_FORWARD_ONLY} one may read them as they stream from the shards
 * ({@link ResultRows}), and refuses backward moves, as the JDBC contract says.
 */
abstract class ResultSetNavigation extends ReadOnlyResultSet {
  private final ResultRows rows;
  private final Statement statement;
  private final int type;
  private final Runnable onClose;
  /** 0 is before the first row, 1..n a row, n + 1 after the last row. */
  private int cursor;
  private boolean closed;
  private int fetchSize;
  private int fetchDirection = FETCH_FORWARD;

  ResultSetNavigation(ResultRows rows, Statement statement, int type, int fetchSize,
      Runnable onClose) {
    this.rows = rows;
    this.statement = statement;
    this.type = type;
    this.fetchSize = fetchSize;
    this.onClose = onClose;
  }

  /** Throws unless the result set is open. */
  final void checkOpen() throws SQLException {
    if (closed) {
      throw new SQLException("This ResultSet is closed.", JdbcErrors.OBJECT_NOT_IN_STATE);
    }
  }

  /** Returns the row under the cursor, or throws if the cursor is not on a row. */
  final Object[] currentRow() throws SQLException {
    checkOpen();
    if (!onRow()) {
      throw new SQLException("ResultSet not positioned properly, perhaps you need to call next.",
          JdbcErrors.INVALID_CURSOR_STATE);
    }
    return rows.get(cursor);
  }

  private boolean onRow() throws SQLException {
    return cursor >= 1 && rows.exists(cursor);
  }

  private void checkScrollable() throws SQLException {
    checkOpen();
    if (type == TYPE_FORWARD_ONLY) {
      throw new SQLException("Operation requires a scrollable ResultSet, but this ResultSet is"
          + " FORWARD_ONLY.", JdbcErrors.INVALID_CURSOR_STATE);
    }
  }

  private boolean moveTo(int position) throws SQLException {
    cursor = position <= 0 ? 0 : rows.exists(position) ? position : rows.count() + 1;
    return onRow();
  }

  @Override
  public boolean next() throws SQLException {
    checkOpen();
    return moveTo(cursor + 1);
  }

  @Override
  public boolean previous() throws SQLException {
    checkScrollable();
    return moveTo(cursor - 1);
  }

  @Override
  public boolean absolute(int row) throws SQLException {
    checkScrollable();
    return moveTo(row >= 0 ? row : rows.count() + 1 + row);
  }

  @Override
  public boolean relative(int offset) throws SQLException {
    checkScrollable();
    return moveTo((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
        (long) cursor + offset)));
  }

  @Override
  public boolean first() throws SQLException {
    checkScrollable();
    return moveTo(1);
  }

  @Override
  public boolean last() throws SQLException {
    checkScrollable();
    return moveTo(rows.count());
  }

  @Override
  public void beforeFirst() throws SQLException {
    checkScrollable();
    cursor = 0;
  }

  @Override
  public void afterLast() throws SQLException {
    checkScrollable();
    cursor = rows.count() + 1;
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    checkOpen();
    return cursor == 0 && rows.exists(1);
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    checkOpen();
    return cursor > 0 && !onRow() && rows.exists(1);
  }

  @Override
  public boolean isFirst() throws SQLException {
    checkOpen();
    return cursor == 1 && onRow();
  }

  @Override
  public boolean isLast() throws SQLException {
    checkOpen();
    return onRow() && !rows.exists(cursor + 1);
  }

  @Override
  public int getRow() throws SQLException {
    checkOpen();
    return onRow() ? cursor : 0;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        rows.close();
      } finally {
        if (onClose != null) {
          onClose.run();
        }
      }
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public Statement getStatement() throws SQLException {
    checkOpen();
    return statement;
  }

  @Override
  public int getType() throws SQLException {
    checkOpen();
    return type;
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
    if (direction != FETCH_FORWARD && type == TYPE_FORWARD_ONLY) {
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

  @Override
  public String getCursorName() throws SQLException {
    throw JdbcErrors.unsupported("Named cursors (getCursorName)");
  }

  @Override
  public boolean rowUpdated() throws SQLException {
    checkOpen();
    return false;
  }

  @Override
  public boolean rowInserted() throws SQLException {
    checkOpen();
    return false;
  }

  @Override
  public boolean rowDeleted() throws SQLException {
    checkOpen();
    return false;
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    checkOpen();
    return null; // rows are in memory: nothing happens after the statement that could warn
  }

  @Override
  public void clearWarnings() throws SQLException {
    checkOpen();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return JdbcErrors.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
