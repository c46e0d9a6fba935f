package io.spar.engine.execution;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Query result: column descriptions and rows of JDBC objects, either in memory or streaming
 * from a {@link RowCursor}.
 *
 * <p>Most results are materialized so that node connections go back to their pool, or stay
 * with their transaction, as soon as a statement has run. A streaming result holds its
 * connections until its rows are read or it is closed; {@link #rows()} reads them all.
 */
public final class RowSet {
  private final List<ColumnInfo> columns;
  private List<Object[]> rows;
  private RowCursor cursor;

  /** Creates a row set; {@code rows} is taken over, not copied. */
  public RowSet(List<ColumnInfo> columns, List<Object[]> rows) {
    this.columns = List.copyOf(columns);
    this.rows = rows;
  }

  private RowSet(List<ColumnInfo> columns, RowCursor cursor) {
    this.columns = List.copyOf(columns);
    this.cursor = cursor;
  }

  /** Returns a row set whose rows stream from {@code cursor}. */
  public static RowSet streaming(List<ColumnInfo> columns, RowCursor cursor) {
    return new RowSet(columns, cursor);
  }

  /** Returns whether the rows have not been read yet and stream from a cursor. */
  public boolean isStreaming() {
    return cursor != null;
  }

  /**
   * Returns the cursor of a streaming row set, which the caller now owns and must close; the
   * row set itself has no rows afterwards.
   */
  public RowCursor takeCursor() {
    RowCursor taken = cursor;
    cursor = null;
    rows = List.of();
    return taken;
  }

  /** Reader of a whole result into a row set. */
  @FunctionalInterface
  public interface Reader {
    /** Reads every remaining row of {@code resultSet}. */
    RowSet read(ResultSet resultSet) throws SQLException;
  }

  /** Reads every remaining row of {@code resultSet} as JDBC objects. */
  public static RowSet read(ResultSet resultSet) throws SQLException {
    return read(resultSet, false);
  }

  /**
   * Reads every remaining row of {@code resultSet} with each value in PostgreSQL's text form
   * ({@code getString}), which the value's type reads back unchanged.
   */
  public static RowSet readText(ResultSet resultSet) throws SQLException {
    return read(resultSet, true);
  }

  private static RowSet read(ResultSet resultSet, boolean text) throws SQLException {
    ResultSetMetaData metaData = resultSet.getMetaData();
    int count = metaData.getColumnCount();
    List<ColumnInfo> columns = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      columns.add(ColumnInfo.of(metaData, i));
    }
    List<Object[]> rows = new ArrayList<>();
    while (resultSet.next()) {
      Object[] row = new Object[count];
      for (int i = 0; i < count; i++) {
        row[i] = text ? resultSet.getString(i + 1) : resultSet.getObject(i + 1);
      }
      rows.add(row);
    }
    return new RowSet(columns, rows);
  }

  /** Returns the column descriptions. */
  public List<ColumnInfo> columns() {
    return columns;
  }

  /**
   * Returns the rows; each array has one element per column. A streaming row set reads and
   * keeps all of its rows first.
   */
  public List<Object[]> rows() {
    if (cursor != null) {
      List<Object[]> read = new ArrayList<>();
      try (RowCursor source = cursor) {
        for (Object[] row = source.next(); row != null; row = source.next()) {
          read.add(row);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("reading a streaming result failed", e);
      } finally {
        cursor = null;
      }
      rows = read;
    }
    return rows;
  }
}
