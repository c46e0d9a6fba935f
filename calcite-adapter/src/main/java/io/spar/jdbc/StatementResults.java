package io.spar.jdbc;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowCursor;
import io.spar.engine.execution.RowSet;
import io.spar.outcome.StatementResult;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Result bookkeeping of one statement: the current result set or update count, the
 * {@code getMoreResults} state, generated keys, and the row limits that apply to results.
 *
 * <p>Kept apart from {@link SparStatement} so that the JDBC result semantics can be exercised
 * without a session.
 */
final class StatementResults {
  private static final RowSet NO_ROWS = new RowSet(List.of(), List.of());

  private final Maker maker;
  private final int resultSetType;
  private final Runnable onAllResultSetsClosed;
  private final List<SparResultSet> open = new ArrayList<>();
  private SparResultSet current;
  private long updateCount = -1;
  private RowSet generatedKeys;
  private List<ColumnInfo> lastColumns;
  private long maxRows;
  private int maxFieldSize;
  private int fetchSize;
  private boolean replacing;

  /** Maker of the result sets of a statement. */
  @FunctionalInterface
  interface Maker {
    /** Returns an executed result set over {@code rows}; {@code onClose} runs when it closes. */
    SparResultSet make(RowSet rows, int type, int fetchSize, Runnable onClose)
        throws SQLException;
  }

  /**
   * Creates the bookkeeping of a statement whose result sets {@code maker} makes;
   * {@code onAllResultSetsClosed} runs when the user closes the last open result set, for
   * {@code closeOnCompletion}.
   */
  StatementResults(Maker maker, int resultSetType, Runnable onAllResultSetsClosed) {
    this.maker = maker;
    this.resultSetType = resultSetType;
    this.onAllResultSetsClosed = onAllResultSetsClosed;
  }

  /** Creates the bookkeeping of result sets that belong to no statement, as tests use. */
  StatementResults(int resultSetType, Runnable onAllResultSetsClosed) {
    this(SparResultSet::create, resultSetType, onAllResultSetsClosed);
  }

  /**
   * Makes {@code result} the current result, closing the previous result set; returns whether
   * it is a result set. With {@code asGeneratedKeys}, returned rows are the generated keys of a
   * modification and the update count is their number unless the session reported one.
   */
  boolean accept(StatementResult result, boolean asGeneratedKeys) throws SQLException {
    clear();
    lastColumns = result.hasRows() && !asGeneratedKeys ? result.rows().columns() : null;
    if (result.hasRows() && asGeneratedKeys) {
      generatedKeys = result.rows();
      updateCount = result.updateCount() >= 0 ? result.updateCount()
          : result.rows().rows().size();
      return false;
    }
    if (result.hasRows()) {
      current = newResultSet(limit(result.rows()));
      return true;
    }
    // Utility statements report no count; JDBC and pgjdbc report 0 for them.
    updateCount = Math.max(0, result.updateCount());
    return false;
  }

  /** Closes the current result set and forgets the current result and generated keys. */
  void clear() {
    if (current != null) {
      replacing = true; // a new execution is no completion of the statement
      try {
        current.close();
      } finally {
        replacing = false;
      }
    }
    current = null;
    updateCount = -1;
    generatedKeys = null;
  }

  /** Closes every result set that is still open, as closing the statement must. */
  void closeAll() {
    replacing = true;
    try {
      new ArrayList<>(open).forEach(SparResultSet::close);
    } finally {
      replacing = false;
    }
    current = null;
    updateCount = -1;
  }

  /** Returns the current result set, or null if the current result is a count or none. */
  SparResultSet resultSet() {
    return current;
  }

  /** Returns the columns of the last result that was a result set, or null if it was not. */
  List<ColumnInfo> lastColumns() {
    return lastColumns;
  }

  /** Returns the current update count, or -1 if the current result is a result set or none. */
  long updateCount() {
    return updateCount;
  }

  /**
   * Moves past the current result as {@code getMoreResults(how)} does; a Spar statement has only
   * one result, so there never is a next one.
   */
  boolean moreResults(int how) {
    if (how == Statement.CLOSE_ALL_RESULTS) {
      closeAll();
    } else if (how == Statement.CLOSE_CURRENT_RESULT) {
      clear();
    }
    current = null;
    updateCount = -1;
    return false;
  }

  /** Returns the generated keys of the last execution, empty unless it returned some. */
  SparResultSet generatedKeys() throws SQLException {
    return maker.make(generatedKeys == null ? NO_ROWS : generatedKeys,
        ResultSet.TYPE_FORWARD_ONLY, 0, null);
  }

  long maxRows() {
    return maxRows;
  }

  void maxRows(long rows) {
    maxRows = rows;
  }

  int maxFieldSize() {
    return maxFieldSize;
  }

  void maxFieldSize(int bytes) {
    maxFieldSize = bytes;
  }

  int fetchSize() {
    return fetchSize;
  }

  void fetchSize(int rows) {
    fetchSize = rows;
  }

  private SparResultSet newResultSet(RowSet rows) throws SQLException {
    SparResultSet[] created = new SparResultSet[1];
    created[0] = maker.make(rows, resultSetType, fetchSize, () -> closed(created[0]));
    open.add(created[0]);
    return created[0];
  }

  private void closed(SparResultSet resultSet) {
    open.remove(resultSet);
    if (open.isEmpty() && !replacing && onAllResultSetsClosed != null) {
      onAllResultSetsClosed.run();
    }
  }

  /** Applies maxRows and maxFieldSize, which JDBC defines as silent truncation. */
  private RowSet limit(RowSet rows) {
    if (rows.isStreaming() && maxFieldSize == 0) {
      if (maxRows == 0) {
        return rows;
      }
      RowCursor source = rows.takeCursor();
      long[] returned = {0};
      return RowSet.streaming(rows.columns(), new RowCursor() {
        @Override
        public Object[] next() throws SQLException {
          if (returned[0] == maxRows) {
            source.close();
            return null;
          }
          returned[0]++;
          return source.next();
        }

        @Override
        public void close() {
          source.close();
        }
      });
    }
    List<Object[]> limited = rows.rows();
    if (maxRows > 0 && limited.size() > maxRows) {
      limited = new ArrayList<>(limited.subList(0, (int) maxRows));
    }
    if (maxFieldSize > 0) {
      List<Object[]> truncated = new ArrayList<>(limited.size());
      for (Object[] row : limited) {
        truncated.add(truncate(row));
      }
      limited = truncated;
    }
    return limited == rows.rows() ? rows : new RowSet(rows.columns(), limited);
  }

  private Object[] truncate(Object[] row) {
    Object[] copy = row.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] instanceof String text && text.length() > maxFieldSize) {
        copy[i] = text.substring(0, maxFieldSize);
      } else if (copy[i] instanceof byte[] bytes && bytes.length > maxFieldSize) {
        copy[i] = Arrays.copyOf(bytes, maxFieldSize);
      }
    }
    return copy;
  }
}
