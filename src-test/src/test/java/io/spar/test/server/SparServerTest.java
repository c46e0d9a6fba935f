package io.spar.test.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code spar serve} in a process of its own, used through the plain Avatica remote driver as
 * an application would: statements, authentication, concurrent clients and shutdown.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparServerTest {
  private static final int CLIENTS = 16;
  private static final int STATEMENTS_PER_CLIENT = 500;

  private ServedSpar server;

  @BeforeAll
  void startServer() throws Exception {
    server = ServedSpar.start("spar-serve-test");
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE remote_orders (id bigint, customer_id bigint, amount int,"
          + " note text)");
      s.execute("SELECT master_create_distributed_table('remote_orders', 'customer_id',"
          + " 'hash')");
      s.execute("SELECT master_create_worker_shards('remote_orders', 8, 2)");
    }
  }

  @AfterAll
  void stopServer() throws Exception {
    server.close();
  }

  @Test
  @Order(1)
  void statementsWorkRemotelyAsTheyDoEmbedded() throws SQLException {
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      assertEquals(3, s.executeUpdate("INSERT INTO remote_orders VALUES (1, 10, 100, 'a'),"
          + " (2, 20, 200, 'b'), (3, 30, 300, 'c')"));
      try (ResultSet routed = s.executeQuery(
          "SELECT id, amount FROM remote_orders WHERE customer_id = 20")) {
        assertTrue(routed.next());
        assertEquals(2, routed.getLong("id"));
        assertEquals(200, routed.getInt("amount"));
      }
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO remote_orders VALUES (?, ?, ?, ?)")) {
        for (int i = 0; i < 20; i++) {
          insert.setLong(1, 100 + i);
          insert.setLong(2, 1000 + i);
          insert.setInt(3, i);
          insert.setString(4, "prepared " + i);
          assertEquals(1, insert.executeUpdate());
        }
      }
      try (ResultSet all = s.executeQuery(
          "SELECT count(*), sum(amount) FROM remote_orders")) {
        assertTrue(all.next());
        assertEquals(23, all.getLong(1));
        assertEquals(600 + 190, all.getLong(2));
      }
      try (ResultSet returning = s.executeQuery("INSERT INTO remote_orders VALUES"
          + " (4, 40, 400, 'returned') RETURNING id, note")) {
        assertTrue(returning.next());
        assertEquals(4, returning.getLong("id"));
        assertEquals("returned", returning.getString("note"));
      }
    }
  }

  @Test
  @Order(1)
  void preparedStatementsDescribeColumnsAndParametersBeforeTheyRun() throws Exception {
    try (Connection remote = server.connect(); Connection embedded = server.embedded()) {
      for (Connection c : List.of(remote, embedded)) {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT id, amount, note FROM remote_orders WHERE customer_id = ? AND amount > ?")) {
          java.sql.ResultSetMetaData columns = ps.getMetaData();
          assertEquals(3, columns.getColumnCount());
          assertEquals(List.of("id", "amount", "note"), List.of(columns.getColumnLabel(1),
              columns.getColumnLabel(2), columns.getColumnLabel(3)));
          assertEquals(List.of(java.sql.Types.BIGINT, java.sql.Types.INTEGER,
              java.sql.Types.VARCHAR), List.of(columns.getColumnType(1),
              columns.getColumnType(2), columns.getColumnType(3)));
          java.sql.ParameterMetaData parameters = ps.getParameterMetaData();
          assertEquals(2, parameters.getParameterCount());
          assertEquals(java.sql.Types.BIGINT, parameters.getParameterType(1));
          assertEquals(java.sql.Types.INTEGER, parameters.getParameterType(2));
        }
      }
    }
  }

  @Test
  @Order(2)
  void resultsArriveInFramesAndTheCatalogAnswersRemotely() throws SQLException {
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE remote_frames (k int, v text)");
      s.execute("SELECT master_create_distributed_table('remote_frames', 'k', 'hash')");
      s.execute("SELECT master_create_worker_shards('remote_frames', 4, 1)");
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO remote_frames VALUES (?, ?)")) {
        for (int k = 1; k <= 1000; k++) {
          insert.setInt(1, k);
          insert.setString(2, "v" + k);
          insert.addBatch();
        }
        long[] counts = insert.executeLargeBatch();
        assertEquals(1000, counts.length);
      }
      // A multi-shard result streams from the shards, far beyond the first frame of 100.
      s.setFetchSize(37);
      long sum = 0;
      int rows = 0;
      try (ResultSet all = s.executeQuery("SELECT k, v FROM remote_frames")) {
        while (all.next()) {
          assertEquals("v" + all.getInt(1), all.getString(2));
          sum += all.getInt(1);
          rows++;
        }
      }
      assertEquals(1000, rows);
      assertEquals(500_500, sum);
      s.setMaxRows(250);
      try (ResultSet limited = s.executeQuery("SELECT k FROM remote_frames ORDER BY k")) {
        int read = 0;
        while (limited.next()) {
          assertEquals(++read, limited.getInt(1));
        }
        assertEquals(250, read);
      }
      s.setMaxRows(0);
      s.addBatch("UPDATE remote_frames SET v = 'x' WHERE k = 1");
      s.addBatch("DELETE FROM remote_frames WHERE k > 990");
      assertEquals(List.of(1L, 10L), java.util.Arrays.stream(s.executeLargeBatch()).boxed()
          .toList());

      java.sql.DatabaseMetaData metaData = c.getMetaData();
      try (ResultSet tables = metaData.getTables(null, "public", "remote_frames", null)) {
        assertTrue(tables.next());
        assertEquals("remote_frames", tables.getString("TABLE_NAME"));
      }
      List<String> columns = new ArrayList<>();
      try (ResultSet found = metaData.getColumns(null, "public", "remote_frames", null)) {
        while (found.next()) {
          columns.add(found.getString("COLUMN_NAME") + " " + found.getString("TYPE_NAME"));
        }
      }
      assertEquals(List.of("k int4", "v text"), columns);

      s.execute("CREATE SCHEMA remote_other");
      c.setSchema("remote_other");
      assertEquals("remote_other", c.getSchema());
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setAutoCommit(false);
      try (ResultSet isolation = s.executeQuery("SHOW transaction_isolation")) {
        assertTrue(isolation.next());
        assertEquals("repeatable read", isolation.getString(1));
      }
      c.commit();
      c.setAutoCommit(true);
    }
  }

  @Test
  @Order(2)
  void rollbackLeavesNothing() throws SQLException {
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      long before = count(s, "SELECT count(*) FROM remote_orders");
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO remote_orders VALUES (5, 50, 500, 'rolled back')");
      s.executeUpdate("UPDATE remote_orders SET amount = 0 WHERE customer_id = 10");
      c.rollback();
      c.setAutoCommit(true);
      assertEquals(before, count(s, "SELECT count(*) FROM remote_orders"));
      assertEquals(0, count(s, "SELECT count(*) FROM remote_orders WHERE customer_id = 50"));
      assertEquals(100, count(s, "SELECT amount FROM remote_orders WHERE customer_id = 10"));
    }
  }

  @Test
  @Order(3)
  void wrongOrMissingCredentialsGet401AndReachNothing() throws Exception {
    String insert = "INSERT INTO remote_orders VALUES (6, 60, 600, 'intruder')";
    assertEquals(401, post(null, insert));
    assertEquals(401, post(ServedSpar.USER + ":wrong password", insert));
    assertEquals(401, post("mallory:" + ServedSpar.PASSWORD, insert));
    Exception refused = assertThrows(Exception.class,
        () -> server.connect(ServedSpar.USER, "wrong password").createStatement()
            .executeUpdate(insert));
    assertTrue(causes(refused).contains("401"), () -> causes(refused));
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      assertEquals(0, count(s, "SELECT count(*) FROM remote_orders WHERE customer_id = 60"));
      // The same requests with the right password do reach the engine.
      assertEquals(200, post(ServedSpar.USER + ":" + ServedSpar.PASSWORD, insert));
      assertEquals(1, count(s, "SELECT count(*) FROM remote_orders WHERE customer_id = 60"));
    }
  }

  /**
   * Sends an Avatica protobuf conversation (open a connection, create a statement, run
   * {@code sql}) with BASIC {@code credentials} (none if null); returns the first status that
   * is not 200, or 200.
   */
  private int post(String credentials, String sql) throws Exception {
    ProtobufTranslation protobuf = new ProtobufTranslationImpl();
    HttpClient http = HttpClient.newHttpClient();
    String connectionId = UUID.randomUUID().toString();
    HttpResponse<byte[]> opened = send(http, credentials, protobuf.serializeRequest(
        new Service.OpenConnectionRequest(connectionId, Map.of())));
    if (opened.statusCode() != 200) {
      return opened.statusCode();
    }
    HttpResponse<byte[]> created = send(http, credentials, protobuf.serializeRequest(
        new Service.CreateStatementRequest(connectionId)));
    int statementId = ((Service.CreateStatementResponse) protobuf.parseResponse(
        created.body())).statementId;
    HttpResponse<byte[]> executed = send(http, credentials, protobuf.serializeRequest(
        new Service.PrepareAndExecuteRequest(connectionId, statementId, sql, -1)));
    send(http, credentials, protobuf.serializeRequest(
        new Service.CloseConnectionRequest(connectionId)));
    return executed.statusCode();
  }

  private HttpResponse<byte[]> send(HttpClient http, String credentials, byte[] body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/"))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (credentials != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  @Order(4)
  void concurrentClientsRunMixedStatementsWithoutErrorsOrLeaks() throws Exception {
    try (Connection warmUp = server.connect(); Statement s = warmUp.createStatement()) {
      count(s, "SELECT count(*) FROM remote_orders");
    }
    List<Map<String, Long>> idle = workerBackends();
    System.out.println("Worker backends of spar after one client: " + idle);
    idle.forEach(node -> assertEquals(0L, node.get("in_use"), idle::toString));

    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<Integer>> clients = new ArrayList<>();
    for (int client = 0; client < CLIENTS; client++) {
      int id = client;
      clients.add(pool.submit(() -> runMixedStatements(id, errors)));
    }
    int statements = 0;
    for (Future<Integer> client : clients) {
      statements += client.get();
    }
    pool.shutdown();
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("%d clients ran %d statements in %d ms (%.0f statements/s)%n", CLIENTS,
        statements, millis, statements * 1000.0 / millis);
    assertEquals(0, errors.get());
    assertEquals(CLIENTS * STATEMENTS_PER_CLIENT, statements);

    List<Map<String, Long>> after = workerBackends();
    System.out.println("Worker backends of spar after the clients closed: " + after);
    after.forEach(node -> assertEquals(0L, node.get("in_use"), after::toString));
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      assertEquals(CLIENTS * 200L, count(s,
          "SELECT count(*) FROM remote_orders WHERE note = 'load'"));
    }
  }

  /**
   * Runs {@link #STATEMENTS_PER_CLIENT} statements on a connection of its own: inserts, routed
   * selects, updates and multi-shard counts, on customers of its own.
   */
  private int runMixedStatements(int client, AtomicLong errors) throws SQLException {
    int done = 0;
    try (Connection c = server.connect();
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO remote_orders VALUES (?, ?, ?, 'load')");
        PreparedStatement routed = c.prepareStatement(
            "SELECT amount FROM remote_orders WHERE customer_id = ? AND id = ?");
        PreparedStatement update = c.prepareStatement(
            "UPDATE remote_orders SET amount = amount + 1 WHERE customer_id = ? AND id = ?");
        Statement multiShard = c.createStatement()) {
      int inserted = 0;
      for (int i = 0; i < STATEMENTS_PER_CLIENT; i++) {
        long customer = 100_000L + client * 1000L + inserted % 50;
        try {
          switch (i % 5) {
            case 0, 1 -> {
              insert.setLong(1, client * 1000L + inserted);
              insert.setLong(2, 100_000L + client * 1000L + inserted % 50);
              insert.setInt(3, inserted);
              insert.executeUpdate();
              inserted++;
            }
            case 2 -> {
              routed.setLong(1, customer);
              routed.setLong(2, client * 1000L);
              routed.executeQuery().close();
            }
            case 3 -> {
              update.setLong(1, 100_000L + client * 1000L);
              update.setLong(2, client * 1000L);
              update.executeUpdate();
            }
            default -> count(multiShard, "SELECT count(*) FROM remote_orders");
          }
          done++;
        } catch (SQLException e) {
          errors.incrementAndGet();
          throw e;
        }
      }
      assertEquals(200, inserted);
    }
    return done;
  }

  /**
   * Returns, per worker, the backends that Spar's pools have open ({@code application_name
   * spar}) and how many of them are in use: running a statement or inside a transaction.
   */
  private List<Map<String, Long>> workerBackends() throws SQLException {
    List<Map<String, Long>> nodes = new ArrayList<>();
    try (Connection c = server.connect(); Statement s = c.createStatement();
        ResultSet workers = s.executeQuery(
            "SELECT node_name, node_port FROM pgs_distribution_metadata.node")) {
      while (workers.next()) {
        Properties user = new Properties();
        user.setProperty("user", "postgres");
        String url = "jdbc:postgresql://" + workers.getString(1) + ":" + workers.getInt(2)
            + "/postgres";
        try (Connection direct = DriverManager.getConnection(url, user);
            Statement query = direct.createStatement();
            ResultSet rs = query.executeQuery("SELECT count(*),"
                + " count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity"
                + " WHERE application_name = 'spar'")) {
          rs.next();
          nodes.add(Map.of("port", (long) workers.getInt(2), "open", rs.getLong(1),
              "in_use", rs.getLong(2)));
        }
      }
    }
    return nodes;
  }

  @Test
  @Order(2)
  void thePostgresPortServesTheSameTablesWithTheSameUsers() throws Exception {
    java.util.regex.Matcher url = java.util.regex.Pattern.compile(
        "postgresql://[^@]+@127\\.0\\.0\\.1:(\\d+)/(\\w+)").matcher(server.process().output());
    assertTrue(url.find(), server.process().output());
    Properties credentials = new Properties();
    credentials.setProperty("user", ServedSpar.USER);
    credentials.setProperty("password", ServedSpar.PASSWORD);
    try (Connection pg = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
            + url.group(1) + "/" + url.group(2), credentials);
        Statement s = pg.createStatement();
        ResultSet rows = s.executeQuery("SELECT count(*) FROM remote_orders")) {
      assertTrue(rows.next());
    }
  }

  @Test
  @Order(2)
  void basicAuthenticationInClearTextIsRefusedBeyondLoopback() throws Exception {
    SparProcess refused = SparProcess.run(server.directory(), "", "serve", "--local",
        server.directory().resolve("never").toString(), "--listen", "0.0.0.0",
        "--auth-file", server.directory().resolve("users").toString());
    assertTrue(refused.waitForExit() != 0, refused.output());
    assertTrue(refused.errors().contains("clear text"), refused.errors());
  }

  @Test
  @Order(5)
  void sigtermStopsTheServerTheClusterAndEveryConnection() throws Exception {
    List<Long> postmasters = server.postmasterPids();
    assertEquals(3, postmasters.size(), "coordinator and two workers run");
    int exit = server.process().terminate();
    assertTrue(exit == 0 || exit == 143, "exit code " + exit);
    String log = server.process().errors();
    assertTrue(server.process().output().contains("Spar server stopped"),
        () -> "exit " + exit + "\n" + server.process().output() + "\n" + log);
    assertTrue(log.contains("Server stopped; closed 0 remote connection(s)"), log);
    assertTrue(log.contains("Node connections after closing every remote connection: 0 in use"),
        log);
    // pg_ctl stop -w returns once the lock file is gone, a moment before the postmaster has
    // exited; the bound only keeps a surviving postmaster from hanging the run.
    assertEquals(List.of(), server.postmasterPids());
    for (long pid : postmasters) {
      ProcessHandle.of(pid).ifPresent(postmaster -> assertDoesNotThrow(
          () -> postmaster.onExit().get(60, TimeUnit.SECONDS), "postmaster " + pid + " runs"));
    }
  }

  private static String causes(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      text.append(t).append('\n');
    }
    return text.toString();
  }

  private static long count(Statement statement, String sql) throws SQLException {
    try (ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
