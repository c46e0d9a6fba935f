package io.spar.jdbc;

import io.spar.session.SparSession;
import java.sql.ParameterMetaData;
import java.sql.ResultSet;
import java.sql.BatchUpdateException;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Prepared statement of a Spar connection: the SQL with its bound parameter values, run through
 * the session on each execution.
 *
 * <p>Batches go to the session in one call ({@link #executeBatchParameters});
 * generated keys are not collected for batched executions.
 */
public final class SparPreparedStatement extends ParameterSetters {
  /** Marks a parameter that has no value yet, which differs from SQL NULL. */
  private static final Object UNSET = new Object();

  private final String sql;
  private final String keyColumns;
  private final Object[] parameters;
  /** What PostgreSQL describes for the statement; null until asked. */
  private Optional<SparSession.Description> description;
  private final List<List<Object>> batches = new ArrayList<>();

  SparPreparedStatement(SparConnection connection, String sql, int resultSetType,
      int resultSetHoldability, String keyColumns) {
    super(connection, resultSetType, resultSetHoldability);
    this.sql = sql;
    this.keyColumns = keyColumns;
    this.parameters = new Object[SqlScanner.countParameters(sql)];
    Arrays.fill(parameters, UNSET);
  }

  /** Returns the SQL this statement was prepared with. */
  public String sql() {
    return sql;
  }

  @Override
  void checkSqlAllowed() throws SQLException {
    throw new SQLException("Can't use query methods that take a query string on a"
        + " PreparedStatement.", "42809");
  }

  @Override
  void set(int index, Object value) throws SQLException {
    checkOpen();
    if (index < 1 || index > parameters.length) {
      throw JdbcErrors.invalidArgument("The column index is out of range: " + index
          + ", number of columns: " + parameters.length + ".");
    }
    parameters[index - 1] = value;
  }

  /** Returns a copy of the bound values, or throws if one was never set. */
  private List<Object> boundParameters() throws SQLException {
    for (int i = 0; i < parameters.length; i++) {
      if (parameters[i] == UNSET) {
        throw JdbcErrors.invalidArgument("No value specified for parameter " + (i + 1) + ".");
      }
    }
    // Arrays.asList, not List.of: parameters may be SQL NULL.
    return Collections.unmodifiableList(Arrays.asList(parameters.clone()));
  }

  @Override
  public void clearParameters() throws SQLException {
    checkOpen();
    Arrays.fill(parameters, UNSET);
  }

  @Override
  public boolean execute() throws SQLException {
    checkOpen();
    return run(sql, boundParameters(), keyColumns);
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    return queryResult(execute());
  }

  @Override
  public int executeUpdate() throws SQLException {
    return toIntCount(executeLargeUpdate());
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return updateResult(execute());
  }

  @Override
  public void addBatch() throws SQLException {
    checkOpen();
    batches.add(boundParameters());
  }

  @Override
  public void clearBatch() throws SQLException {
    checkOpen();
    batches.clear();
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    checkOpen();
    List<List<Object>> parameterSets = List.copyOf(batches);
    batches.clear();
    return executeBatchParameters(parameterSets);
  }

  /**
   * Runs the batch through the session, which sends a modification of a distributed table as
   * one JDBC batch per shard placement; the batch is atomic, so on failure no statement counts
   * as executed.
   */
  long[] executeBatchParameters(List<List<Object>> parameterSets) throws SQLException {
    try {
      return session().executeBatch(sql, parameterSets,
          getQueryTimeout());
    } catch (BatchUpdateException e) {
      throw e;
    } catch (SQLException e) {
      BatchUpdateException batch = new BatchUpdateException(e.getMessage(), e.getSQLState(),
          e.getErrorCode(), new long[0], e);
      // pgjdbc hands the failed entry's error over as the next exception.
      batch.setNextException(e);
      throw batch;
    }
  }

  /**
   * Returns the columns of the last result set this statement produced or, before it ran, the
   * columns PostgreSQL describes for it, as pgjdbc does; null if it returns no rows or cannot be
   * described.
   */
  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    checkOpen();
    if (results.lastColumns() != null) {
      return new SparResultSetMetaData(results.lastColumns());
    }
    return description().filter(d -> !d.columns().isEmpty())
        .map(d -> new SparResultSetMetaData(d.columns())).orElse(null);
  }

  /**
   * Returns the parameters' types as PostgreSQL infers them; VARCHAR where the statement cannot
   * be described.
   */
  @Override
  public ParameterMetaData getParameterMetaData() throws SQLException {
    checkOpen();
    return description().filter(d -> d.parameters().size() == parameters.length)
        .map(d -> new SparParameterMetaData(d.parameters()))
        .orElseGet(() -> new SparParameterMetaData(parameters.length));
  }

  private Optional<SparSession.Description> description() throws SQLException {
    if (description == null) {
      description = session().describe(sql);
    }
    return description;
  }

  @Override
  public String toString() {
    return sql;
  }
}
