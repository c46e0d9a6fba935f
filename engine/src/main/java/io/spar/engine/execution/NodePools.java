package io.spar.engine.execution;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One HikariCP pool per node, all with the coordinator's database name and credentials.
 *
 * <p>Worker connections bind strings as untyped ({@code stringtype=unspecified}) so that a
 * string parameter compares with a date or numeric column as a literal would, which is what
 * users of PostgreSQL expect from {@code setString}.
 */
public final class NodePools implements AutoCloseable {
  /** Connections per node for the engine's own work: catalog reads and function lookups. */
  private static final int INTERNAL_CONNECTIONS = 4;

  private final String database;
  private final PoolLimits limits;
  private final Properties credentials;
  private final Map<NodeAddress, HikariDataSource> pools = new ConcurrentHashMap<>();
  private final Map<NodeAddress, HikariDataSource> internal = new ConcurrentHashMap<>();

  /**
   * Creates pools of at most {@code limits} connections each that connect to {@code database}
   * with {@code user} and {@code password}.
   */
  public NodePools(String database, String user, String password, PoolLimits limits) {
    this.database = database;
    this.limits = limits;
    this.credentials = new Properties();
    if (user != null) {
      credentials.setProperty("user", user);
    }
    if (password != null) {
      credentials.setProperty("password", password);
    }
    credentials.setProperty("stringtype", "unspecified");
    credentials.setProperty("connectTimeout", "3");
    credentials.setProperty("ApplicationName", "spar");
  }

  /** Returns the pool of {@code node}, creating it on first use. */
  public HikariDataSource pool(NodeAddress node) {
    return pools.computeIfAbsent(node,
        each -> createPool(each, "spar-", limits.connectionsPerNode()));
  }

  /**
   * Returns the small pool of {@code node} for the engine's own work (catalog reloads, function
   * lookups), apart from the sessions' pool so that it never waits behind them.
   */
  public HikariDataSource internalPool(NodeAddress node) {
    return internal.computeIfAbsent(node,
        each -> createPool(each, "spar-internal-", INTERNAL_CONNECTIONS));
  }

  /**
   * Borrows a connection to {@code node}; closing it returns it to the pool. When all of the
   * node's connections stay in use for the limits' wait, fails with SQLState 53300.
   */
  public Connection borrow(NodeAddress node) throws SQLException {
    try {
      return pool(node).getConnection();
    } catch (SQLTransientConnectionException e) {
      if (Failures.isNodeFailure(e)) {
        throw e;
      }
      SQLException limit = new SQLException("too many connections: all "
          + limits.connectionsPerNode() + " of Spar's connections to node " + node
          + " stayed in use for " + limits.waitMillis() + " ms", "53300", e);
      throw limit;
    }
  }

  /**
   * Borrows a connection to {@code node} from its internal pool, for a short catalog read on
   * behalf of a session that already holds a connection of the sessions' pool.
   */
  public Connection borrowInternal(NodeAddress node) throws SQLException {
    return internalPool(node).getConnection();
  }

  /** Makes the pool of {@code node} close {@code connection} instead of lending it again. */
  public void evict(NodeAddress node, Connection connection) {
    HikariDataSource pool = pools.get(node);
    if (pool != null) {
      pool.evictConnection(connection);
    }
  }

  /** Opens a connection to {@code node} outside any pool. */
  public Connection open(NodeAddress node) throws SQLException {
    return DriverManager.getConnection(url(node), credentials);
  }

  /**
   * Opens a connection to {@code node} outside any pool that shows as {@code applicationName}
   * in {@code pg_stat_activity} from the start, so it is never counted as Spar's pooled one.
   */
  public Connection open(NodeAddress node, String applicationName) throws SQLException {
    Properties properties = new Properties();
    properties.putAll(credentials);
    properties.setProperty("ApplicationName", applicationName);
    return DriverManager.getConnection(url(node), properties);
  }

  /** Returns the number of connections currently open to {@code node}, pooled or lent. */
  public int openConnections(NodeAddress node) {
    HikariDataSource pool = pools.get(node);
    return pool == null || pool.getHikariPoolMXBean() == null
        ? 0 : pool.getHikariPoolMXBean().getTotalConnections();
  }

  private String url(NodeAddress node) {
    return "jdbc:postgresql://" + node.host() + ":" + node.port() + "/" + database;
  }

  private HikariDataSource createPool(NodeAddress node, String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name + node);
    config.setJdbcUrl(url(node));
    config.setDataSourceProperties(credentials);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(0);
    config.setIdleTimeout(60_000);
    config.setConnectionTimeout(limits.waitMillis());
    // A node that is down when the pool is made must not fail the pool, only its borrowers.
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
  }

  @Override
  public void close() {
    pools.values().forEach(HikariDataSource::close);
    pools.clear();
    internal.values().forEach(HikariDataSource::close);
    internal.clear();
  }
}
