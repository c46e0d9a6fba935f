package io.spar.benchmarks;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.pgwire.PgWireServer;
import io.spar.session.SparSession;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The benchmark fixture of one JMH fork: a {@link LocalCluster} with {@value #WORKERS} workers,
 * a Spar connection to it, the hash-distributed table {@value #TABLE} ({@code k bigint, v text},
 * indexed on {@code k}, {@value #SHARDS} shards, replication factor {@value #REPLICATION_FACTOR})
 * and, for the direct side, one plain pgjdbc connection per worker plus the shard table and worker
 * of every shard, read from {@code pgs_distribution_metadata}. The replicated table
 * {@value #REPLICATED_TABLE} (the same shape, {@value #REPLICATED_FACTOR} placements per shard) is
 * created on demand by {@link #replicated()}.
 *
 * <p>The cluster lives in the directory named by the system property {@value #DIRECTORY_PROPERTY}
 * (default {@code target/bench-cluster} under the working directory) and is reused if it exists.
 * {@link #start()} drops and recreates the table, so every fork starts from an empty table.
 */
public final class BenchCluster implements AutoCloseable {
  /** Distributed table that every benchmark uses. */
  public static final String TABLE = "bench_kv";
  /** Number of worker nodes. */
  public static final int WORKERS = 2;
  /** Number of shards of {@value #TABLE}. */
  public static final int SHARDS = 8;
  /** Placements per shard. */
  public static final int REPLICATION_FACTOR = 1;
  /**
   * Distributed table of the replicated benchmarks: the shape and shard count of {@value #TABLE},
   * with {@value #REPLICATED_FACTOR} placements per shard, created at the first
   * {@link #replicated()}.
   */
  public static final String REPLICATED_TABLE = "bench_kv_rf2";
  /** Placements per shard of {@value #REPLICATED_TABLE}: one on each worker. */
  public static final int REPLICATED_FACTOR = 2;
  /** System property that names the cluster directory. */
  public static final String DIRECTORY_PROPERTY = "spar.bench.cluster";

  private static final int LOAD_BATCH = 1_000;
  private static final int ROUTING_CHECKS = 64;

  private final LocalCluster cluster;
  private final Path directory;
  private final List<Connection> connections = new ArrayList<>();
  private Connection spar;
  private PgWireServer postgresPort;
  private Connection coordinator;
  private long[] shardIds;
  private String[] shardTables;
  private Connection[] shardConnections;
  private String[] shardNodes;
  private final List<BytePumpProxy> proxies = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  /** One plain pgjdbc connection per worker ({@code host:port}), opened when first needed. */
  private final Map<String, Connection> workerConnections = new LinkedHashMap<>();
  private ReplicatedShards replicated;

  private BenchCluster(LocalCluster cluster, Path directory) {
    this.cluster = cluster;
    this.directory = directory;
  }

  /**
   * Starts or reuses the cluster, connects through Spar and straight to each node, and creates
   * the empty distributed table.
   *
   * @return the fixture; close it to close the connections and stop the cluster
   * @throws IOException if the cluster does not start
   * @throws SQLException if a connection or the table set-up fails
   */
  public static BenchCluster start() throws IOException, SQLException {
    Path directory = Path.of(System.getProperty(DIRECTORY_PROPERTY, "target/bench-cluster"))
        .toAbsolutePath().normalize();
    BenchCluster bench = new BenchCluster(LocalCluster.start(directory, WORKERS), directory);
    try {
      bench.connect();
      bench.createTable();
      bench.readPlacements();
    } catch (SQLException | RuntimeException e) {
      bench.close();
      throw e;
    }
    return bench;
  }

  private void connect() throws SQLException {
    spar = open("jdbc:spar:local=" + directory + ";workers=" + WORKERS);
    coordinator = open(cluster.coordinator().jdbcUrl());
  }

  private Connection open(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", LocalCluster.USER);
    Connection connection = DriverManager.getConnection(url, properties);
    connections.add(connection);
    return connection;
  }

  private void createTable() throws SQLException {
    createTable(TABLE, REPLICATION_FACTOR);
  }

  private void createTable(String table, int replicationFactor) throws SQLException {
    try (Statement statement = spar.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + table);
      statement.execute("CREATE TABLE " + table + " (k bigint NOT NULL, v text NOT NULL)");
      statement.execute("CREATE INDEX " + table + "_k ON " + table + " (k)");
      statement.execute("SELECT master_create_distributed_table('" + table + "', 'k', 'hash')");
      statement.execute("SELECT master_create_worker_shards('" + table + "', " + SHARDS + ", "
          + replicationFactor + ")");
    }
  }

  /** Reads every shard's id and its one finalized placement, and connects to its worker. */
  private void readPlacements() throws SQLException {
    Map<Long, List<String>> placements = placements(TABLE, REPLICATION_FACTOR);
    shardIds = new long[SHARDS];
    shardTables = new String[SHARDS];
    shardConnections = new Connection[SHARDS];
    shardNodes = new String[SHARDS];
    int index = 0;
    for (Map.Entry<Long, List<String>> placement : placements.entrySet()) {
      String node = placement.getValue().get(0);
      shardIds[index] = placement.getKey();
      shardTables[index] = TABLE + "_" + placement.getKey();
      shardConnections[index] = workerConnection(node);
      shardNodes[index] = node;
      index++;
    }
  }

  /**
   * Reads the finalized placements of every shard of {@code table} from the metadata and checks
   * that there are {@value #SHARDS} shards, each with {@code replicationFactor} placements on
   * distinct workers of this cluster.
   *
   * @return the workers ({@code host:port}) of each shard's placements, by shard id in id order
   */
  private Map<Long, List<String>> placements(String table, int replicationFactor)
      throws SQLException {
    Map<Long, List<String>> placements = new LinkedHashMap<>();
    try (PreparedStatement query = coordinator.prepareStatement(
        "SELECT s.id, p.node_name, p.node_port"
            + " FROM pgs_distribution_metadata.shard s"
            + " JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
            + " WHERE s.relation_id = ?::regclass AND p.shard_state = 1 ORDER BY s.id, p.id")) {
      query.setString(1, table);
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          placements.computeIfAbsent(rs.getLong(1), id -> new ArrayList<>())
              .add(rs.getString(2) + ":" + rs.getInt(3));
        }
      }
    }
    if (placements.size() != SHARDS) {
      throw new IllegalStateException("expected " + SHARDS + " shards of " + table
          + " with a finalized placement, found " + placements.size() + ": " + placements);
    }
    for (Map.Entry<Long, List<String>> shard : placements.entrySet()) {
      List<String> nodes = shard.getValue();
      if (nodes.size() != replicationFactor || nodes.stream().distinct().count() != nodes.size()) {
        throw new IllegalStateException("shard " + shard.getKey() + " of " + table + " has the"
            + " finalized placements " + nodes + "; expected replication factor "
            + replicationFactor + " on distinct workers");
      }
      for (String node : nodes) {
        if (!workerNodes().contains(node)) {
          throw new IllegalStateException("shard " + shard.getKey() + " is placed on " + node
              + ", which is not a worker of the cluster in " + directory + ": " + workerNodes());
        }
      }
    }
    return placements;
  }

  /** Returns the fixture's own plain pgjdbc connection to the worker {@code node}. */
  private Connection workerConnection(String node) throws SQLException {
    Connection connection = workerConnections.get(node);
    if (connection == null) {
      connection = open("jdbc:postgresql://" + node + "/" + LocalCluster.DATABASE);
      workerConnections.put(node, connection);
    }
    return connection;
  }

  /** Returns the workers as {@code host:port}, in worker order. */
  public List<String> workerNodes() {
    List<String> nodes = new ArrayList<>();
    for (PgNode worker : cluster.workers()) {
      nodes.add(worker.host() + ":" + worker.port());
    }
    return nodes;
  }

  /**
   * Returns the replicated table {@value #REPLICATED_TABLE}, which this call drops and recreates
   * (empty) the first time.
   *
   * @return its shards and their placements
   * @throws SQLException if creating the table or reading its placements fails
   */
  public ReplicatedShards replicated() throws SQLException {
    if (replicated == null) {
      createTable(REPLICATED_TABLE, REPLICATED_FACTOR);
      Map<Long, List<String>> placements = placements(REPLICATED_TABLE, REPLICATED_FACTOR);
      long[] ids = new long[SHARDS];
      Connection[][] connections = new Connection[SHARDS][];
      int index = 0;
      for (Map.Entry<Long, List<String>> shard : placements.entrySet()) {
        ids[index] = shard.getKey();
        connections[index] = new Connection[shard.getValue().size()];
        for (int p = 0; p < connections[index].length; p++) {
          connections[index][p] = workerConnection(shard.getValue().get(p));
        }
        index++;
      }
      replicated = new ReplicatedShards(ids, connections);
    }
    return replicated;
  }

  /** Returns the connection through {@code jdbc:spar:}. */
  public Connection spar() {
    return spar;
  }

  /**
   * Returns a pgjdbc connection through Spar's PostgreSQL port, which starts on the engine of
   * {@link #spar()} (on a free loopback port, without authentication) at the first call.
   */
  public Connection postgresPort() throws SQLException, IOException {
    if (postgresPort == null) {
      postgresPort = PgWireServer.start(spar.unwrap(SparSession.class).engine(),
          new PgWireServer.Settings(List.of(InetAddress.getLoopbackAddress()), 0, null, null,
              false));
    }
    Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
        + postgresPort.port() + "/" + postgresPort.database(), LocalCluster.USER, null);
    connections.add(connection);
    return connection;
  }

  /** Returns a plain pgjdbc connection to the coordinator database. */
  public Connection coordinator() {
    return coordinator;
  }

  /** Returns a plain pgjdbc connection to the worker at {@code node} ({@code host:port}). */
  public Connection worker(String node) throws SQLException {
    for (PgNode each : cluster.workers()) {
      if ((each.host() + ":" + each.port()).equals(node)) {
        return open("jdbc:postgresql://" + node + "/" + LocalCluster.DATABASE);
      }
    }
    throw new IllegalArgumentException(node + " is not a worker of the cluster in " + directory);
  }

  /** Returns the number of shards, which index {@link #shardId(int)} and friends. */
  public int shardCount() {
    return SHARDS;
  }

  /** Returns the id of the shard at {@code index} (shards in id order). */
  public long shardId(int index) {
    return shardIds[index];
  }

  /** Returns the name of the shard table at {@code index}, e.g. {@code bench_kv_10003}. */
  public String shardTable(int index) {
    return shardTables[index];
  }

  /** Returns the plain pgjdbc connection to the worker that holds the shard at {@code index}. */
  public Connection shardConnection(int index) {
    return shardConnections[index];
  }

  /**
   * Prepares one statement per shard on its worker.
   *
   * @param template SQL with {@code %s} where the shard table's name goes
   * @return the statements, indexed like the shards
   * @throws SQLException if preparing fails
   */
  public PreparedStatement[] prepareOnShards(String template) throws SQLException {
    PreparedStatement[] statements = new PreparedStatement[SHARDS];
    for (int i = 0; i < SHARDS; i++) {
      statements[i] = shardConnections[i].prepareStatement(String.format(template, shardTables[i]));
    }
    return statements;
  }

  /**
   * Prepares one statement per shard on its worker, each through a {@link BytePumpProxy} in
   * front of the worker: the statements of {@link #prepareOnShards} with one more hop.
   *
   * @param template SQL with {@code %s} where the shard table's name goes
   * @return the statements, indexed like the shards
   * @throws SQLException if preparing fails
   * @throws IOException if a proxy cannot listen
   */
  public PreparedStatement[] prepareOnShardsThroughProxies(String template)
      throws SQLException, IOException {
    Map<String, Connection> proxied = new HashMap<>();
    PreparedStatement[] statements = new PreparedStatement[SHARDS];
    for (int i = 0; i < SHARDS; i++) {
      String node = shardNodes[i];
      Connection connection = proxied.get(node);
      if (connection == null) {
        int colon = node.lastIndexOf(':');
        BytePumpProxy proxy = BytePumpProxy.start(node.substring(0, colon),
            Integer.parseInt(node.substring(colon + 1)));
        proxies.add(proxy);
        connection = open("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/"
            + LocalCluster.DATABASE);
        proxied.put(node, connection);
      }
      statements[i] = connection.prepareStatement(String.format(template, shardTables[i]));
    }
    return statements;
  }

  /**
   * Maps the keys {@code firstKey .. firstKey + count - 1} to their shards with PostgreSQL's own
   * {@code hashint8} and the shards' hash ranges in the metadata, then checks a sample of them
   * against Spar's {@code get_shard_id_for_distribution_column}.
   *
   * @param firstKey the first key
   * @param count the number of consecutive keys
   * @return the key map
   * @throws SQLException if a query fails
   * @throws IllegalStateException if a key falls in no shard or Spar routes a key elsewhere
   */
  public KeyMap keyMap(long firstKey, int count) throws SQLException {
    return keyMap(TABLE, shardIds, firstKey, count);
  }

  private KeyMap keyMap(String table, long[] shardIds, long firstKey, int count)
      throws SQLException {
    Map<Long, Integer> indexOfShard = new HashMap<>();
    for (int i = 0; i < SHARDS; i++) {
      indexOfShard.put(shardIds[i], i);
    }
    byte[] shards = new byte[count];
    Arrays.fill(shards, (byte) -1);
    boolean autoCommit = coordinator.getAutoCommit();
    coordinator.setAutoCommit(false); // lets pgjdbc fetch the rows in chunks
    try (PreparedStatement query = coordinator.prepareStatement(
        "SELECT g.k, s.id FROM generate_series(?::bigint, ?::bigint) AS g(k)"
            + " JOIN pgs_distribution_metadata.shard s ON s.relation_id = ?::regclass"
            + " AND hashint8(g.k) BETWEEN s.min_value::int AND s.max_value::int")) {
      query.setFetchSize(65_536);
      query.setLong(1, firstKey);
      query.setLong(2, firstKey + count - 1);
      query.setString(3, table);
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          int offset = Math.toIntExact(rs.getLong(1) - firstKey);
          if (shards[offset] != -1) {
            throw new IllegalStateException("key " + rs.getLong(1) + " falls in two shards");
          }
          shards[offset] = indexOfShard.get(rs.getLong(2)).byteValue();
        }
      }
      coordinator.commit();
    } finally {
      coordinator.setAutoCommit(autoCommit);
    }
    for (int i = 0; i < count; i++) {
      if (shards[i] == -1) {
        throw new IllegalStateException("key " + (firstKey + i) + " falls in no shard of " + table);
      }
    }
    KeyMap map = new KeyMap(firstKey, shards);
    checkRouting(table, shardIds, map);
    return map;
  }

  private void checkRouting(String table, long[] shardIds, KeyMap map) throws SQLException {
    int step = Math.max(1, map.size() / ROUTING_CHECKS);
    try (Statement statement = spar.createStatement()) {
      for (int i = 0; i < map.size(); i += step) {
        long key = map.key(i);
        try (ResultSet rs = statement.executeQuery(
            "SELECT get_shard_id_for_distribution_column('" + table + "', " + key + ")")) {
          rs.next();
          long sparShard = rs.getLong(1);
          if (sparShard != shardIds[map.shardIndex(i)]) {
            throw new IllegalStateException("Spar puts key " + key + " in shard " + sparShard
                + ", but hashint8 and the metadata's hash ranges put it in shard "
                + shardIds[map.shardIndex(i)]);
          }
        }
      }
    }
  }

  /**
   * Loads one row per key of {@code keys} straight into the shard tables, in batches, then
   * analyzes them.
   *
   * @param keys the keys to load
   * @throws SQLException if loading fails
   */
  public void load(KeyMap keys) throws SQLException {
    PreparedStatement[] inserts = prepareOnShards("INSERT INTO %s (k, v) VALUES (?, ?)");
    try {
      int[] pending = new int[SHARDS];
      for (int i = 0; i < keys.size(); i++) {
        int shard = keys.shardIndex(i);
        inserts[shard].setLong(1, keys.key(i));
        inserts[shard].setString(2, value(keys.key(i)));
        inserts[shard].addBatch();
        if (++pending[shard] == LOAD_BATCH) {
          inserts[shard].executeBatch();
          pending[shard] = 0;
        }
      }
      for (int shard = 0; shard < SHARDS; shard++) {
        if (pending[shard] > 0) {
          inserts[shard].executeBatch();
        }
      }
    } finally {
      for (PreparedStatement insert : inserts) {
        insert.close();
      }
    }
    for (int shard = 0; shard < SHARDS; shard++) {
      try (Statement statement = shardConnections[shard].createStatement()) {
        statement.execute("VACUUM ANALYZE " + shardTables[shard]);
      }
    }
  }

  /** Empties the table through Spar ({@code TRUNCATE bench_kv} reaches every shard). */
  public void truncateThroughSpar() throws SQLException {
    try (Statement statement = spar.createStatement()) {
      statement.execute("TRUNCATE " + TABLE);
    }
  }

  /** Empties every shard table straight on its worker. */
  public void truncateShards() throws SQLException {
    for (int shard = 0; shard < SHARDS; shard++) {
      try (Statement statement = shardConnections[shard].createStatement()) {
        statement.execute("TRUNCATE " + shardTables[shard]);
      }
    }
  }

  /** Returns the number of rows in all shard tables together, counted on the workers. */
  public long countShardRows() throws SQLException {
    long rows = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      try (Statement statement = shardConnections[shard].createStatement();
           ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + shardTables[shard])) {
        rs.next();
        rows += rs.getLong(1);
      }
    }
    return rows;
  }

  /** Returns the value column of the row with {@code key}. */
  public static String value(long key) {
    return "value-" + key;
  }

  /**
   * Has {@link #close()} close {@code resource} (e.g. another client's data source on the
   * workers) before the fixture's connections and nodes; the last one registered closes first.
   *
   * @param resource what to close
   * @param <T> its type
   * @return {@code resource}
   */
  public <T extends AutoCloseable> T closeFirst(T resource) {
    resources.add(resource);
    return resource;
  }

  /**
   * Closes the resources of {@link #closeFirst} and every connection, then stops the cluster's
   * nodes ({@code pg_ctl stop -m fast}).
   */
  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        // Best effort: the nodes stop below anyway, which ends whatever was still connected.
      }
    }
    resources.clear();
    for (Connection connection : connections) {
      try {
        connection.close();
      } catch (SQLException e) {
        // Closing is best effort; the cluster stops below anyway.
      }
    }
    connections.clear();
    for (BytePumpProxy each : proxies) {
      try {
        each.close();
      } catch (IOException e) {
        // best effort, as above
      }
    }
    if (postgresPort != null) {
      postgresPort.close();
    }
    cluster.close();
  }

  /**
   * The shards of {@value #REPLICATED_TABLE} in id order, each with its
   * {@value #REPLICATED_FACTOR} placements (in placement id order) and the fixture's plain pgjdbc
   * connection to each placement's worker.
   */
  public final class ReplicatedShards {
    private final long[] ids;
    private final Connection[][] placements;

    private ReplicatedShards(long[] ids, Connection[][] placements) {
      this.ids = ids;
      this.placements = placements;
    }

    /**
     * Maps consecutive keys to the shards of {@value #REPLICATED_TABLE}, as
     * {@link BenchCluster#keyMap(long, int)} does for {@value #TABLE}.
     *
     * @param firstKey the first key
     * @param count the number of consecutive keys
     * @return the key map, with indexes into these shards
     * @throws SQLException if a query fails
     */
    public KeyMap keyMap(long firstKey, int count) throws SQLException {
      return BenchCluster.this.keyMap(REPLICATED_TABLE, ids, firstKey, count);
    }

    /** Returns the name of the shard table at {@code index}, the same on every placement. */
    public String shardTable(int index) {
      return REPLICATED_TABLE + "_" + ids[index];
    }

    /** Returns the connection to the worker of placement {@code replica} of shard {@code index}. */
    public Connection placement(int index, int replica) {
      return placements[index][replica];
    }

    /** Empties the table through Spar. */
    public void truncateThroughSpar() throws SQLException {
      try (Statement statement = spar.createStatement()) {
        statement.execute("TRUNCATE " + REPLICATED_TABLE);
      }
    }

    /** Empties every placement of every shard straight on its worker. */
    public void truncatePlacements() throws SQLException {
      for (int index = 0; index < ids.length; index++) {
        for (Connection placement : placements[index]) {
          try (Statement statement = placement.createStatement()) {
            statement.execute("TRUNCATE " + shardTable(index));
          }
        }
      }
    }

    /** Returns the rows in placement {@code replica} of shard {@code index}, counted there. */
    public long countRows(int index, int replica) throws SQLException {
      try (Statement statement = placements[index][replica].createStatement();
          ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + shardTable(index))) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * The shard of each key of a run of consecutive keys, as an index into the fixture's shards.
   */
  public static final class KeyMap {
    private final long firstKey;
    private final byte[] shards;

    KeyMap(long firstKey, byte[] shards) {
      this.firstKey = firstKey;
      this.shards = shards;
    }

    /** Returns the number of keys. */
    public int size() {
      return shards.length;
    }

    /** Returns the key at {@code offset}. */
    public long key(int offset) {
      return firstKey + offset;
    }

    /** Returns the shard index of the key at {@code offset}. */
    public int shardIndex(int offset) {
      return shards[offset];
    }
  }
}
