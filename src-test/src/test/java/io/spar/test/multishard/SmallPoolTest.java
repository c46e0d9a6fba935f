package io.spar.test.multishard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.cluster.LocalCluster;
import io.spar.jdbc.EngineRegistry;
import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-shard statements adapt to the pool: with one connection per node, the four shards a
 * worker holds run in turn on that connection, for aggregates (materialized) and for plain
 * rows (streamed), alone and with several sessions at once; none fails for want of a
 * connection per shard.
 */
class SmallPoolTest {
  private static final int ROWS = 4_000;
  private static final String URL = "jdbc:spar:coordinator="
      + SparTestCluster.cluster().coordinator().jdbcUrl() + ";user=" + LocalCluster.USER
      + ";poolSize=1;poolWait=5000";

  @BeforeAll
  static void createTable() throws SQLException {
    try (Connection spar = SparTestCluster.spar()) {
      try (Statement s = spar.createStatement()) {
        s.execute("DROP TABLE IF EXISTS small_pool_rows");
        s.execute("CREATE TABLE small_pool_rows (id bigint NOT NULL, grp int)");
        s.execute("SELECT master_create_distributed_table('small_pool_rows', 'id', 'hash')");
        s.execute("SELECT master_create_worker_shards('small_pool_rows', 8, 1)");
      }
    }
    ShardRows.generate("small_pool_rows", "id, (id % 7)::int", ROWS);
  }

  @AfterAll
  static void dropTable() throws SQLException {
    try (Connection spar = SparTestCluster.spar(); Statement s = spar.createStatement()) {
      s.execute("DROP TABLE small_pool_rows");
    }
    // Its pools and deadlock detector must not outlive the test.
    EngineRegistry.close(URL);
  }

  @Test
  void eightShardsRunOnOneConnectionPerNode() throws SQLException {
    try (Connection session = DriverManager.getConnection(URL)) {
      assertAnswers(session);
    }
  }

  @Test
  void sessionsShareOneConnectionPerNode() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        runs.add(threads.submit(() -> {
          try (Connection session = DriverManager.getConnection(URL)) {
            for (int round = 0; round < 5; round++) {
              assertAnswers(session);
            }
          }
          return null;
        }));
      }
      for (Future<?> each : runs) {
        each.get();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static void assertAnswers(Connection session) throws SQLException {
    try (Statement statement = session.createStatement()) {
      try (ResultSet count = statement.executeQuery(
          "SELECT count(*), sum(id), count(DISTINCT grp) FROM small_pool_rows")) {
        count.next();
        assertEquals(ROWS, count.getLong(1));
        assertEquals((long) ROWS * (ROWS + 1) / 2, count.getLong(2));
        assertEquals(7, count.getLong(3));
      }
      Set<Long> ids = new HashSet<>();
      try (ResultSet rows = statement.executeQuery("SELECT id FROM small_pool_rows")) {
        while (rows.next()) {
          ids.add(rows.getLong(1));
        }
      }
      assertEquals(ROWS, ids.size());
      assertEquals(1L, ids.stream().mapToLong(Long::longValue).min().orElseThrow());
      assertEquals((long) ROWS, ids.stream().mapToLong(Long::longValue).max().orElseThrow());
    }
  }
}
