package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test case for issue 2, acceptance 2: {@code articles} distributed by {@code author_id} into 8
 * shards with replication factor 2 has pg_shard's metadata layout and shard tables.
 *
 * <p>It runs on a cluster of its own so that shard ids start at 10000.
 */
class ArticlesLayoutTest {
  @TempDir
  static Path directory;
  static LocalCluster cluster;
  static Connection spar;

  @BeforeAll
  static void distribute() throws Exception {
    cluster = LocalCluster.start(directory, SparTestCluster.WORKERS);
    spar = DriverManager.getConnection(SparTestCluster.sparUrl(directory));
    try (Statement statement = spar.createStatement()) {
      statement.execute("CREATE TABLE articles (id bigint, author_id bigint, title text,"
          + " word_count int)");
      statement.execute("SELECT master_create_distributed_table('articles', 'author_id', 'hash')");
      statement.execute("SELECT master_create_worker_shards('articles', 8, 2)");
    }
  }

  @AfterAll
  static void stop() throws SQLException {
    spar.close();
    cluster.close();
  }

  @Test
  void shardIntervalsFollowPgShard() throws SQLException {
    List<String> rows = rows("SELECT id, min_value, max_value FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = 'articles'::regclass ORDER BY id");
    assertEquals(List.of(
        "10000|-2147483648|-1610612737", "10001|-1610612736|-1073741825",
        "10002|-1073741824|-536870913", "10003|-536870912|-1",
        "10004|0|536870911", "10005|536870912|1073741823",
        "10006|1073741824|1610612735", "10007|1610612736|2147483647"), rows);
    assertEquals(List.of("h|author_id"), rows("SELECT partition_method, key"
        + " FROM pgs_distribution_metadata.partition WHERE relation_id = 'articles'::regclass"));
  }

  @Test
  void sixteenFinalizedPlacementsAlternateWorkers() throws SQLException {
    assertEquals(List.of("1|16"), rows("SELECT shard_state, count(*)"
        + " FROM pgs_distribution_metadata.shard_placement GROUP BY shard_state"));
    // Shard i's first placement is on worker i mod 2 of the sorted workers; its replica on the next.
    List<String> placements = rows("SELECT shard_id, node_port FROM"
        + " pgs_distribution_metadata.shard_placement ORDER BY id");
    List<PgNode> sorted = new ArrayList<>(cluster.workers());
    sorted.sort((a, b) -> Integer.compare(a.port(), b.port()));
    for (int i = 0; i < 8; i++) {
      assertEquals((10000 + i) + "|" + sorted.get(i % 2).port(), placements.get(2 * i));
      assertEquals((10000 + i) + "|" + sorted.get((i + 1) % 2).port(), placements.get(2 * i + 1));
    }
  }

  @Test
  void everyWorkerHoldsEveryShardTable() throws SQLException {
    for (PgNode worker : cluster.workers()) {
      try (Connection direct = SparTestCluster.direct(worker);
          Statement statement = direct.createStatement();
          ResultSet rs = statement.executeQuery("SELECT relname FROM pg_class WHERE relkind = 'r'"
              + " AND relname LIKE 'articles\\_%' ORDER BY relname")) {
        List<String> names = new ArrayList<>();
        while (rs.next()) {
          names.add(rs.getString(1));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          expected.add("articles_" + (10000 + i));
        }
        assertEquals(expected, names, "shard tables on " + worker.name());
      }
    }
  }

  private static List<String> rows(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = spar.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }
}
