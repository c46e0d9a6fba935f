package io.spar.engine.execution;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Materialized query result: column descriptions and rows of JDBC objects.
 *
 * <p>Results are materialized so that worker connections go back to their pool, or stay with
 * their transaction, as soon as a statement has run; pgjdbc buffers whole results anyway.
 */
public final class RowSet {
  private final List<ColumnInfo> columns;
  private final List<Object[]> rows;

  /** Creates a row set; {@code rows} is taken over, not copied. */
  public RowSet(List<ColumnInfo> columns, List<Object[]> rows) {
    this.columns = List.copyOf(columns);
    this.rows = rows;
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

  /** Returns the rows; each array has one element per column. */
  public List<Object[]> rows() {
    return rows;
  }
}
