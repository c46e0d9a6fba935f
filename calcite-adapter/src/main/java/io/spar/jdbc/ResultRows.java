package io.spar.jdbc;

import io.spar.engine.execution.RowCursor;
import io.spar.engine.execution.RowSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The rows under a result set's cursor: in memory, or streaming from a {@link RowCursor} for a
 * forward-only result set, which then holds only the current row and the one read ahead.
 * Positions are 1-based.
 */
final class ResultRows {
  private final List<Object[]> memory;
  private final RowCursor cursor;
  /** For streaming rows: how many have been read, the last one and the one before it. */
  private int read;
  private Object[] last;
  private Object[] previous;
  private boolean exhausted;

  private ResultRows(List<Object[]> memory, RowCursor cursor) {
    this.memory = memory;
    this.cursor = cursor;
  }

  /** Returns the rows of {@code rows}, streaming if they stream and {@code forwardOnly}. */
  static ResultRows of(RowSet rows, boolean forwardOnly) {
    return forwardOnly && rows.isStreaming() ? new ResultRows(null, rows.takeCursor())
        : new ResultRows(rows.rows(), null);
  }

  /** Returns whether a row exists at {@code position}, reading forward to it if needed. */
  boolean exists(int position) throws SQLException {
    if (position < 1) {
      return false;
    }
    if (memory != null) {
      return position <= memory.size();
    }
    while (read < position && !exhausted) {
      Object[] row = cursor.next();
      if (row == null) {
        exhausted = true;
      } else {
        previous = last;
        last = row;
        read++;
      }
    }
    return position <= read;
  }

  /**
   * Returns the row at {@code position}, which exists; streaming rows keep only the last two
   * read.
   */
  Object[] get(int position) {
    if (memory != null) {
      return memory.get(position - 1);
    }
    if (position == read) {
      return last;
    }
    if (position == read - 1) {
      return previous;
    }
    throw new IllegalStateException("row " + position + " of a forward-only result is gone");
  }

  /** Returns the number of rows, reading all of them if they stream. */
  int count() throws SQLException {
    if (memory != null) {
      return memory.size();
    }
    exists(Integer.MAX_VALUE);
    return read;
  }

  /** Releases the source of streaming rows. */
  void close() {
    if (cursor != null) {
      cursor.close();
    }
  }
}
