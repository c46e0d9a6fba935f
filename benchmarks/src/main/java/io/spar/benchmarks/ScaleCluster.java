package io.spar.benchmarks;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
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
 * The fixture of the scale benchmarks (issue 16): a {@link LocalCluster} with any number of
 * workers, holding the hash-distributed table {@value #TABLE} ({@code k bigint, v text}, unique
 * on {@code k}, replication factor 1) with any number of shards, a Spar connection to it, one
 * plain pgjdbc connection per worker, the shard table and worker of every shard (read from
 * {@code pgs_distribution_metadata}) and the key-to-shard map.
 *
 * <p>Unlike {@link BenchCluster}, which recreates its small table in every fork, this fixture
 * keeps the table when it already has the shard count asked for, because creating 1,024 or
 * 10,000 shard tables takes seconds to minutes; it drops and recreates the table only when the
 * shard count (or its placements) differ, and {@link #ensureRows} loads rows only when the table
 * does not already hold exactly them. The cluster lives in {@code scale-cluster-<workers>w}
 * under {@link #targetDirectory()} unless a directory is given.
 */
public final class ScaleCluster implements AutoCloseable {
  /** The distributed table. */
  public static final String TABLE = "scale_kv";
  /** Placements per shard. */
  public static final int REPLICATION_FACTOR = 1;
  /**
   * System property naming the directory that holds the clusters and results; by default the
   * {@code target} directory of the benchmarks module, found from where this class was loaded.
   */
  public static final String TARGET_PROPERTY = "spar.scale.target";

  private static final int LOAD_BATCH = 1_000;
  private static final int ROUTING_CHECKS = 64;

  private final LocalCluster cluster;
  private final Path directory;
  private final int workerCount;
  private final int shards;
  private final List<Connection> connections = new ArrayList<>();
  private final Map<String, Connection> workerConnections = new LinkedHashMap<>();
  private Connection spar;
  private Connection coordinator;
  private long[] shardIds;
  private String[] shardTables;
  private Connection[] shardConnections;

  private ScaleCluster(LocalCluster cluster, Path directory, int workerCount, int shards) {
    this.cluster = cluster;
    this.directory = directory;
    this.workerCount = workerCount;
    this.shards = shards;
  }

  /**
   * Starts or reuses the cluster with {@code workers} workers in {@code scale-cluster-<workers>w}
   * under {@link #targetDirectory()}, and makes {@value #TABLE} have {@code shards} shards.
   *
   * @param workers the number of workers
   * @param shards the number of shards of {@value #TABLE}
   * @return the fixture; close it to close the connections and stop the cluster
   * @throws IOException if the cluster does not start
   * @throws SQLException if a connection or the table set-up fails
   */
  public static ScaleCluster start(int workers, int shards) throws IOException, SQLException {
    return start(targetDirectory().resolve("scale-cluster-" + workers + "w"), workers, shards);
  }

  /**
   * Starts or reuses the cluster in {@code directory} with {@code workers} workers, and makes
   * {@value #TABLE} have {@code shards} shards: kept if it has them, else (re)created.
   *
   * @param directory the cluster directory
   * @param workers the number of workers
   * @param shards the number of shards of {@value #TABLE}
   * @return the fixture; close it to close the connections and stop the cluster
   * @throws IOException if the cluster does not start
   * @throws SQLException if a connection or the table set-up fails
   */
  public static ScaleCluster start(Path directory, int workers, int shards)
      throws IOException, SQLException {
    Path absolute = directory.toAbsolutePath().normalize();
    ScaleCluster scale = new ScaleCluster(LocalCluster.start(absolute, workers), absolute,
        workers, shards);
    try {
      scale.connect();
      if (!scale.hasTable()) {
        scale.createTable();
      }
      scale.readPlacements();
    } catch (SQLException | RuntimeException e) {
      scale.close();
      throw e;
    }
    return scale;
  }

  /**
   * Returns the directory under which the scale clusters and results live: the system property
   * {@value #TARGET_PROPERTY} if set, else the {@code target} directory of the benchmarks module
   * (the one holding {@code benchmarks.jar} or {@code classes}), whatever the working directory.
   */
  public static Path targetDirectory() {
    String configured = System.getProperty(TARGET_PROPERTY);
    if (configured != null) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    try {
      Path loadedFrom = Path.of(ScaleCluster.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI());
      // benchmarks/target/benchmarks.jar or benchmarks/target/classes: either way its parent.
      return loadedFrom.toAbsolutePath().getParent();
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("target").toAbsolutePath();
    }
  }

  /**
   * Returns {@code scale} under {@link #targetDirectory()}, where the result files go, creating
   * it if needed.
   */
  public static Path resultDirectory() throws IOException {
    return Files.createDirectories(targetDirectory().resolve("scale"));
  }

  private void connect() throws SQLException {
    spar = open(sparUrl());
    coordinator = open(cluster.coordinator().jdbcUrl());
    for (PgNode worker : cluster.workers()) {
      String node = worker.host() + ":" + worker.port();
      workerConnections.put(node, open("jdbc:postgresql://" + node + "/" + LocalCluster.DATABASE));
    }
  }

  private Connection open(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", LocalCluster.USER);
    Connection connection = DriverManager.getConnection(url, properties);
    connections.add(connection);
    return connection;
  }

  /**
   * Returns whether {@value #TABLE} exists with {@link #shards} shards, each with exactly one
   * finalized placement on a worker of this cluster, so that it can be kept.
   */
  private boolean hasTable() throws SQLException {
    try (PreparedStatement query = coordinator.prepareStatement(
        "SELECT count(DISTINCT s.id), count(p.id),"
            + " count(p.id) FILTER (WHERE p.shard_state = 1"
            + " AND p.node_name || ':' || p.node_port = ANY (?))"
            + " FROM pgs_distribution_metadata.shard s"
            + " LEFT JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
            + " WHERE s.relation_id = to_regclass(?)")) {
      query.setArray(1, coordinator.createArrayOf("text", workerConnections.keySet().toArray()));
      query.setString(2, TABLE);
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return rs.getLong(1) == shards && rs.getLong(2) == (long) shards * REPLICATION_FACTOR
            && rs.getLong(3) == rs.getLong(2);
      }
    }
  }

  private void createTable() throws SQLException {
    long start = System.nanoTime();
    try (Statement statement = spar.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + TABLE);
      statement.execute("CREATE TABLE " + TABLE + " (k bigint NOT NULL, v text NOT NULL)");
      // Unique, so that ensureRows can tell from a count and the key range that a kept table
      // holds exactly the keys asked for (a key hashes to one shard, where it can occur once).
      statement.execute("CREATE UNIQUE INDEX " + TABLE + "_k ON " + TABLE + " (k)");
      statement.execute("SELECT master_create_distributed_table('" + TABLE + "', 'k', 'hash')");
      statement.execute("SELECT master_create_worker_shards('" + TABLE + "', " + shards + ", "
          + REPLICATION_FACTOR + ")");
    }
    System.err.printf("ScaleCluster: created %s with %,d shards on %d workers in %.1f s%n", TABLE,
        shards, workerCount, (System.nanoTime() - start) / 1e9);
  }

  /** Reads every shard's id and its one finalized placement, in id order. */
  private void readPlacements() throws SQLException {
    Map<Long, String> placements = new LinkedHashMap<>();
    try (PreparedStatement query = coordinator.prepareStatement(
        "SELECT s.id, p.node_name, p.node_port"
            + " FROM pgs_distribution_metadata.shard s"
            + " JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
            + " WHERE s.relation_id = ?::regclass AND p.shard_state = 1 ORDER BY s.id")) {
      query.setString(1, TABLE);
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          String node = rs.getString(2) + ":" + rs.getInt(3);
          if (placements.put(rs.getLong(1), node) != null) {
            throw new IllegalStateException("shard " + rs.getLong(1) + " of " + TABLE
                + " has more than one finalized placement");
          }
        }
      }
    }
    if (placements.size() != shards) {
      throw new IllegalStateException("expected " + shards + " shards of " + TABLE
          + " with a finalized placement, found " + placements.size());
    }
    shardIds = new long[shards];
    shardTables = new String[shards];
    shardConnections = new Connection[shards];
    int index = 0;
    for (Map.Entry<Long, String> placement : placements.entrySet()) {
      Connection connection = workerConnections.get(placement.getValue());
      if (connection == null) {
        throw new IllegalStateException("shard " + placement.getKey() + " is placed on "
            + placement.getValue() + ", which is not a worker of the cluster in " + directory);
      }
      shardIds[index] = placement.getKey();
      shardTables[index] = TABLE + "_" + placement.getKey();
      shardConnections[index] = connection;
      index++;
    }
  }

  /** Returns the {@code jdbc:spar:} URL of this cluster. */
  public String sparUrl() {
    return "jdbc:spar:local=" + directory + ";workers=" + workerCount;
  }

  /** Returns the connection through {@code jdbc:spar:}. */
  public Connection spar() {
    return spar;
  }

  /**
   * Opens another connection through {@code jdbc:spar:}; in one JVM all of them share one engine,
   * as an application's would. The fixture closes it on {@link #close()}.
   */
  public Connection openSpar() throws SQLException {
    return open(sparUrl());
  }

  /** Returns a plain pgjdbc connection to the coordinator database. */
  public Connection coordinator() {
    return coordinator;
  }

  /** Returns the pgjdbc URL of the coordinator database. */
  public String coordinatorUrl() {
    return cluster.coordinator().jdbcUrl();
  }

  /** Returns the plain pgjdbc connection to each worker, by {@code host:port}, in worker order. */
  public Map<String, Connection> workerConnections() {
    return workerConnections;
  }

  /** Returns the number of shards, which index {@link #shardId(int)} and friends. */
  public int shardCount() {
    return shards;
  }

  /** Returns the id of the shard at {@code index} (shards in id order). */
  public long shardId(int index) {
    return shardIds[index];
  }

  /** Returns the name of the shard table at {@code index}, e.g. {@code scale_kv_10003}. */
  public String shardTable(int index) {
    return shardTables[index];
  }

  /** Returns the plain pgjdbc connection to the worker that holds the shard at {@code index}. */
  public Connection shardConnection(int index) {
    return shardConnections[index];
  }

  /**
   * Prepares one statement per shard on its worker; pgjdbc prepares on the server only after a
   * statement ran a few times, so a thousand of them cost little until used.
   *
   * @param template SQL with {@code %s} where the shard table's name goes
   * @return the statements, indexed like the shards
   * @throws SQLException if preparing fails
   */
  public PreparedStatement[] prepareOnShards(String template) throws SQLException {
    PreparedStatement[] statements = new PreparedStatement[shards];
    for (int i = 0; i < shards; i++) {
      statements[i] = shardConnections[i].prepareStatement(String.format(template, shardTables[i]));
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
    Map<Long, Integer> indexOfShard = new HashMap<>();
    for (int i = 0; i < shards; i++) {
      indexOfShard.put(shardIds[i], i);
    }
    int[] shardOfKey = new int[count];
    Arrays.fill(shardOfKey, -1);
    boolean autoCommit = coordinator.getAutoCommit();
    coordinator.setAutoCommit(false); // lets pgjdbc fetch the rows in chunks
    try (PreparedStatement query = coordinator.prepareStatement(
        "SELECT g.k, s.id FROM generate_series(?::bigint, ?::bigint) AS g(k)"
            + " JOIN pgs_distribution_metadata.shard s ON s.relation_id = ?::regclass"
            + " AND hashint8(g.k) BETWEEN s.min_value::int AND s.max_value::int")) {
      query.setFetchSize(65_536);
      query.setLong(1, firstKey);
      query.setLong(2, firstKey + count - 1);
      query.setString(3, TABLE);
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          int offset = Math.toIntExact(rs.getLong(1) - firstKey);
          if (shardOfKey[offset] != -1) {
            throw new IllegalStateException("key " + rs.getLong(1) + " falls in two shards");
          }
          shardOfKey[offset] = indexOfShard.get(rs.getLong(2));
        }
      }
      coordinator.commit();
    } finally {
      coordinator.setAutoCommit(autoCommit);
    }
    for (int i = 0; i < count; i++) {
      if (shardOfKey[i] == -1) {
        throw new IllegalStateException("key " + (firstKey + i) + " falls in no shard of " + TABLE);
      }
    }
    KeyMap map = new KeyMap(firstKey, shardOfKey);
    checkRouting(map);
    return map;
  }

  private void checkRouting(KeyMap map) throws SQLException {
    int step = Math.max(1, map.size() / ROUTING_CHECKS);
    try (Statement statement = spar.createStatement()) {
      for (int i = 0; i < map.size(); i += step) {
        long key = map.key(i);
        try (ResultSet rs = statement.executeQuery(
            "SELECT get_shard_id_for_distribution_column('" + TABLE + "', " + key + ")")) {
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
   * Makes the table hold exactly one row per key of {@code keys} ({@link #value(long)} as value):
   * kept if it already does, else emptied and loaded straight into the shard tables, which are
   * then analyzed.
   *
   * @param keys the keys
   * @throws SQLException if counting or loading fails
   */
  public void ensureRows(KeyMap keys) throws SQLException {
    if (holdsExactly(keys)) {
      return;
    }
    long start = System.nanoTime();
    truncateShards();
    List<List<Integer>> offsetsByShard = new ArrayList<>(shards);
    for (int i = 0; i < shards; i++) {
      offsetsByShard.add(new ArrayList<>());
    }
    for (int i = 0; i < keys.size(); i++) {
      offsetsByShard.get(keys.shardIndex(i)).add(i);
    }
    for (int shard = 0; shard < shards; shard++) {
      List<Integer> offsets = offsetsByShard.get(shard);
      if (offsets.isEmpty()) {
        continue;
      }
      try (PreparedStatement insert = shardConnections[shard].prepareStatement(
          "INSERT INTO " + shardTables[shard] + " (k, v) VALUES (?, ?)")) {
        int pending = 0;
        for (int offset : offsets) {
          insert.setLong(1, keys.key(offset));
          insert.setString(2, value(keys.key(offset)));
          insert.addBatch();
          if (++pending == LOAD_BATCH) {
            insert.executeBatch();
            pending = 0;
          }
        }
        if (pending > 0) {
          insert.executeBatch();
        }
      }
      try (Statement statement = shardConnections[shard].createStatement()) {
        statement.execute("VACUUM ANALYZE " + shardTables[shard]);
      }
    }
    if (!holdsExactly(keys)) {
      throw new IllegalStateException("the shard tables of " + TABLE
          + " do not hold the rows just loaded");
    }
    System.err.printf("ScaleCluster: loaded %,d rows into %,d shards in %.1f s%n", keys.size(),
        shards, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Returns whether the shard tables hold exactly the keys of {@code keys}: as many rows, all
   * within the key range; with {@code k} unique and every key in one shard, that is the set.
   */
  private boolean holdsExactly(KeyMap keys) throws SQLException {
    long rows = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int shard = 0; shard < shards; shard++) {
      try (Statement statement = shardConnections[shard].createStatement();
           ResultSet rs = statement.executeQuery(
               "SELECT count(*), min(k), max(k) FROM " + shardTables[shard])) {
        rs.next();
        long count = rs.getLong(1);
        if (count > 0) {
          rows += count;
          min = Math.min(min, rs.getLong(2));
          max = Math.max(max, rs.getLong(3));
        }
      }
    }
    return rows == keys.size()
        && (rows == 0 || (min >= keys.key(0) && max <= keys.key(keys.size() - 1)));
  }

  /** Empties every shard table straight on its worker. */
  public void truncateShards() throws SQLException {
    for (int shard = 0; shard < shards; shard++) {
      try (Statement statement = shardConnections[shard].createStatement()) {
        statement.execute("TRUNCATE " + shardTables[shard]);
      }
    }
  }

  /** Returns the value column of the row with {@code key}. */
  public static String value(long key) {
    return "value-" + key;
  }

  /** Closes every connection, then stops the cluster's nodes ({@code pg_ctl stop -m fast}). */
  @Override
  public void close() {
    for (Connection connection : connections) {
      try {
        connection.close();
      } catch (SQLException e) {
        // Closing is best effort; the cluster stops below anyway.
      }
    }
    connections.clear();
    cluster.close();
  }

  /** The shard of each key of a run of consecutive keys, as an index into the fixture's shards. */
  public static final class KeyMap {
    private final long firstKey;
    private final int[] shards;

    KeyMap(long firstKey, int[] shards) {
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

    /** Returns how many distinct shards the keys fall in. */
    public int shardsCovered() {
      return (int) Arrays.stream(shards).distinct().count();
    }
  }
}
