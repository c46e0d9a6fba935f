package io.spar.jdbc;

import io.spar.session.SparSession;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.List;
import java.sql.Statement;

/**
 * Settings and hints of a Spar statement: row limits, fetch hints, timeout, result set type
 * and holdability.
 */
abstract class StatementSettings implements Statement {
  private SQLWarning warnings;
  /** Result bookkeeping, which also holds the row limits it applies. */
  final StatementResults results;
  private final int resultSetType;
  private final int resultSetHoldability;
  private boolean poolable;
  private boolean escapeProcessing = true;
  private int queryTimeout;
  private int fetchDirection = ResultSet.FETCH_FORWARD;

  StatementSettings(int resultSetType, int resultSetHoldability) {
    this.resultSetType = resultSetType;
    this.resultSetHoldability = resultSetHoldability;
    this.results = new StatementResults(this, resultSetType, this::allResultSetsClosed);
  }

  /** Throws unless the statement and its connection are open. */
  abstract void checkOpen() throws SQLException;

  /** Called when the user closed the last open result set of this statement. */
  abstract void allResultSetsClosed();

  @Override
  public int getMaxFieldSize() throws SQLException {
    checkOpen();
    return results.maxFieldSize();
  }

  /** Truncates longer string and bytea values of later results, as JDBC defines. */
  @Override
  public void setMaxFieldSize(int max) throws SQLException {
    checkOpen();
    if (max < 0) {
      throw JdbcErrors.invalidArgument("The maximum field size must be a value greater than or"
          + " equal to 0.");
    }
    results.maxFieldSize(max);
  }

  @Override
  public int getMaxRows() throws SQLException {
    return (int) Math.min(Integer.MAX_VALUE, getLargeMaxRows());
  }

  @Override
  public void setMaxRows(int max) throws SQLException {
    setLargeMaxRows(max);
  }

  @Override
  public long getLargeMaxRows() throws SQLException {
    checkOpen();
    return results.maxRows();
  }

  /** Drops rows beyond {@code max} from later results; Spar still reads them from the nodes. */
  @Override
  public void setLargeMaxRows(long max) throws SQLException {
    checkOpen();
    if (max < 0) {
      throw JdbcErrors.invalidArgument("Maximum number of rows must be a value grater than or"
          + " equal to 0.");
    }
    results.maxRows(max);
  }

  /** Stores the flag only: SQL is passed to Spar as written, without escape translation. */
  @Override
  public void setEscapeProcessing(boolean enable) throws SQLException {
    checkOpen();
    escapeProcessing = enable;
  }

  /** Returns the stored escape processing flag (see {@link #setEscapeProcessing}). */
  boolean escapeProcessing() {
    return escapeProcessing;
  }

  @Override
  public int getQueryTimeout() throws SQLException {
    checkOpen();
    return queryTimeout;
  }

  /**
   * Sets the timeout after which the statement is cancelled on every node it runs on, failing
   * with 57014 as pgjdbc's does; 0 for none.
   */
  @Override
  public void setQueryTimeout(int seconds) throws SQLException {
    checkOpen();
    if (seconds < 0) {
      throw JdbcErrors.invalidArgument("Query timeout must be a value greater than or equals"
          + " to 0.");
    }
    queryTimeout = seconds;
  }

  /**
   * Cancels the statement that runs now on this statement's connection, on every node it runs
   * on, as pgjdbc cancels the connection's running query: it fails with 57014, and the
   * connection stays usable.
   */
  @Override
  public void cancel() throws SQLException {
    checkOpen();
    session().cancel();
  }

  /** Returns the session of this statement's connection. */
  abstract SparSession session() throws SQLException;

  /** Returns the warnings of the last execution, chained, as pgjdbc reports server notices. */
  @Override
  public SQLWarning getWarnings() throws SQLException {
    checkOpen();
    return warnings;
  }

  @Override
  public void clearWarnings() throws SQLException {
    checkOpen();
    warnings = null;
  }

  /** Replaces the statement's warnings with {@code list}, chained, as a new execution does. */
  final void setWarnings(List<SQLWarning> list) {
    warnings = null;
    for (SQLWarning each : list) {
      if (warnings == null) {
        warnings = each;
      } else {
        warnings.setNextWarning(each);
      }
    }
  }

  @Override
  public void setCursorName(String name) throws SQLException {
    throw JdbcErrors.unsupported("Named cursors (setCursorName)");
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    checkOpen();
    if (direction != ResultSet.FETCH_FORWARD && direction != ResultSet.FETCH_REVERSE
        && direction != ResultSet.FETCH_UNKNOWN) {
      throw JdbcErrors.invalidArgument("Invalid fetch direction constant: " + direction + ".");
    }
    fetchDirection = direction;
  }

  @Override
  public int getFetchDirection() throws SQLException {
    checkOpen();
    return fetchDirection;
  }

  /** Stores the hint; results are materialized, so it does not change how rows are read. */
  @Override
  public void setFetchSize(int rows) throws SQLException {
    checkOpen();
    if (rows < 0) {
      throw JdbcErrors.invalidArgument("Fetch size must be a value greater to or equal to 0.");
    }
    results.fetchSize(rows);
  }

  @Override
  public int getFetchSize() throws SQLException {
    checkOpen();
    return results.fetchSize();
  }

  @Override
  public int getResultSetConcurrency() throws SQLException {
    checkOpen();
    return ResultSet.CONCUR_READ_ONLY;
  }

  @Override
  public int getResultSetType() throws SQLException {
    checkOpen();
    return resultSetType;
  }

  @Override
  public int getResultSetHoldability() throws SQLException {
    checkOpen();
    return resultSetHoldability;
  }

  @Override
  public void setPoolable(boolean poolable) throws SQLException {
    checkOpen();
    this.poolable = poolable;
  }

  @Override
  public boolean isPoolable() throws SQLException {
    checkOpen();
    return poolable;
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
