package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, append distribution: {@code master_append_table_to_shard} copies a staging table
 * from any PostgreSQL server into every placement of a shard, atomically with the shard's new
 * interval, and a session that was open before sees the rows on its next statement.
 */
class AppendTableToShardTest {
  @Test
  void appendedRowsReachEveryPlacementAndOpenSessions() throws SQLException {
    PgNode source = SparTestCluster.cluster().workers().get(0);
    try (Connection spar = SparTestCluster.spar(); Connection early = SparTestCluster.spar();
        Connection staging = SparTestCluster.direct(source)) {
      Sql.run(spar, "DROP TABLE IF EXISTS ap_events, ap_hashed");
      Sql.run(spar, "CREATE TABLE ap_events (id bigint, at date, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('ap_events', 'id', 'append')");
      assertEquals(0, Sql.count(early, "SELECT count(*) FROM ap_events"));
      Sql.run(staging, "DROP TABLE IF EXISTS ap_stage, ap_stage_bad");
      Sql.run(staging, "CREATE TABLE ap_stage (id bigint, at date, v text)");
      Sql.run(staging, "INSERT INTO ap_stage SELECT g, date '2024-01-01' + g, 'v' || g"
          + " FROM generate_series(1, 1000) g");
      long shard = Sql.longs(spar, "SELECT master_create_empty_shard('ap_events', 2)").get(0);
      String append = "SELECT master_append_table_to_shard(" + shard + ", '%s', '"
          + source.host() + "', " + source.port() + ")";

      float fill = fill(spar, String.format(append, "ap_stage"));
      assertTrue(fill > 0 && fill < 0.01, "fill ratio " + fill);
      assertEquals(1000, Sql.count(early, "SELECT count(*) FROM ap_events"));
      assertEquals(List.of("1", "1000"), bounds(spar, shard));
      assertEquals(10, Sql.count(early, "SELECT count(*) FROM ap_events WHERE id BETWEEN 11"
          + " AND 20"));

      Sql.run(staging, "TRUNCATE ap_stage");
      Sql.run(staging, "INSERT INTO ap_stage SELECT g, NULL, 'w' || g"
          + " FROM generate_series(1001, 1500) g");
      fill(spar, String.format(append, "ap_stage"));
      assertEquals(1500, Sql.count(early, "SELECT count(*) FROM ap_events"));
      assertEquals(List.of("1", "1500"), bounds(spar, shard));
      assertEquals(List.of("1250|w1250"), Sql.strings(early,
          "SELECT id || '|' || v FROM ap_events WHERE id = 1250"));
      assertPlacementsEqual(spar, shard);

      // A source row that does not fit fails the whole append: no placement and no interval
      // changes, and PostgreSQL's own error reaches the client.
      Sql.run(staging, "CREATE TABLE ap_stage_bad (id text, at date, v text)");
      Sql.run(staging, "INSERT INTO ap_stage_bad VALUES ('2000', NULL, 'fits'),"
          + " ('not a number', NULL, 'does not')");
      SQLException bad = assertThrows(SQLException.class,
          () -> fill(spar, String.format(append, "ap_stage_bad")));
      assertEquals("22P02", bad.getSQLState(), bad.getMessage());
      assertEquals(1500, Sql.count(spar, "SELECT count(*) FROM ap_events"));
      assertEquals(List.of("1", "1500"), bounds(spar, shard));
      assertPlacementsEqual(spar, shard);

      SQLException missing = assertThrows(SQLException.class,
          () -> fill(spar, String.format(append, "ap_no_such_table")));
      assertEquals("42P01", missing.getSQLState(), missing.getMessage());

      Sql.run(spar, "CREATE TABLE ap_hashed (id bigint, at date, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('ap_hashed', 'id', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('ap_hashed', 2, 1)");
      long hashed = Sql.longs(spar, "SELECT min(id) FROM pgs_distribution_metadata.shard"
          + " WHERE relation_id = 'ap_hashed'::regclass").get(0);
      SQLException refused = assertThrows(SQLException.class, () -> fill(spar,
          "SELECT master_append_table_to_shard(" + hashed + ", 'ap_stage', '" + source.host()
              + "', " + source.port() + ")"));
      assertEquals("0A000", refused.getSQLState(), refused.getMessage());
      Sql.run(staging, "DROP TABLE ap_stage, ap_stage_bad");
    }
  }

  private static float fill(Connection spar, String sql) throws SQLException {
    try (Statement statement = spar.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getFloat(1);
    }
  }

  private static List<String> bounds(Connection spar, long shard) throws SQLException {
    return Sql.strings(spar, "SELECT unnest(ARRAY[min_value, max_value])"
        + " FROM pgs_distribution_metadata.shard WHERE id = " + shard);
  }

  /** Checks that the shard has two placements whose rows are the same. */
  private static void assertPlacementsEqual(Connection spar, long shard) throws SQLException {
    List<String> nodes = Sql.strings(spar, "SELECT node_name || ':' || node_port"
        + " FROM pgs_distribution_metadata.shard_placement WHERE shard_id = " + shard
        + " AND shard_state = 1 ORDER BY node_port");
    assertEquals(2, nodes.size(), nodes.toString());
    String digest = null;
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      if (!nodes.contains(worker.host() + ":" + worker.port())) {
        continue;
      }
      try (Connection direct = SparTestCluster.direct(worker)) {
        String rows = Sql.strings(direct, "SELECT count(*) || ':' || coalesce(md5(string_agg("
            + "id || ',' || coalesce(at::text, '') || ',' || v, ';' ORDER BY id)), '')"
            + " FROM ap_events_" + shard).get(0);
        assertTrue(digest == null || digest.equals(rows), digest + " vs " + rows);
        digest = rows;
      }
    }
  }
}
