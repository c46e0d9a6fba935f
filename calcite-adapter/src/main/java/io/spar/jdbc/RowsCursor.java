package io.spar.jdbc;

import java.sql.SQLException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.util.ArrayImpl;
import org.apache.calcite.avatica.util.Cursor;

/**
 * Avatica cursor over the rows of a Spar result, in memory or streaming ({@link ResultRows}),
 * whose accessors read values with pgjdbc's conversions ({@link PgAccessor}); it also moves
 * backwards and to absolute rows, for scrollable result sets.
 */
final class RowsCursor implements Cursor {
  private final ResultRows rows;
  private int width;
  /** 0 is before the first row, 1..n a row, n + 1 after the last row. */
  private int position;
  private boolean lastWasNull;

  private final TimestamptzPrinter timestamptz;

  /**
   * Creates the cursor of {@code rows}; {@code timestamptz} prints timestamptz values read as
   * text.
   */
  RowsCursor(ResultRows rows, TimestamptzPrinter timestamptz) {
    this.rows = rows;
    this.timestamptz = timestamptz;
  }

  /**
   * Returns an accessor per column; asked for a column that does not exist, the list returns
   * an accessor that fails as pgjdbc does, with 22023, rather than Avatica's error.
   */
  @Override
  public List<Accessor> createAccessors(List<ColumnMetaData> types, Calendar localCalendar,
      ArrayImpl.Factory factory) {
    width = types.size();
    List<Accessor> accessors = new ArrayList<>(types.size());
    for (int i = 0; i < types.size(); i++) {
      accessors.add(new PgAccessor(this, i, types.get(i).type.name, localCalendar, timestamptz));
    }
    return new AbstractList<>() {
      @Override
      public Accessor get(int index) {
        return index >= 0 && index < width ? accessors.get(index)
            : new PgAccessor(RowsCursor.this, index, null, localCalendar,
                timestamptz);
      }

      @Override
      public int size() {
        return width;
      }
    };
  }

  /** Returns the value of column {@code index} (0-based) of the row under the cursor. */
  Object value(int index) throws SQLException {
    if (!onRow()) {
      throw new SQLException("ResultSet not positioned properly, perhaps you need to call next.",
          JdbcErrors.INVALID_CURSOR_STATE);
    }
    if (index < 0 || index >= width) {
      throw JdbcErrors.invalidArgument("The column index is out of range: " + (index + 1)
          + ", number of columns: " + width + ".");
    }
    Object value = rows.get(position)[index];
    lastWasNull = value == null;
    return value;
  }

  @Override
  public boolean next() throws SQLException {
    return moveTo(position + 1);
  }

  /** Moves to row {@code target} (1-based; before the first or after the last if beyond). */
  boolean moveTo(int target) throws SQLException {
    position = target <= 0 ? 0 : rows.exists(target) ? target : rows.count() + 1;
    return onRow();
  }

  /** Returns whether the cursor is on a row. */
  boolean onRow() throws SQLException {
    return position >= 1 && rows.exists(position);
  }

  /** Returns the cursor's position: 0 before the first row, n + 1 after the last. */
  int position() {
    return position;
  }

  /** Returns the number of rows, reading all of them if they stream. */
  int count() throws SQLException {
    return rows.count();
  }

  @Override
  public boolean wasNull() {
    return lastWasNull;
  }

  @Override
  public void close() {
    rows.close();
  }
}
