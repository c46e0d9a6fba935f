package io.spar.jdbc;

import io.spar.engine.execution.RowSet;
import io.spar.outcome.StatementResult;
import io.spar.session.SparSession;
import java.sql.BatchUpdateException;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.ConnectionPropertiesImpl;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.proto.Common;
import org.apache.calcite.avatica.proto.Requests;
import org.apache.calcite.avatica.remote.ProtobufMeta;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * Avatica's {@link Meta} over Spar sessions: every Avatica connection id has a
 * {@link SparSession} of its own, so each remote client has its own session and transaction
 * state, and statements, transactions and connection properties go straight to that session,
 * with no JDBC driver in between.
 *
 * <p>Results travel in frames of Avatica's wire form ({@link WireRows}); a result that streams
 * from the shards is read frame by frame as the client fetches. Prepared statements describe
 * their result columns and parameter types with PostgreSQL's Describe on the coordinator.
 * Failures are thrown as runtime exceptions whose cause is the session's SQLException, with
 * PostgreSQL's SQLState, for the server to report.
 */
public final class SparMeta extends MetaImpl implements ProtobufMeta {
  /** Opens the session of a new connection. */
  @FunctionalInterface
  public interface SessionOpener {
    /** Returns a new session. */
    SparSession open() throws SQLException;
  }

  private static final int DEFAULT_FETCH = 100;

  private final SessionOpener opener;
  private final long idleNanos;
  /** Whether prepare describes statements, which costs a round trip to the coordinator. */
  private final boolean describeOnPrepare;
  private final ConcurrentMap<String, Client> clients = new ConcurrentHashMap<>();
  /** Parameters arrive in the server's zone, as Avatica's JdbcMeta reads them. */
  private final ThreadLocal<Calendar> calendar =
      ThreadLocal.withInitial(() -> Calendar.getInstance(Locale.ROOT));

  /**
   * Creates the Meta.
   *
   * @param opener opens the session of each new connection
   * @param idleTimeout how long an unused connection or statement is kept
   */
  public SparMeta(SessionOpener opener, Duration idleTimeout) {
    this(opener, idleTimeout, true);
  }

  private SparMeta(SessionOpener opener, Duration idleTimeout, boolean describeOnPrepare) {
    super(null);
    this.opener = opener;
    this.idleNanos = idleTimeout.toNanos();
    this.describeOnPrepare = describeOnPrepare;
  }

  /**
   * Returns a Meta for an embedded connection, which brings its session itself
   * ({@link #attach}) and describes its statements only when asked; it never closes it for
   * being idle.
   */
  static SparMeta embedded() {
    return new SparMeta(() -> {
      throw JdbcErrors.unsupported("Opening a connection through the embedded Meta");
    }, Duration.ofNanos(Long.MAX_VALUE), false);
  }

  /** Serves connection {@code ch} with {@code session}, which the Meta then owns. */
  void attach(ConnectionHandle ch, SparSession session) {
    clients.put(ch.id, new Client(session));
  }

  /**
   * Returns a Meta whose connections each open a session on the engine {@code sparUrl} names,
   * with the {@code backend} properties (the coordinator's user and password).
   */
  public static SparMeta forUrl(String sparUrl, Properties backend, Duration idleTimeout)
      throws SQLException {
    SparUrl url = SparUrl.parse(sparUrl, backend);
    return new SparMeta(() -> Driver.openSession(url), idleTimeout);
  }

  /** What one Avatica connection has: its session, read-only flag and statements. */
  private static final class Client {
    final SparSession session;
    final ConcurrentMap<Integer, Statement> statements = new ConcurrentHashMap<>();
    final AtomicInteger nextStatement = new AtomicInteger();
    volatile boolean readOnly;
    volatile long lastUsed = System.nanoTime();

    Client(SparSession session) {
      this.session = session;
    }
  }

  /** A statement: its prepared text, if any, and the rows of its result not yet fetched. */
  private static final class Statement {
    final String sql;
    SparResultSet rows;
    List<ColumnMetaData> columns;
    long offset;
    long remaining;
    volatile long lastUsed = System.nanoTime();

    Statement(String sql) {
      this.sql = sql;
    }

    synchronized void closeRows() {
      if (rows != null) {
        rows.close();
        rows = null;
      }
    }
  }

  private Client client(String connectionId) {
    Client client = clients.get(connectionId);
    if (client == null) {
      throw new NoSuchConnectionException(connectionId);
    }
    client.lastUsed = System.nanoTime();
    return client;
  }

  private Statement statement(StatementHandle h) throws NoSuchStatementException {
    Statement statement = client(h.connectionId).statements.get(h.id);
    if (statement == null) {
      throw new NoSuchStatementException(h);
    }
    statement.lastUsed = System.nanoTime();
    return statement;
  }

  /** Returns the exception that carries {@code e} out of a Meta method. */
  private static RuntimeException failure(SQLException e) {
    return new RuntimeException(e.getMessage(), e);
  }

  @Override
  public void openConnection(ConnectionHandle ch, Map<String, String> info) {
    try {
      // What the client sends in info is ignored: it must not choose the server's credentials.
      clients.put(ch.id, new Client(opener.open()));
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Closes the connection's statements and its session, ending any open transaction. */
  @Override
  public void closeConnection(ConnectionHandle ch) {
    Client client = clients.remove(ch.id);
    if (client != null) {
      close(client);
    }
  }

  private static void close(Client client) {
    client.statements.values().forEach(Statement::closeRows);
    client.statements.clear();
    client.session.close();
  }

  /**
   * Applies the properties the client changed, each with pgjdbc's rules, and returns the
   * session's; a property equal to the session's is not applied again, because Avatica's
   * clients send every property they cache on each sync.
   */
  @Override
  public ConnectionProperties connectionSync(ConnectionHandle ch,
      ConnectionProperties properties) {
    Client client = client(ch.id);
    SparSession session = client.session;
    try {
      if (properties.isAutoCommit() != null
          && properties.isAutoCommit() != session.getAutoCommit()) {
        session.setAutoCommit(properties.isAutoCommit());
      }
      if (properties.isReadOnly() != null && properties.isReadOnly() != client.readOnly) {
        SessionProperties.setReadOnly(session, properties.isReadOnly());
        client.readOnly = properties.isReadOnly();
      }
      if (properties.getTransactionIsolation() != null) {
        SessionProperties.setIsolation(session, properties.getTransactionIsolation());
      }
      if (properties.getSchema() != null) {
        SessionProperties.setSchema(session, properties.getSchema());
      }
      String[] names = session.lookup(
          coordinator -> new String[] {coordinator.getCatalog(), coordinator.getSchema()});
      ConnectionPropertiesImpl current = new ConnectionPropertiesImpl(session.getAutoCommit(),
          client.readOnly, SessionProperties.isolation(session), names[0], names[1]);
      current.setDirty(false);
      return current;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public StatementHandle createStatement(ConnectionHandle ch) {
    Client client = client(ch.id);
    int id = client.nextStatement.getAndIncrement();
    client.statements.put(id, new Statement(null));
    return new StatementHandle(ch.id, id, null);
  }

  /**
   * Prepares {@code sql}: for remote clients, PostgreSQL describes its result columns and
   * parameter types on the coordinator; a statement it cannot describe, or an embedded one,
   * gets no columns and untyped parameters.
   */
  @Override
  public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
    Client client = client(ch.id);
    try {
      Optional<SparSession.Description> description = describeOnPrepare
          ? client.session.describe(sql) : Optional.empty();
      List<ColumnMetaData> columns = description.isPresent()
          ? Columns.columns(description.get().columns()) : List.of();
      int count = SqlScanner.countParameters(sql);
      List<AvaticaParameter> parameters = Columns.parameters(description
          .filter(d -> d.parameters().size() == count)
          .map(SparSession.Description::parameters)
          .orElseGet(() -> Collections.nCopies(count, SparParameterMetaData.UNKNOWN)));
      int id = client.nextStatement.getAndIncrement();
      client.statements.put(id, new Statement(sql));
      return new StatementHandle(ch.id, id, signature(sql, columns, parameters));
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static Signature signature(String sql, List<ColumnMetaData> columns,
      List<AvaticaParameter> parameters) {
    return new Signature(columns, sql, parameters, null, CursorFactory.LIST, null);
  }

  @Deprecated
  @Override
  public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount,
      PrepareCallback callback) throws NoSuchStatementException {
    return prepareAndExecute(h, sql, maxRowCount, -1, callback);
  }

  @Override
  public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount,
      int maxRowsInFirstFrame, PrepareCallback callback) throws NoSuchStatementException {
    Statement statement = statement(h);
    return run(h, statement, sql, List.of(), maxRowCount, maxRowsInFirstFrame);
  }

  @Deprecated
  @Override
  public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues,
      long maxRowCount) throws NoSuchStatementException {
    return execute(h, parameterValues, (int) Math.min(Integer.MAX_VALUE, maxRowCount));
  }

  @Override
  public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues,
      int maxRowsInFirstFrame) throws NoSuchStatementException {
    Statement statement = statement(h);
    try {
      return run(h, statement, statement.sql, parameters(parameterValues), 0,
          maxRowsInFirstFrame);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private ExecuteResult run(StatementHandle h, Statement statement, String sql,
      List<Object> parameters, long maxRowCount, int maxRowsInFirstFrame) {
    SparSession session = client(h.connectionId).session;
    synchronized (statement) {
      statement.closeRows();
      try {
        StatementResult result = session.execute(sql, parameters);
        if (!result.hasRows()) {
          return new ExecuteResult(List.of(MetaResultSet.count(h.connectionId, h.id,
              Math.max(0, result.updateCount()))));
        }
        RowSet rows = result.rows();
        statement.columns = Columns.columns(rows.columns());
        statement.rows = SparResultSet.of(rows);
        statement.offset = 0;
        statement.remaining = maxRowCount > 0 ? maxRowCount : Long.MAX_VALUE;
        Frame frame = frame(statement, firstFrameSize(maxRowsInFirstFrame));
        Signature signature = signature(sql, statement.columns, List.of());
        return new ExecuteResult(List.of(MetaResultSet.create(h.connectionId, h.id, false,
            signature, frame)));
      } catch (SQLException e) {
        statement.closeRows();
        throw failure(e);
      }
    }
  }

  /**
   * Returns how many rows the first frame holds, as Avatica's JdbcMeta answers the size the
   * client asks for: all for -2, at most a default fetch of 100 otherwise.
   */
  private static int firstFrameSize(int asked) {
    return asked == -2 ? -1 : asked <= 0 ? DEFAULT_FETCH : Math.min(asked, DEFAULT_FETCH);
  }

  /** Reads up to {@code max} rows (all if negative) of the statement's result into a frame. */
  private static Frame frame(Statement statement, int max) throws SQLException {
    List<Object> rows = new ArrayList<>();
    long offset = statement.offset;
    boolean done = statement.rows == null;
    while (!done && (max < 0 || rows.size() < max)) {
      if (statement.remaining == 0 || !statement.rows.next()) {
        statement.closeRows();
        done = true;
      } else {
        rows.add(WireRows.row(statement.rows, statement.columns));
        statement.remaining--;
      }
    }
    statement.offset += rows.size();
    return new Frame(offset, done, rows);
  }

  @Override
  public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
      throws NoSuchStatementException {
    Statement statement = statement(h);
    synchronized (statement) {
      try {
        return frame(statement, fetchMaxRowCount == 0 ? DEFAULT_FETCH : fetchMaxRowCount);
      } catch (SQLException e) {
        statement.closeRows();
        throw failure(e);
      }
    }
  }

  /** Returns the values of {@code parameterValues} as the session binds them. */
  private List<Object> parameters(List<TypedValue> parameterValues) throws SQLException {
    if (parameterValues == null) {
      return List.of();
    }
    List<Object> result = new ArrayList<>(parameterValues.size());
    for (int i = 0; i < parameterValues.size(); i++) {
      TypedValue value = parameterValues.get(i);
      if (value == null) {
        throw JdbcErrors.invalidArgument("No value specified for parameter " + (i + 1) + ".");
      }
      result.add(ParameterConversions.normalize(value.toJdbc(calendar.get())));
    }
    return result;
  }

  @Override
  public ExecuteBatchResult executeBatch(StatementHandle h,
      List<List<TypedValue>> parameterValues) throws NoSuchStatementException {
    Statement statement = statement(h);
    try {
      List<List<Object>> sets = new ArrayList<>(parameterValues.size());
      for (List<TypedValue> each : parameterValues) {
        sets.add(parameters(each));
      }
      return new ExecuteBatchResult(executeBatch(h, statement.sql, sets, 0));
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public ExecuteBatchResult executeBatchProtobuf(StatementHandle h,
      List<Requests.UpdateBatch> updateBatches) throws NoSuchStatementException {
    Statement statement = statement(h);
    try {
      List<List<Object>> sets = new ArrayList<>(updateBatches.size());
      for (Requests.UpdateBatch update : updateBatches) {
        List<Object> values = new ArrayList<>(update.getParameterValuesCount());
        for (Common.TypedValue value : update.getParameterValuesList()) {
          values.add(ParameterConversions.normalize(
              TypedValue.protoToJdbc(value, calendar.get())));
        }
        sets.add(values);
      }
      return new ExecuteBatchResult(executeBatch(h, statement.sql, sets, 0));
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Runs {@code sql} with {@code parameters} on the session of statement {@code h}, cancelled
   * after {@code timeoutSeconds} (0 for never); embedded statements run through this.
   */
  StatementResult execute(StatementHandle h, String sql, List<Object> parameters,
      int timeoutSeconds) throws SQLException {
    return client(h.connectionId).session.execute(sql, parameters, timeoutSeconds);
  }

  /**
   * Runs a prepared statement's batch as one statement of the session, which is atomic: on
   * failure no entry counts as executed, and the error is a BatchUpdateException.
   */
  long[] executeBatch(StatementHandle h, String sql, List<List<Object>> sets,
      int timeoutSeconds) throws SQLException {
    try {
      return client(h.connectionId).session.executeBatch(sql, sets, timeoutSeconds);
    } catch (BatchUpdateException e) {
      throw e;
    } catch (SQLException e) {
      BatchUpdateException batch = new BatchUpdateException(e.getMessage(), e.getSQLState(),
          e.getErrorCode(), new long[0], e);
      batch.setNextException(e);
      throw batch;
    }
  }

  /** Runs {@code sqlCommands} in turn, as pgjdbc runs a statement's batch of texts. */
  @Override
  public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands)
      throws NoSuchStatementException {
    statement(h);
    SparSession session = client(h.connectionId).session;
    long[] counts = new long[sqlCommands.size()];
    for (int i = 0; i < counts.length; i++) {
      try {
        StatementResult result = session.execute(sqlCommands.get(i), List.of());
        if (result.hasRows()) {
          throw new SQLException("A result was returned when none was expected.", "0100E");
        }
        counts[i] = Math.max(0, result.updateCount());
      } catch (SQLException e) {
        BatchUpdateException failure = new BatchUpdateException("Batch entry " + i + " "
            + sqlCommands.get(i) + " was aborted: " + e.getMessage(), e.getSQLState(),
            e.getErrorCode(), Arrays.copyOf(counts, i), e);
        failure.setNextException(e);
        throw failure(failure);
      }
    }
    return new ExecuteBatchResult(counts);
  }

  @Override
  public void closeStatement(StatementHandle h) {
    Client client = clients.get(h.connectionId);
    Statement statement = client == null ? null : client.statements.remove(h.id);
    if (statement != null) {
      statement.closeRows();
    }
  }

  @Override
  public boolean syncResults(StatementHandle sh, QueryState state, long offset) {
    return false;
  }

  @Override
  public void commit(ConnectionHandle ch) {
    try {
      client(ch.id).session.commit();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void rollback(ConnectionHandle ch) {
    try {
      client(ch.id).session.rollback();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Map<DatabaseProperty, Object> getDatabaseProperties(ConnectionHandle ch) {
    return Map.of(DatabaseProperty.GET_DRIVER_NAME, Driver.NAME,
        DatabaseProperty.GET_DRIVER_VERSION, Driver.version(),
        DatabaseProperty.GET_DRIVER_MAJOR_VERSION, Driver.MAJOR_VERSION,
        DatabaseProperty.GET_DRIVER_MINOR_VERSION, Driver.MINOR_VERSION,
        DatabaseProperty.GET_DATABASE_PRODUCT_NAME, Driver.PRODUCT_NAME);
  }

  /** Catalog question answered by the coordinator's pgjdbc metadata. */
  @FunctionalInterface
  private interface CatalogQuestion {
    ResultSet ask(DatabaseMetaData metaData) throws SQLException;
  }

  private MetaResultSet catalog(ConnectionHandle ch, CatalogQuestion question) {
    Client client = client(ch.id);
    try {
      RowSet rows = client.session.lookup(coordinator -> {
        try (ResultSet resultSet = question.ask(coordinator.getMetaData())) {
          return RowSet.read(resultSet);
        }
      });
      Statement statement = new Statement(null);
      statement.columns = Columns.columns(rows.columns());
      statement.rows = SparResultSet.of(rows);
      statement.remaining = Long.MAX_VALUE;
      Frame frame = frame(statement, -1);
      return MetaResultSet.create(ch.id, -1, true,
          signature(null, statement.columns, List.of()), frame);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static String[] types(List<String> typeList) {
    return typeList == null ? null : typeList.toArray(new String[0]);
  }

  @Override
  public MetaResultSet getTables(ConnectionHandle ch, String catalog, Pat schemaPattern,
      Pat tableNamePattern, List<String> typeList) {
    return catalog(ch, metaData -> metaData.getTables(catalog, schemaPattern.s,
        tableNamePattern.s, types(typeList)));
  }

  @Override
  public MetaResultSet getColumns(ConnectionHandle ch, String catalog, Pat schemaPattern,
      Pat tableNamePattern, Pat columnNamePattern) {
    return catalog(ch, metaData -> metaData.getColumns(catalog, schemaPattern.s,
        tableNamePattern.s, columnNamePattern.s));
  }

  @Override
  public MetaResultSet getSchemas(ConnectionHandle ch, String catalog, Pat schemaPattern) {
    return catalog(ch, metaData -> metaData.getSchemas(catalog, schemaPattern.s));
  }

  @Override
  public MetaResultSet getCatalogs(ConnectionHandle ch) {
    return catalog(ch, DatabaseMetaData::getCatalogs);
  }

  @Override
  public MetaResultSet getTableTypes(ConnectionHandle ch) {
    return catalog(ch, DatabaseMetaData::getTableTypes);
  }

  @Override
  public MetaResultSet getPrimaryKeys(ConnectionHandle ch, String catalog, String schema,
      String table) {
    return catalog(ch, metaData -> metaData.getPrimaryKeys(catalog, schema, table));
  }

  @Override
  public MetaResultSet getImportedKeys(ConnectionHandle ch, String catalog, String schema,
      String table) {
    return catalog(ch, metaData -> metaData.getImportedKeys(catalog, schema, table));
  }

  @Override
  public MetaResultSet getExportedKeys(ConnectionHandle ch, String catalog, String schema,
      String table) {
    return catalog(ch, metaData -> metaData.getExportedKeys(catalog, schema, table));
  }

  @Override
  public MetaResultSet getIndexInfo(ConnectionHandle ch, String catalog, String schema,
      String table, boolean unique, boolean approximate) {
    return catalog(ch, metaData -> metaData.getIndexInfo(catalog, schema, table, unique,
        approximate));
  }

  @Override
  public MetaResultSet getTypeInfo(ConnectionHandle ch) {
    return catalog(ch, DatabaseMetaData::getTypeInfo);
  }

  @Override
  public MetaResultSet getProcedures(ConnectionHandle ch, String catalog, Pat schemaPattern,
      Pat procedureNamePattern) {
    return catalog(ch, metaData -> metaData.getProcedures(catalog, schemaPattern.s,
        procedureNamePattern.s));
  }

  @Override
  public MetaResultSet getFunctions(ConnectionHandle ch, String catalog, Pat schemaPattern,
      Pat functionNamePattern) {
    return catalog(ch, metaData -> metaData.getFunctions(catalog, schemaPattern.s,
        functionNamePattern.s));
  }

  /** Returns the number of connections, each with its session, now open. */
  public long openConnections() {
    return clients.size();
  }

  /**
   * Closes the connections not used for the idle timeout, and the statements not used for as
   * long with their unread results, which may hold worker connections.
   */
  public void evictIdle() {
    long now = System.nanoTime();
    clients.forEach((id, client) -> {
      if (now - client.lastUsed > idleNanos && clients.remove(id, client)) {
        close(client);
        return;
      }
      // Dropped, not just emptied: a later fetch must fail rather than end the rows early.
      client.statements.values().removeIf(statement -> {
        boolean idle = now - statement.lastUsed > idleNanos;
        if (idle) {
          statement.closeRows();
        }
        return idle;
      });
    });
  }

  /** Closes every connection, as when the server stops. */
  public void closeAll() {
    clients.keySet().forEach(id -> closeConnection(new ConnectionHandle(id)));
  }
}
