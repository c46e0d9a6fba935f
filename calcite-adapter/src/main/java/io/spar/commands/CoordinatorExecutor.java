package io.spar.commands;

import io.spar.outcome.StatementResult;
import io.spar.outcome.SparErrors;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.execution.ValueForm;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.parser.SqlTokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;

/**
 * Runner of statements on the session's coordinator connection, exactly as written: queries
 * and modifications of local tables, session commands, and DDL on the shell tables.
 *
 * <p>User statements, and the expressions the coordinator evaluates for them, run inside the
 * session's transaction on the coordinator when a block is open, so that they commit with it
 * and see its snapshot. Spar's own catalog lookups run on the connection as it is.
 */
public final class CoordinatorExecutor {
  private static final Set<String> TRANSACTION_CONTROL = Set.of("begin", "start", "commit",
      "end", "rollback", "abort", "savepoint", "release");

  private final SessionConnections connections;
  private final StatementLog log;
  private final Supplier<DistributedTransaction> transaction;

  /**
   * Creates a runner over the session's coordinator connection, for statements that run in the
   * transaction {@code transaction} returns when they run.
   */
  public CoordinatorExecutor(SessionConnections connections, StatementLog log,
      Supplier<DistributedTransaction> transaction) {
    this.connections = connections;
    this.log = log;
    this.transaction = transaction;
  }

  /**
   * Runs the user's statement {@code sql} with {@code parameters} and returns its rows or
   * update count.
   */
  public StatementResult execute(String sql, List<Object> parameters) throws SQLException {
    return execute(sql, parameters, false);
  }

  /**
   * Runs the query {@code sql} as {@link #execute(String, List)} does; with
   * {@code leavesNoState}, the caller knows it calls no volatile function, so that it cannot
   * leave session state on the coordinator connection.
   */
  public StatementResult execute(String sql, List<Object> parameters, boolean leavesNoState)
      throws SQLException {
    if (sql.indexOf(';') >= 0 && controlsTransactions(SqlTokens.statementKeywords(sql))) {
      throw controlInString();
    }
    Connection connection = transaction.get().coordinatorForStatement(leavesNoState);
    StatementResult result = run(connection, sql, parameters, connections.valueForm());
    checkTransactionUntouched(connection);
    return result;
  }

  private static boolean controlsTransactions(List<String> keywords) {
    return keywords.size() > 1 && keywords.stream().anyMatch(TRANSACTION_CONTROL::contains);
  }

  /**
   * Evaluates a query for the running user statement (expressions that must be computed once,
   * arguments of Spar's functions) and returns its first row's values.
   */
  public Object[] firstRow(String sql, List<Object> parameters) throws SQLException {
    StatementResult result = run(transaction.get().coordinatorForStatement(), sql,
        parameters, ValueForm.OBJECTS);
    if (!result.hasRows() || result.rows().rows().isEmpty()) {
      throw new SQLException("query returned no rows: " + sql, "XX000");
    }
    return result.rows().rows().get(0);
  }

  /**
   * Returns the column labels PostgreSQL gives the user's query {@code sql}, which it parses and
   * analyzes without running it, in the session's transaction and with its search path.
   */
  public List<String> labels(String sql) throws SQLException {
    log.record(connections.coordinatorNode(), null, sql);
    try (PreparedStatement statement =
            transaction.get().coordinatorForStatement().prepareStatement(sql)) {
      ResultSetMetaData metaData = statement.getMetaData();
      List<String> labels = new ArrayList<>();
      for (int i = 1; metaData != null && i <= metaData.getColumnCount(); i++) {
        labels.add(metaData.getColumnLabel(i));
      }
      return labels;
    }
  }

  /**
   * Returns the result of the user's statement {@code sql} when it touches no row: the columns
   * PostgreSQL describes for its rows (it parses and analyzes the statement on the shells,
   * without running it), or else an update count of 0.
   */
  public StatementResult noRows(String sql) throws SQLException {
    log.record(connections.coordinatorNode(), null, sql);
    try (PreparedStatement statement =
            transaction.get().coordinatorForStatement().prepareStatement(sql)) {
      ResultSetMetaData metaData = statement.getMetaData();
      if (metaData == null || metaData.getColumnCount() == 0) {
        return StatementResult.ofCount(0);
      }
      List<ColumnInfo> columns = new ArrayList<>();
      for (int i = 1; i <= metaData.getColumnCount(); i++) {
        columns.add(ColumnInfo.of(metaData, i));
      }
      return StatementResult.ofRows(new RowSet(columns, List.of()));
    }
  }

  /**
   * Runs a query Spar needs for itself (a catalog lookup) on the coordinator connection as it
   * is, and returns its rows.
   */
  public RowSet query(String sql, List<Object> parameters) throws SQLException {
    return run(connections.coordinator(), sql, parameters, ValueForm.OBJECTS).rows();
  }

  /** Runs {@code sql}: the user's rows in the session's form, Spar's own as JDBC objects. */
  private StatementResult run(Connection connection, String sql, List<Object> parameters,
      ValueForm form)
      throws SQLException {
    log.record(connections.coordinatorNode(), null, sql);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      StatementResult result;
      if (statement.execute()) {
        try (ResultSet resultSet = statement.getResultSet()) {
          result = StatementResult.ofRows(form.reader().read(resultSet));
        }
      } else {
        result = StatementResult.ofCount(statement.getLargeUpdateCount());
      }
      // PostgreSQL's notices (DROP … IF EXISTS, RAISE NOTICE) reach the client as warnings,
      // each a new one, outside pgjdbc's chain, that keeps the server's fields (DETAIL, HINT,
      // …) for the PostgreSQL port to pass on.
      for (SQLWarning each = statement.getWarnings(); each != null;
          each = each.getNextWarning()) {
        ServerErrorMessage server = each instanceof PSQLWarning psql
            ? psql.getServerErrorMessage() : null;
        result = result.withWarning(server != null ? new PSQLWarning(server)
            : new SQLWarning(each.getMessage(), each.getSQLState(), each.getErrorCode()));
      }
      return result;
    }
  }

  /**
   * Refuses a statement that opened or ended a transaction on the coordinator behind the
   * session's back, which {@link #execute} could not see in its text: the coordinator's
   * transaction must begin and end with the session's, on every node.
   */
  private static void checkTransactionUntouched(Connection connection) throws SQLException {
    boolean expectOpen = !connection.getAutoCommit();
    boolean open = connection.unwrap(BaseConnection.class).getTransactionState()
        != TransactionState.IDLE;
    if (open == expectOpen) {
      return;
    }
    if (open) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("ROLLBACK");
      }
    }
    throw controlInString();
  }

  private static SQLException controlInString() {
    return SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "transaction control inside a"
        + " multi-statement string is not supported through Spar", null, "Send BEGIN, COMMIT,"
        + " ROLLBACK and savepoint commands as statements of their own.");
  }
}
