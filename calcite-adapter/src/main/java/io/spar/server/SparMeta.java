package io.spar.server;

import io.spar.jdbc.SparConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Avatica's JDBC-backed Meta over Spar: every remote connection id gets a Spar connection of
 * its own, so each remote client has its own session and transaction state. Avatica's
 * {@code connectionSync}, {@code commit} and {@code rollback} go straight to that connection.
 *
 * <p>Remote connections and statements that are not used for the idle timeout are dropped;
 * dropping a connection closes its Spar connection, which returns its worker connections and
 * ends any open transaction.
 */
public final class SparMeta extends JdbcMeta {
  private static final Logger LOG = LoggerFactory.getLogger(SparMeta.class);

  private final java.sql.Driver driver = new io.spar.jdbc.Driver();
  private final Properties backend;

  /**
   * Creates the Meta.
   *
   * @param sparUrl the {@code jdbc:spar:} URL every remote connection opens
   * @param backend properties of those connections (the coordinator's user and password);
   *     what remote clients send is ignored, so they cannot choose the server's credentials
   * @param idleTimeout how long an unused remote connection or statement is kept
   */
  public SparMeta(String sparUrl, Properties backend, Duration idleTimeout) throws SQLException {
    super(sparUrl, cacheSettings(idleTimeout));
    this.backend = backend;
  }

  private static Properties cacheSettings(Duration idleTimeout) {
    String seconds = Long.toString(Math.max(1, idleTimeout.toSeconds()));
    Properties settings = new Properties();
    settings.setProperty(ConnectionCacheSettings.EXPIRY_DURATION.key(), seconds);
    settings.setProperty(ConnectionCacheSettings.EXPIRY_UNIT.key(), TimeUnit.SECONDS.name());
    // Statements expire with the same timeout: a prepared statement of a connection in use
    // should not vanish before its connection does.
    settings.setProperty(StatementCacheSettings.EXPIRY_DURATION.key(), seconds);
    settings.setProperty(StatementCacheSettings.EXPIRY_UNIT.key(), TimeUnit.SECONDS.name());
    return settings;
  }

  @Override
  protected Connection createConnection(String url, Properties clientInfo) throws SQLException {
    Connection connection = driver.connect(url, backend);
    // Avatica's frames carry plain values only; pgjdbc's own objects travel as their text.
    connection.unwrap(SparConnection.class).setDriverObjectsAsText(true);
    LOG.debug("Opened a Spar connection for a remote client ({} open)", openConnections() + 1);
    return connection;
  }

  /** Returns the number of remote connections, each with its Spar connection, now open. */
  public long openConnections() {
    return getConnectionCache().size();
  }

  /**
   * Closes the connections and statements that passed the idle timeout. The caches only expire
   * entries when they are touched, so an idle server needs this called periodically.
   */
  public void evictIdle() {
    getStatementCache().cleanUp();
    getConnectionCache().cleanUp();
  }

  /** Closes every statement and connection, as when the server stops. */
  public void closeAll() {
    getStatementCache().invalidateAll();
    getConnectionCache().invalidateAll();
    getStatementCache().cleanUp();
    getConnectionCache().cleanUp();
  }
}
