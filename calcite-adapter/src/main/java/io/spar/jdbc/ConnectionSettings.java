package io.spar.jdbc;

import io.spar.engine.catalog.SqlQuoting;
import java.sql.ClientInfoStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * Settings of a Spar connection: read-only hint, holdability, isolation, catalog, client info,
 * type map and timeouts, with their checks.
 */
abstract class ConnectionSettings implements Connection {
  private static final String APPLICATION_NAME = "ApplicationName";

  private boolean readOnly;
  private int holdability = ResultSet.HOLD_CURSORS_OVER_COMMIT;
  private SQLWarning warnings;
  /** Application name of the pooled coordinator connection before this connection changed it. */

  /** Throws unless the connection is open. */
  abstract void checkOpen() throws SQLException;

  /** Returns the connection's session, or throws if the connection is closed. */
  abstract io.spar.session.SparSession session() throws SQLException;


  /** Adds {@code warning} to the connection's warnings. */
  void warn(SQLWarning warning) {
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
  int resultSetType(int type, int concurrency, int holdability) throws SQLException {
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

  /**
   * Sets the read-only flag as pgjdbc does: refused inside a transaction block (unless it does
   * not change, which Avatica's property sync relies on).
   */
  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    checkOpen();
    if (readOnly == this.readOnly) {
      return;
    }
    SessionProperties.setReadOnly(session(), readOnly);
    this.readOnly = readOnly;
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
    checkOpen();
    return SessionProperties.catalog(session());
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    checkOpen();
    SessionProperties.setIsolation(session(), level);
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    checkOpen();
    return SessionProperties.isolation(session());
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
      session().executeCommand("SET application_name = "
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
        ? session().lookup(coordinator -> coordinator.getClientInfo(APPLICATION_NAME)) : null;
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
  public void abort(Executor executor) throws SQLException {
    throw JdbcErrors.unsupported("Connection.abort");
  }

  @Override
  public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
    throw JdbcErrors.unsupported("Network timeouts");
  }

  @Override
  public int getNetworkTimeout() throws SQLException {
    throw JdbcErrors.unsupported("Network timeouts");
  }
}
