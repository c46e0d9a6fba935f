package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VACUUM and ANALYZE of distributed tables reach every placement, with their options and
 * column lists, and give PostgreSQL's errors; a VACUUM that names no table reaches every
 * worker.
 */
class MaintenanceCommandsTest {
  @Test
  void vacuumAndAnalyzeReachEveryPlacement() throws SQLException {
    try (Connection spar = SparTestCluster.spar()) {
      Sql.run(spar, "DROP TABLE IF EXISTS mc_a, mc_b, \"Mc Quoted\", mc_local");
      for (String table : List.of("mc_a", "mc_b", "\"Mc Quoted\"")) {
        Sql.run(spar, "CREATE TABLE " + table + " (k bigint, v text)");
        Sql.run(spar, "SELECT master_create_distributed_table('" + table.replace("'", "''")
            + "', 'k', 'hash')");
        Sql.run(spar, "SELECT master_create_worker_shards('" + table + "', 3, 2)");
        Sql.run(spar, "INSERT INTO " + table + " SELECT g, 'v' || g FROM generate_series(1, 300) g");
      }
      Sql.run(spar, "CREATE TABLE mc_local (k int)");
      assertEquals("6 placements, 0 vacuumed, 0 analyzed", processed("mc\\_a\\_%"));

      Sql.run(spar, "ANALYZE mc_a (v)");
      assertEquals("6 placements, 0 vacuumed, 6 analyzed", processed("mc\\_a\\_%"));
      assertEquals("6 placements, 0 vacuumed, 0 analyzed", processed("mc\\_b\\_%"));

      Sql.run(spar, "VACUUM (ANALYZE, VERBOSE) public.mc_b, \"Mc Quoted\" (k), mc_local;");
      assertEquals("6 placements, 6 vacuumed, 6 analyzed", processed("mc\\_b\\_%"));
      assertEquals("6 placements, 6 vacuumed, 6 analyzed", processed("Mc Quoted\\_%"));
      Sql.run(spar, "VACUUM");
      assertEquals("6 placements, 6 vacuumed, 6 analyzed", processed("mc\\_a\\_%"));

      SQLException inBlock = assertThrows(SQLException.class, () -> {
        spar.setAutoCommit(false);
        try {
          Sql.run(spar, "VACUUM mc_a");
        } finally {
          spar.rollback();
          spar.setAutoCommit(true);
        }
      });
      assertEquals("25001", inBlock.getSQLState(), inBlock.getMessage());
      SQLException missing = assertThrows(SQLException.class,
          () -> Sql.run(spar, "ANALYZE mc_no_such_table"));
      assertEquals("42P01", missing.getSQLState(), missing.getMessage());
      Sql.run(spar, "DROP TABLE mc_a, mc_b, \"Mc Quoted\", mc_local");
    }
  }

  /**
   * Returns how many placements of the shards whose names match there are on all workers, and
   * how many of them have a manual {@code last_vacuum} and {@code last_analyze} (autovacuum
   * records its own columns, so it cannot interfere).
   */
  private static String processed(String pattern) throws SQLException {
    long placements = 0;
    long vacuumed = 0;
    long analyzed = 0;
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        for (String each : Sql.strings(direct, "SELECT (last_vacuum IS NOT NULL) || ','"
            + " || (last_analyze IS NOT NULL) FROM pg_stat_user_tables"
            + " WHERE relname LIKE '" + pattern + "'")) {
          placements++;
          vacuumed += each.startsWith("true") ? 1 : 0;
          analyzed += each.endsWith("true") ? 1 : 0;
        }
      }
    }
    return placements + " placements, " + vacuumed + " vacuumed, " + analyzed + " analyzed";
  }
}
