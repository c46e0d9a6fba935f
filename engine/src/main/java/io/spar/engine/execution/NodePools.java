package io.spar.engine.execution;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

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
  /** How long a borrower waits for a connection to a node to open. */
  private static final long CONNECT_WAIT_MILLIS = 2000;

  private final String database;
  private final NodeAddress coordinator;
  private final PoolLimits limits;
  private final Properties credentials;
  private final Map<NodeAddress, FairPool> pools = new ConcurrentHashMap<>();
  /** Connections of each node's pool kept for token holders: a quarter, none under four. */
  private final int reserve;
  private final Semaphore tokens;
  private final Map<NodeAddress, HikariDataSource> internal = new ConcurrentHashMap<>();

  /**
   * Creates pools of at most {@code limits} connections each that connect to {@code database}
   * with {@code user} and {@code password}; {@code coordinator} is the node whose database
   * holds the shells and the catalog.
   */
  public NodePools(String database, String user, String password, PoolLimits limits,
      NodeAddress coordinator) {
    this.database = database;
    this.coordinator = coordinator;
    this.limits = limits;
    this.reserve = limits.connectionsPerNode() / 4;
    this.tokens = new Semaphore(reserve, true);
    this.credentials = new Properties();
    if (user != null) {
      credentials.setProperty("user", user);
    }
    if (password != null) {
      credentials.setProperty("password", password);
    }
    credentials.setProperty("stringtype", "unspecified");
    // Values arrive as the server printed them, so that a session that serves the PostgreSQL
    // wire protocol passes PostgreSQL's own text on (ValueForm.TEXT); pgjdbc would print
    // binary-transferred values in its own way.
    credentials.setProperty("binaryTransfer", "false");
    credentials.setProperty("connectTimeout", "3");
    // The application name then travels in the startup packet instead of a SET afterwards, so
    // that it is no session setting: RESET ALL keeps it, and a session has none to apply again.
    credentials.setProperty("assumeMinServerVersion", "9.0");
  }

  /**
   * Returns the HikariCP pool of {@code node}, creating it on first use, for its statistics
   * only: connections are borrowed through {@link #borrow}, which keeps borrowers in order.
   */
  public HikariPoolMXBean statistics(NodeAddress node) {
    return fairPool(node).source().getHikariPoolMXBean();
  }

  private FairPool fairPool(NodeAddress node) {
    return pools.computeIfAbsent(node, each -> new FairPool(
        createPool(each, "spar-", limits.connectionsPerNode(), "spar"),
        limits.connectionsPerNode(), reserve));
  }

  /**
   * Takes a token that lets a session that holds a connection borrow more (see
   * {@link FairPool}); when all are taken for the limits' wait, fails with 53300. Returns false
   * if pools are too small to keep a reserve, and then no token is needed.
   */
  public boolean acquireToken() throws SQLException {
    if (reserve == 0) {
      return false;
    }
    try {
      if (tokens.tryAcquire(limits.waitMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a connection", "57014", e);
    }
    throw new SQLException("too many connections: all " + reserve + " of Spar's transactions"
        + " that may hold connections to several nodes stayed open for " + limits.waitMillis()
        + " ms", "53300");
  }

  /** Gives back a token {@link #acquireToken} took. */
  public void releaseToken() {
    tokens.release();
  }

  /**
   * Borrows a connection to {@code node} for a session that holds a token: at once, from the
   * node's free connections or its reserve.
   */
  public Connection borrowWithToken(NodeAddress node) throws SQLException {
    Connection connection = fairPool(node).borrowWithToken();
    return connection != null ? connection : borrow(node);
  }

  /** Returns whether {@code connection} came from its node's reserve for token holders. */
  public static boolean fromReserve(Connection connection) {
    return FairPool.fromReserve(connection);
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
    return DriverManager.getConnection(url(node), connectionProperties(applicationName));
  }

  /** pgjdbc's properties of every connection to a node, pooled or not. */
  private Properties connectionProperties(String applicationName) {
    Properties properties = new Properties();
    properties.putAll(credentials);
    properties.setProperty("ApplicationName", applicationName);
    // A factory the user chose for the nodes (a tunnel's, say) stays theirs.
    properties.putIfAbsent("socketFactory", BlockingSockets.class.getName());
    return properties;
  }

  /** Returns the number of connections currently open to {@code node}, pooled or lent. */
  public int openConnections(NodeAddress node) {
    FairPool pool = pools.get(node);
    return pool == null || pool.source().getHikariPoolMXBean() == null
        ? 0 : pool.source().getHikariPoolMXBean().getTotalConnections();
  }

  /**
   * Returns a libpq connection string for {@code node} with the pools' database and
   * credentials, for a node that must connect to another itself (a logical replication
   * subscription).
   */
  public String conninfo(NodeAddress node) {
    StringBuilder conninfo = new StringBuilder();
    conninfo.append("host=").append(conninfoValue(node.host()))
        .append(" port=").append(node.port())
        .append(" dbname=").append(conninfoValue(database));
    for (String key : new String[] {"user", "password"}) {
      String value = credentials.getProperty(key);
      if (value != null) {
        conninfo.append(' ').append(key).append('=').append(conninfoValue(value));
      }
    }
    return conninfo.toString();
  }

  private static String conninfoValue(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private String url(NodeAddress node) {
    return "jdbc:postgresql://" + node.host() + ":" + node.port() + "/" + database;
  }

  private HikariDataSource createPool(NodeAddress node, String name, int size,
      String applicationName) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name + node);
    config.setJdbcUrl(url(node));
    Properties properties = connectionProperties(applicationName);
    if (node.equals(coordinator)) {
      // The coordinator's statements are parsed anew every time, never kept (nor a Describe's
      // statement reused) as server-side prepared statements: PostgreSQL keeps a prepared
      // statement's tables when a new table of the same name appears earlier on the search
      // path, and would go on reading the hidden one (a distributed table's empty shell)
      // where a plain query reads the new one.
      properties.setProperty("prepareThreshold", "0");
      properties.setProperty("preparedStatementCacheQueries", "0");
    } else {
      // A worker statement's text names its shard, so a table of 1,024 shards brings 512
      // texts of each statement to each of two workers. pgjdbc keeps 256 per connection by
      // default; beyond that, routed statements are parsed and planned anew each time.
      properties.setProperty("preparedStatementCacheQueries", "2048");
      properties.setProperty("preparedStatementCacheSizeMiB", "16");
    }
    config.setDataSourceProperties(properties);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(0);
    config.setIdleTimeout(60_000);
    // Borrowers queue in the FairPool for the limits' wait; HikariCP only ever waits for a
    // connection being opened, and must give up on a node that is down as soon as before.
    config.setConnectionTimeout(Math.min(limits.waitMillis(), CONNECT_WAIT_MILLIS));
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
