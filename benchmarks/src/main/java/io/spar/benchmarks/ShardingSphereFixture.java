package io.spar.benchmarks;

import io.spar.engine.cluster.LocalCluster;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * ShardingSphere-JDBC 5.5.2 on the workers of a {@link BenchCluster}, for the side-by-side
 * benchmarks: the logical table {@value #TABLE} ({@code k bigint, v text}, indexed on {@code k},
 * like {@value BenchCluster#TABLE}) sharded by ShardingSphere's {@code MOD} algorithm on {@code k}
 * into {@value #SHARDS} physical tables {@code ss_kv_0} to {@code ss_kv_7}, table {@code i} on
 * worker {@code i % 2}: 4 per worker, the layout of Spar's table. Keys must not be negative
 * ({@code MOD} routes {@code k % 8}).
 *
 * <p>ShardingSphere bundles Calcite 1.38, which clashes with Spar's, so its jars (copied into
 * {@code target/shardingsphere-lib} by {@code shardingsphere-lib/pom.xml}, or the directory named
 * by the system property {@value #LIB_PROPERTY}) load in a {@link URLClassLoader} of their own
 * whose parent is the platform class loader: only {@code java.sql} and {@code javax.sql} are
 * shared, and the data source is made reflectively from a YAML configuration (two data sources,
 * one HikariCP pool per worker). ShardingSphere finds its plug-ins through the thread's context
 * class loader, so {@link #start} sets that to ShardingSphere's loader for the calling thread, the
 * benchmark's thread, until {@link #close()}.
 *
 * <p>{@link #start} drops and recreates the physical tables, then checks ShardingSphere's routing:
 * rows inserted through it must land in {@code ss_kv_(k % 8)} on the expected worker.
 */
final class ShardingSphereFixture implements AutoCloseable {
  /** The logical table. */
  static final String TABLE = "ss_kv";
  /** Physical tables, {@code ss_kv_0} to {@code ss_kv_7}. */
  static final int SHARDS = BenchCluster.SHARDS;
  /** System property that names the directory of ShardingSphere's jars. */
  static final String LIB_PROPERTY = "spar.bench.shardingsphere.lib";
  /**
   * Connections ShardingSphere may use per data source for one statement: with more than one
   * it queries a data source's tables in parallel rather than one after another, as Spar does.
   */
  static final int CONNECTIONS_PER_QUERY = SHARDS / BenchCluster.WORKERS;

  private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
  private static final String FACTORY =
      "org.apache.shardingsphere.driver.api.yaml.YamlShardingSphereDataSourceFactory";
  private static final long[] ROUTING_KEYS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 1_000_000_007L,
      1_000_000_000_004L};

  private final BenchCluster cluster;
  private final Connection[] tableConnections = new Connection[SHARDS];
  private URLClassLoader loader;
  private ClassLoader previousContextLoader;
  private DataSource dataSource;
  private Connection connection;

  private ShardingSphereFixture(BenchCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * Creates the physical tables on the workers of {@code cluster}, starts ShardingSphere-JDBC on
   * them, opens a connection and checks the routing; the cluster closes the fixture first when
   * it closes.
   *
   * @param cluster the running cluster
   * @return the fixture
   * @throws SQLException if a table, the data source or the routing check fails
   * @throws IOException if ShardingSphere's jars cannot be read
   */
  static ShardingSphereFixture start(BenchCluster cluster) throws SQLException, IOException {
    ShardingSphereFixture fixture = cluster.closeFirst(new ShardingSphereFixture(cluster));
    List<String> workers = cluster.workerNodes();
    List<Connection> workerConnections = new ArrayList<>();
    for (String worker : workers) {
      workerConnections.add(cluster.worker(worker)); // the fixture's own; the cluster closes them
    }
    for (int i = 0; i < SHARDS; i++) {
      fixture.tableConnections[i] = workerConnections.get(i % workers.size());
      try (Statement statement = fixture.tableConnections[i].createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + physicalTable(i));
        statement.execute("CREATE TABLE " + physicalTable(i)
            + " (k bigint NOT NULL, v text NOT NULL)");
        statement.execute("CREATE INDEX " + physicalTable(i) + "_k ON " + physicalTable(i)
            + " (k)");
      }
    }
    fixture.open(workers);
    fixture.checkRouting();
    return fixture;
  }

  private void open(List<String> workers) throws SQLException, IOException {
    // ShardingSphere's slf4j-simple reads no simplelogger.properties from its class loader; the
    // system property keeps it at warnings, like Spar's logging here (a setting given wins).
    if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
      System.setProperty(LOG_LEVEL_PROPERTY, "warn");
    }
    loader = classLoader(Path.of(System.getProperty(LIB_PROPERTY, "target/shardingsphere-lib")));
    previousContextLoader = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(loader);
    try {
      Class<?> factory = Class.forName(FACTORY, true, loader);
      dataSource = (DataSource) factory.getMethod("createDataSource", byte[].class)
          .invoke(null, (Object) yaml(workers).getBytes(StandardCharsets.UTF_8));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new IllegalStateException("ShardingSphere did not start", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("no usable " + FACTORY + " in " + loader, e);
    }
    connection = dataSource.getConnection();
  }

  private static URLClassLoader classLoader(Path lib) throws IOException {
    List<URL> jars = new ArrayList<>();
    if (Files.isDirectory(lib)) {
      try (Stream<Path> files = Files.list(lib)) {
        for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
          try {
            jars.add(jar.toUri().toURL());
          } catch (MalformedURLException e) {
            throw new IOException(e);
          }
        }
      }
    }
    if (jars.isEmpty()) {
      throw new IllegalStateException("no ShardingSphere jars in " + lib.toAbsolutePath()
          + "; 'mvn -pl benchmarks package' copies them there");
    }
    return new URLClassLoader("shardingsphere", jars.toArray(new URL[0]),
        ClassLoader.getPlatformClassLoader());
  }

  /**
   * ShardingSphere's configuration: data source {@code ds_i} is worker {@code i}, and the
   * sharding rule's auto table {@value #TABLE} gets {@value #SHARDS} tables by {@code MOD}, which
   * ShardingSphere spreads round-robin over the data sources ({@code ss_kv_i} on
   * {@code ds_(i % 2)}).
   */
  private static String yaml(List<String> workers) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("databaseName: spar_bench\n");
    yaml.append("mode:\n  type: Standalone\n  repository:\n    type: JDBC\n");
    yaml.append("dataSources:\n");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      names.add("ds_" + i);
      yaml.append("  ds_").append(i).append(":\n")
          .append("    dataSourceClassName: com.zaxxer.hikari.HikariDataSource\n")
          .append("    driverClassName: org.postgresql.Driver\n")
          .append("    jdbcUrl: jdbc:postgresql://").append(workers.get(i)).append('/')
          .append(LocalCluster.DATABASE).append('\n')
          .append("    username: ").append(LocalCluster.USER).append('\n')
          .append("    maximumPoolSize: ").append(2 * CONNECTIONS_PER_QUERY).append('\n')
          .append("    minimumIdle: 1\n");
    }
    yaml.append("rules:\n")
        .append("- !SHARDING\n")
        .append("  autoTables:\n")
        .append("    ").append(TABLE).append(":\n")
        .append("      actualDataSources: ").append(String.join(",", names)).append('\n')
        .append("      shardingStrategy:\n")
        .append("        standard:\n")
        .append("          shardingColumn: k\n")
        .append("          shardingAlgorithmName: kv_mod\n")
        .append("  shardingAlgorithms:\n")
        .append("    kv_mod:\n")
        .append("      type: MOD\n")
        .append("      props:\n")
        .append("        sharding-count: ").append(SHARDS).append('\n');
    yaml.append("props:\n")
        .append("  max-connections-size-per-query: ").append(CONNECTIONS_PER_QUERY).append('\n')
        .append("  sql-show: false\n");
    return yaml.toString();
  }

  /** Inserts a few keys through ShardingSphere and checks where they landed. */
  private void checkRouting() throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO " + TABLE + " (k, v) VALUES (?, ?)")) {
      for (long key : ROUTING_KEYS) {
        insert.setLong(1, key);
        insert.setString(2, BenchCluster.value(key));
        insert.executeUpdate();
      }
    }
    for (int i = 0; i < SHARDS; i++) {
      List<Long> expected = new ArrayList<>();
      for (long key : ROUTING_KEYS) {
        if (tableIndex(key) == i) {
          expected.add(key);
        }
      }
      List<Long> found = new ArrayList<>();
      try (Statement statement = tableConnections[i].createStatement();
          ResultSet rs = statement.executeQuery("SELECT k, v FROM " + physicalTable(i)
              + " ORDER BY k")) {
        while (rs.next()) {
          if (!rs.getString(2).equals(BenchCluster.value(rs.getLong(1)))) {
            throw new IllegalStateException(physicalTable(i) + " holds key " + rs.getLong(1)
                + " with value " + rs.getString(2));
          }
          found.add(rs.getLong(1));
        }
      }
      if (!found.equals(expected)) {
        throw new IllegalStateException("ShardingSphere put the keys " + found + " into "
            + physicalTable(i) + "; expected " + expected);
      }
    }
    truncate();
  }

  /** Returns the connection through ShardingSphere (autocommit). */
  Connection connection() {
    return connection;
  }

  /** Returns the physical table's index of {@code key}. */
  static int tableIndex(long key) {
    return (int) (key % SHARDS);
  }

  /** Returns the name of physical table {@code index}, e.g. {@code ss_kv_3}. */
  static String physicalTable(int index) {
    return TABLE + "_" + index;
  }

  /**
   * Loads the rows of the keys {@code firstKey .. firstKey + count - 1} (values as
   * {@link BenchCluster#value}) straight into the physical tables, generated on each worker,
   * then analyzes them.
   *
   * @param firstKey the first key, not negative
   * @param count the number of keys
   * @throws SQLException if loading fails
   */
  void load(long firstKey, int count) throws SQLException {
    for (int i = 0; i < SHARDS; i++) {
      try (Statement statement = tableConnections[i].createStatement()) {
        // 'value-' || k is BenchCluster.value(k) in SQL; countRows() checks every row's.
        statement.execute("INSERT INTO " + physicalTable(i) + " (k, v) SELECT k, 'value-' || k"
            + " FROM generate_series(" + firstKey + "::bigint, " + (firstKey + count - 1)
            + "::bigint) AS k WHERE k % " + SHARDS + " = " + i);
        statement.execute("VACUUM ANALYZE " + physicalTable(i));
      }
    }
  }

  /** Empties every physical table straight on its worker. */
  void truncate() throws SQLException {
    for (int i = 0; i < SHARDS; i++) {
      try (Statement statement = tableConnections[i].createStatement()) {
        statement.execute("TRUNCATE " + physicalTable(i));
      }
    }
  }

  /**
   * Counts the rows of all physical tables on the workers, checking that each table holds only
   * keys that belong there and values that match their keys.
   *
   * @return the rows
   * @throws SQLException if counting fails
   * @throws IllegalStateException if a row is in the wrong table or has the wrong value
   */
  long countRows() throws SQLException {
    long rows = 0;
    for (int i = 0; i < SHARDS; i++) {
      try (Statement statement = tableConnections[i].createStatement();
          ResultSet rs = statement.executeQuery("SELECT count(*), count(*) FILTER (WHERE k % "
              + SHARDS + " <> " + i + " OR v <> 'value-' || k) FROM " + physicalTable(i))) {
        rs.next();
        if (rs.getLong(2) != 0) {
          throw new IllegalStateException(physicalTable(i) + " holds " + rs.getLong(2)
              + " rows whose key belongs in another table or whose value is not 'value-' || k");
        }
        rows += rs.getLong(1);
      }
    }
    return rows;
  }

  /** Closes the connection and the data source, and gives the thread its class loader back. */
  @Override
  public void close() throws Exception {
    try {
      if (connection != null) {
        connection.close();
      }
      if (dataSource instanceof AutoCloseable closeable) {
        closeable.close();
      }
    } finally {
      if (loader != null) {
        Thread.currentThread().setContextClassLoader(previousContextLoader);
        loader.close();
      }
    }
  }
}
