package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * One {@code jdbc:spar:} connection used by several threads at once, each with statements of
 * its own, as pgjdbc allows: the session runs their calls one at a time, and every answer is
 * the right one (routed reads of each thread's own rows, multi-shard counts, a new plan for each
 * thread's texts).
 */
class SharedConnectionTest {
  private static final int THREADS = 4;
  private static final int ROUNDS = 150;

  @Test
  void threadsShareOneConnection() throws Exception {
    try (Connection spar = SparTestCluster.spar()) {
      Sql.run(spar, "DROP TABLE IF EXISTS shared_items");
      Sql.run(spar, "CREATE TABLE shared_items (k bigint, owner int)");
      Sql.run(spar, "SELECT master_create_distributed_table('shared_items', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('shared_items', 4, 1)");
      ExecutorService threads = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int owner = t;
          runs.add(threads.submit(() -> {
            work(spar, owner);
            return null;
          }));
        }
        for (Future<?> each : runs) {
          each.get();
        }
      } finally {
        threads.shutdownNow();
      }
      assertEquals(List.of(String.valueOf(THREADS * ROUNDS)),
          Sql.strings(spar, "SELECT count(*) FROM shared_items"));
      Sql.run(spar, "DROP TABLE shared_items");
    }
  }

  private static void work(Connection spar, int owner) throws SQLException {
    try (PreparedStatement insert = spar.prepareStatement(
            "INSERT INTO shared_items VALUES (?, ?)");
        PreparedStatement read = spar.prepareStatement(
            "SELECT owner FROM shared_items WHERE k = ?");
        PreparedStatement mine = spar.prepareStatement(
            "SELECT count(*) FROM shared_items WHERE owner = ? /* thread " + owner + " */")) {
      for (int i = 0; i < ROUNDS; i++) {
        long key = (long) owner * 1_000_000 + i;
        insert.setLong(1, key);
        insert.setInt(2, owner);
        assertEquals(1, insert.executeUpdate());
        read.setLong(1, key);
        try (ResultSet rows = read.executeQuery()) {
          rows.next();
          assertEquals(owner, rows.getInt(1));
        }
        mine.setInt(1, owner);
        try (ResultSet rows = mine.executeQuery()) {
          rows.next();
          assertEquals(i + 1, rows.getLong(1));
        }
      }
    }
  }
}
