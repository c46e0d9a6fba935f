package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks of a distributed table's placements, read straight from the workers. */
final class Placements {
  private Placements() {
  }

  /**
   * Asserts that every shard of {@code table} (a name in the public schema) has at least two
   * FINALIZED placements and that they hold identical rows.
   */
  static void assertIdentical(Connection spar, String table) throws SQLException {
    Map<String, List<Integer>> portsByShard = new LinkedHashMap<>();
    for (String each : Sql.strings(spar, "SELECT p.shard_id || ':' || p.node_port FROM"
        + " pgs_distribution_metadata.shard_placement p JOIN pgs_distribution_metadata.shard s"
        + " ON s.id = p.shard_id WHERE s.relation_id = '" + table + "'::regclass"
        + " AND p.shard_state = 1 ORDER BY p.shard_id, p.id")) {
      String[] parts = each.split(":");
      portsByShard.computeIfAbsent(parts[0], k -> new ArrayList<>())
          .add(Integer.parseInt(parts[1]));
    }
    assertTrue(!portsByShard.isEmpty(), table + " has no FINALIZED placements");
    for (Map.Entry<String, List<Integer>> shard : portsByShard.entrySet()) {
      assertTrue(shard.getValue().size() >= 2, "shard " + shard.getKey() + " has one placement");
      List<String> rows = new ArrayList<>();
      for (int port : shard.getValue()) {
        try (Connection worker = worker(port)) {
          rows.add(Sql.strings(worker, "SELECT coalesce(string_agg(t::text, ',' ORDER BY"
              + " t::text), '') FROM " + table + "_" + shard.getKey() + " t").get(0));
        }
      }
      for (String each : rows) {
        assertEquals(rows.get(0), each, "placements of shard " + shard.getKey() + " differ");
      }
    }
  }

  /** Opens a direct connection to the worker listening on {@code port}. */
  static Connection worker(int port) throws SQLException {
    for (PgNode each : SparTestCluster.cluster().workers()) {
      if (each.port() == port) {
        return SparTestCluster.direct(each);
      }
    }
    throw new IllegalStateException("no worker on port " + port);
  }
}
