package io.spar.engine.execution;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How a session reads the values of result rows: as the JDBC objects pgjdbc's
 * {@code getObject} returns (the JDBC driver, which reads them as pgjdbc's getters would), or
 * as PostgreSQL's own text forms, which the PostgreSQL wire protocol sends on unchanged.
 *
 * <p>The text form is what the server printed, with the session's DateStyle, IntervalStyle
 * and TimeZone: node connections never use pgjdbc's binary transfer, whose values pgjdbc would
 * print in its own way.
 */
public enum ValueForm {
  /** pgjdbc's {@code getObject}. */
  OBJECTS,
  /** PostgreSQL's text form ({@code getString} of a text-format value). */
  TEXT;

  /** Returns the value of column {@code column} (1-based) of the current row. */
  public Object read(ResultSet resultSet, int column) throws SQLException {
    return this == TEXT ? resultSet.getString(column) : resultSet.getObject(column);
  }

  /** Returns the reader of whole results in this form. */
  public RowSet.Reader reader() {
    return this == TEXT ? RowSet::readText : RowSet::read;
  }
}
