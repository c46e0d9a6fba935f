package io.spar.engine.execution;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
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
  private final Map<NodeAddress, FairPool> pools = new ConcurrentHashMap<>();
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
    // The application name then travels in the startup packet instead of a SET afterwards, so
    // that it is no session setting: RESET ALL keeps it, and a session has none to apply again.
    credentials.setProperty("assumeMinServerVersion", "9.0");
  }

  /** Returns the pool of {@code node}, creating it on first use, for its statistics. */
  public HikariDataSource pool(NodeAddress node) {
    return fairPool(node).source();
  }

  private FairPool fairPool(NodeAddress node) {
    return pools.computeIfAbsent(node, each -> new FairPool(
        createPool(each, "spar-", limits.connectionsPerNode(), "spar"),
        limits.connectionsPerNode()));
  }

  /**
   * Returns the small pool of {@code node} for the engine's own work (catalog reloads, function
   * lookups), apart from the sessions' pool so that it never waits behind them.
   */
  public HikariDataSource internalPool(NodeAddress node) {
    return internal.computeIfAbsent(node,
        each -> createPool(each, "spar-internal-", INTERNAL_CONNECTIONS, "spar internal"));
  }

  /**
   * Borrows a connection to {@code node}; closing it returns it to the pool. Borrowers wait in
   * the order they came; when all of the node's connections stay in use for the limits' wait,
   * fails with SQLState 53300.
   */
  public Connection borrow(NodeAddress node) throws SQLException {
    Connection connection = fairPool(node).borrow(limits.waitMillis());
    if (connection == null) {
      throw new SQLException("too many connections: all " + limits.connectionsPerNode()
          + " of Spar's connections to node " + node + " stayed in use for "
          + limits.waitMillis() + " ms", "53300");
    }
    return connection;
  }

  /**
   * Borrows a connection to {@code node} from its internal pool, for a short catalog read on
   * behalf of a session that already holds a connection of the sessions' pool.
   */
  public Connection borrowInternal(NodeAddress node) throws SQLException {
    return internalPool(node).getConnection();
  }

  /** Returns how many connections to {@code node} could be borrowed now without waiting. */
  public int freeConnections(NodeAddress node) {
    return fairPool(node).free();
  }

  /**
   * Borrows a connection to {@code node} if one is free now; returns null if none is (or the
   * node cannot be reached), rather than waiting for a borrower to return one.
   */
  public Connection borrowIfFree(NodeAddress node) {
    try {
      return fairPool(node).borrowIfFree();
    } catch (SQLException e) {
      return null;
    }
  }

  /** Makes the pool of {@code node} close {@code connection} instead of lending it again. */
  public void evict(NodeAddress node, Connection connection) {
    FairPool pool = pools.get(node);
    if (pool != null) {
      pool.evict(connection);
    }
  }

  /**
   * Opens a connection to {@code node} outside any pool, for the engine's operations; it shows
   * as {@code spar unpooled} in {@code pg_stat_activity}, apart from the sessions' pool.
   */
  public Connection open(NodeAddress node) throws SQLException {
    return open(node, "spar unpooled");
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
    FairPool pool = pools.get(node);
    return pool == null || pool.source().getHikariPoolMXBean() == null
        ? 0 : pool.source().getHikariPoolMXBean().getTotalConnections();
  }

  private String url(NodeAddress node) {
    return "jdbc:postgresql://" + node.host() + ":" + node.port() + "/" + database;
  }

  private HikariDataSource createPool(NodeAddress node, String name, int size,
      String applicationName) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name + node);
    config.setJdbcUrl(url(node));
    Properties properties = new Properties();
    properties.putAll(credentials);
    properties.setProperty("ApplicationName", applicationName);
    config.setDataSourceProperties(properties);
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
    pools.values().forEach(FairPool::close);
    pools.clear();
    internal.values().forEach(HikariDataSource::close);
    internal.clear();
  }
}
