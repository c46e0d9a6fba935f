package io.spar.engine.execution;

import java.sql.SQLException;

/**
 * Rows read one at a time, holding whatever produces them (node connections, open portals)
 * until the last row is read or the cursor is closed.
 */
public interface RowCursor extends AutoCloseable {
  /** Returns the next row, or null after the last one, when the cursor has closed itself. */
  Object[] next() throws SQLException;

  /**
   * Releases what produces the rows; further calls of {@link #next()} return null. A
   * connection that cannot be released cleanly is discarded rather than reported.
   */
  @Override
  void close();
}
