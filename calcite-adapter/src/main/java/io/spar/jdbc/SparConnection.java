package io.spar.jdbc;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.RowSet;
import io.spar.session.SparSession;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.ClientInfoStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Savepoint;
import java.sql.Struct;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.UnregisteredDriver;

/**
 * JDBC connection of Spar: Avatica's connection over one {@link SparSession} on a shared
 * engine, which its {@link SparMeta} serves.
 *
 * <p>Autocommit, transactions, savepoints, isolation levels and the read-only flag behave as
 * pgjdbc's (see {@link SparSession}'s transaction state machine); callable statements are not
 * supported and say so with SQLState 0A000.
 */
public final class SparConnection extends AvaticaConnection {
  private static final String APPLICATION_NAME = "ApplicationName";

  private final SparSession session;
  private final String displayUrl;
  private final TimeZone timeZone = TimeZone.getDefault();
  private int nextSavepointId;
  private boolean readOnly;
  private int holdability = ResultSet.HOLD_CURSORS_OVER_COMMIT;
  private SQLWarning warnings;
  private volatile boolean closed;

  /**
   * Creates a connection over {@code session}, which it then owns; {@code displayUrl} is the URL
   * metadata reports, without secrets.
   */
  SparConnection(UnregisteredDriver driver, AvaticaFactory factory, String url, Properties info,
      SparSession session, String displayUrl) {
    super(driver, factory, url, info);
    this.session = session;
    this.displayUrl = displayUrl;
    meta().attach(handle, session);
  }

  /** Returns the Meta that runs this connection's statements. */
  SparMeta meta() {
    return (SparMeta) meta;
  }

  /** Returns the session of this connection, or throws if the connection is closed. */
  /**
   * Returns the COPY API of this connection, as pgjdbc's {@code PGConnection.getCopyAPI()}
   * does: {@code COPY … FROM STDIN} and {@code COPY … TO STDOUT} of distributed tables too.
   */
  public SparCopyManager getCopyAPI() throws SQLException {
    return new SparCopyManager(session());
  }

  SparSession session() throws SQLException {
    checkOpen();
    return session;
  }

  /** Returns the URL the connection was opened with, without its password. */
  String displayUrl() {
    return displayUrl;
  }

  @Override
  protected void checkOpen() throws SQLException {
    if (closed) {
      throw new SQLException("This connection has been closed.", "08003");
    }
  }

  /** Returns the default zone, read once: Avatica would read it from the properties each time. */
  @Override
  public TimeZone getTimeZone() {
    return timeZone;
  }

  /** Returns an executed result set of {@code statement} over {@code rows}. */
  SparResultSet newResultSet(AvaticaStatement statement, RowSet rows, Meta.Signature signature,
      int type, int fetchSize, Runnable onClose) throws SQLException {
    Meta.Frame frame = new Meta.Frame(0, true,
        new SparResultSet.Rows(rows, type, fetchSize, onClose));
    SparResultSet resultSet = (SparResultSet) factory.newResultSet(statement, new QueryState(),
        signature, timeZone, frame);
    return resultSet.execute();
  }

  private void warn(SQLWarning warning) {
    if (warnings == null) {
      warnings = warning;
    } else {
      warnings.setNextWarning(warning);
    }
  }

  /**
   * Returns the result set type to use for the requested options, downgrading
   * TYPE_SCROLL_SENSITIVE (with a warning) and refusing updatable result sets.
   */
  private int resultSetType(int type, int concurrency, int holdability) throws SQLException {
    checkOpen();
    checkHoldability(holdability);
    if (concurrency == ResultSet.CONCUR_UPDATABLE) {
      throw JdbcErrors.unsupported("Updatable result sets (CONCUR_UPDATABLE)");
    }
    if (concurrency != ResultSet.CONCUR_READ_ONLY) {
      throw JdbcErrors.invalidArgument("Unknown value for ResultSet concurrency: " + concurrency);
    }
    if (type == ResultSet.TYPE_SCROLL_SENSITIVE) {
      // Results are snapshots in memory; JDBC lets a driver downgrade with a warning.
      warn(new SQLWarning("TYPE_SCROLL_SENSITIVE is not supported; using"
          + " TYPE_SCROLL_INSENSITIVE"));
      return ResultSet.TYPE_SCROLL_INSENSITIVE;
    }
    if (type != ResultSet.TYPE_FORWARD_ONLY && type != ResultSet.TYPE_SCROLL_INSENSITIVE) {
      throw JdbcErrors.invalidArgument("Unknown value for ResultSet type: " + type);
    }
    return type;
  }

  private static void checkHoldability(int holdability) throws SQLException {
    if (holdability != ResultSet.HOLD_CURSORS_OVER_COMMIT
        && holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT) {
      throw JdbcErrors.invalidArgument("Unknown ResultSet holdability setting: " + holdability
          + ".");
    }
  }

  @Override
  public AvaticaStatement createStatement() throws SQLException {
    return createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
        getHoldability());
  }

  @Override
  public AvaticaStatement createStatement(int resultSetType, int resultSetConcurrency)
      throws SQLException {
    return createStatement(resultSetType, resultSetConcurrency, getHoldability());
  }

  @Override
  public AvaticaStatement createStatement(int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    int type = resultSetType(resultSetType, resultSetConcurrency, resultSetHoldability);
    return factory.newStatement(this, null, type, resultSetConcurrency, resultSetHoldability);
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    return prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
        getHoldability());
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType,
      int resultSetConcurrency) throws SQLException {
    return prepareStatement(sql, resultSetType, resultSetConcurrency, getHoldability());
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType,
      int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    int type = resultSetType(resultSetType, resultSetConcurrency, resultSetHoldability);
    Meta.StatementHandle h = meta().prepare(handle, sql, -1);
    return factory.newPreparedStatement(this, h, h.signature, type, resultSetConcurrency,
        resultSetHoldability);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys)
      throws SQLException {
    return preparedWithKeys(sql, StatementCore.keyColumns(autoGeneratedKeys));
  }

  /** Refuses keys by column index, as pgjdbc does; without any, prepares {@code sql}. */
  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes)
      throws SQLException {
    return preparedWithKeys(sql, StatementCore.keyColumns(columnIndexes));
  }

  /** Prepares {@code sql} to return the named columns as generated keys, as pgjdbc does. */
  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames)
      throws SQLException {
    return preparedWithKeys(sql, StatementCore.keyColumns(columnNames));
  }

  private PreparedStatement preparedWithKeys(String sql, String keyColumns)
      throws SQLException {
    SparPreparedStatement statement = (SparPreparedStatement) prepareStatement(sql);
    statement.returnKeys(keyColumns);
    return statement;
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    throw JdbcErrors.unsupported("Callable statements");
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency)
      throws SQLException {
    throw JdbcErrors.unsupported("Callable statements");
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    throw JdbcErrors.unsupported("Callable statements");
  }

  /** Returns {@code sql} unchanged: Spar does not translate JDBC escape syntax. */
  @Override
  public String nativeSQL(String sql) throws SQLException {
    checkOpen();
    return sql;
  }

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    session().setAutoCommit(autoCommit);
  }

  @Override
  public boolean getAutoCommit() throws SQLException {
    return session().getAutoCommit();
  }

  /** Commits the open transaction block, with pgjdbc's rules for autocommit and idle sessions. */
  @Override
  public void commit() throws SQLException {
    session().commit();
  }

  /** Rolls back the open transaction block, with pgjdbc's rules. */
  @Override
  public void rollback() throws SQLException {
    session().rollback();
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    requireNoAutoCommit();
    SparSavepoint savepoint = SparSavepoint.unnamed(nextSavepointId++);
    session().execute("SAVEPOINT " + savepoint.sqlName(), List.of());
    return savepoint;
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    requireNoAutoCommit();
    SparSavepoint savepoint = SparSavepoint.named(name);
    session().execute("SAVEPOINT " + savepoint.sqlName(), List.of());
    return savepoint;
  }

  private void requireNoAutoCommit() throws SQLException {
    if (session().getAutoCommit()) {
      throw new SQLException("Cannot establish a savepoint in auto-commit mode.", "25P01");
    }
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    session().executeCommand("ROLLBACK TO SAVEPOINT " + own(savepoint).sqlName());
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    SparSavepoint own = own(savepoint);
    session().executeCommand("RELEASE SAVEPOINT " + own.sqlName());
    own.release();
  }

  private static SparSavepoint own(Savepoint savepoint) throws SQLException {
    if (savepoint instanceof SparSavepoint own) {
      return own;
    }
    throw JdbcErrors.invalidArgument("Not a savepoint of a Spar connection: " + savepoint);
  }

  /**
   * Sets the read-only flag as pgjdbc does: refused inside a transaction block (unless it does
   * not change); with autocommit off, the blocks the connection opens are then
   * {@code READ ONLY}.
   */
  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    checkOpen();
    if (readOnly != this.readOnly) {
      SessionProperties.setReadOnly(session, readOnly);
      this.readOnly = readOnly;
    }
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    checkOpen();
    return readOnly;
  }

  /** Ignored, as JDBC asks of drivers for databases that cannot switch catalogs. */
  @Override
  public void setCatalog(String catalog) throws SQLException {
    checkOpen();
  }

  @Override
  public String getCatalog() throws SQLException {
    return SessionProperties.catalog(session());
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    SessionProperties.setIsolation(session(), level);
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    return SessionProperties.isolation(session());
  }

  @Override
  public void setSchema(String schema) throws SQLException {
    SessionProperties.setSchema(session(), schema);
  }

  @Override
  public String getSchema() throws SQLException {
    return SessionProperties.schema(session());
  }

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

  @Override
  public Map<String, Class<?>> getTypeMap() throws SQLException {
    checkOpen();
    return new HashMap<>();
  }

  @Override
  public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
    checkOpen();
    if (map != null && !map.isEmpty()) {
      throw JdbcErrors.unsupported("Custom type maps");
    }
  }

  @Override
  public void setHoldability(int holdability) throws SQLException {
    checkOpen();
    checkHoldability(holdability);
    this.holdability = holdability;
  }

  @Override
  public int getHoldability() throws SQLException {
    checkOpen();
    return holdability;
  }

  /**
   * Sets {@code ApplicationName} on the session's coordinator connection; other names are not
   * supported and produce a warning, as pgjdbc does.
   */
  @Override
  public void setClientInfo(String name, String value) throws SQLClientInfoException {
    try {
      checkOpen();
      if (!APPLICATION_NAME.equals(name)) {
        warn(new SQLWarning("ClientInfo property not supported: " + name));
        return;
      }
      // A session setting, so that the session keeps it on whichever connection it borrows.
      session.executeCommand("SET application_name = "
          + SqlQuoting.literal(value == null ? "" : value));
    } catch (SQLException e) {
      throw new SQLClientInfoException(e.getMessage(), e.getSQLState(),
          Map.of(String.valueOf(name), ClientInfoStatus.REASON_UNKNOWN), e);
    }
  }

  @Override
  public void setClientInfo(Properties properties) throws SQLClientInfoException {
    for (String name : properties.stringPropertyNames()) {
      setClientInfo(name, properties.getProperty(name));
    }
  }

  @Override
  public String getClientInfo(String name) throws SQLException {
    checkOpen();
    return APPLICATION_NAME.equals(name)
        ? session.lookup(coordinator -> coordinator.getClientInfo(APPLICATION_NAME)) : null;
  }

  @Override
  public Properties getClientInfo() throws SQLException {
    Properties info = new Properties();
    String applicationName = getClientInfo(APPLICATION_NAME);
    if (applicationName != null) {
      info.setProperty(APPLICATION_NAME, applicationName);
    }
    return info;
  }

  @Override
  public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
    throw JdbcErrors.unsupported("Array creation");
  }

  @Override
  public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
    throw JdbcErrors.unsupported("Struct creation");
  }

  @Override
  public boolean isValid(int timeout) throws SQLException {
    if (timeout < 0) {
      throw JdbcErrors.invalidArgument("Invalid timeout (" + timeout + "<0).");
    }
    return !closed && session.lookup(coordinator -> coordinator.isValid(timeout));
  }

  /** Closes the open statements and the session; closing again does nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    for (AvaticaStatement each : new ArrayList<>(statementMap.values())) {
      try {
        each.close();
      } catch (SQLException e) {
        // Spar's statements close without failing; nothing to report.
      }
    }
    closed = true;
    meta().closeConnection(handle);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface == SparSession.class) {
      return iface.cast(session());
    }
    return JdbcErrors.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface == SparSession.class || iface.isInstance(this);
  }
}
