package io.spar.test.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import io.spar.engine.transactions.FaultPoint;
import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard move whose engine is killed (SIGKILL) leaves a subscription, a replication slot, a
 * publication and the target's new tables behind; the next engine that starts removes them,
 * and the source stays the shard's placement with every row. Killed during the logical copy,
 * and during a locked copy just before its commit.
 */
class KilledMoveTest {
  private static final String LEFTOVERS = "SELECT (SELECT count(*) FROM pg_subscription)"
      + " + (SELECT count(*) FROM pg_publication) + (SELECT count(*) FROM pg_replication_slots)"
      + " + (SELECT count(*) FROM pg_class WHERE relname LIKE 'spar\\_move\\_%')";

  @TempDir
  static Path directory;

  @Test
  void theNextEngineRemovesWhatAKilledMoveLeft() throws Exception {
    try (FaultHarness harness = FaultHarness.start(directory.resolve("harness"))) {
      Connection spar = harness.spar();
      Sql.run(spar, "CREATE TABLE km_items (id bigint PRIMARY KEY, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('km_items', 'id', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('km_items', 4, 1)");
      Sql.run(spar, "INSERT INTO km_items SELECT g, 'v' || g FROM generate_series(1, 1000) g");
      long shard = Sql.longs(spar,
          "SELECT get_shard_id_for_distribution_column('km_items', 1)").get(0);
      int port = Integer.parseInt(Sql.strings(spar, "SELECT node_port FROM"
          + " pgs_distribution_metadata.shard_placement WHERE shard_id = " + shard).get(0));
      List<PgNode> workers = harness.cluster().workers();
      PgNode source = workers.stream().filter(w -> w.port() == port).findFirst().orElseThrow();
      PgNode target = workers.stream().filter(w -> w != source).findFirst().orElseThrow();

      for (String mode : List.of("logical", "block_writes")) {
        FaultPoint point = mode.equals("logical")
            ? FaultPoint.MOVE_COPIED : FaultPoint.BEFORE_PREPARE;
        CoordinatorChild mover = harness.startChild(point, 0);
        mover.send("SQL 1 SELECT master_move_shard_placement(" + shard + ", '" + source.host()
            + "', " + source.port() + ", '" + target.host() + "', " + target.port() + ", '"
            + mode + "')");
        String line = mover.nextLine();
        assertTrue(line.startsWith("SPAR-FAULT-POINT"), line + "\n" + mover.diagnostics());
        assertTrue(leftovers(target) > 0, "a " + mode + " move under way left nothing");
        harness.kill(mover);

        // Starting, an engine removes what no running move holds.
        CoordinatorChild next = harness.startChild(null, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (leftovers(source) + leftovers(target) > 0) {
          assertTrue(System.nanoTime() < deadline, "the leftovers of the killed " + mode
              + " move stayed");
          Thread.sleep(20);
        }
        next.quit();
        assertEquals(List.of(String.valueOf(source.port())), Sql.strings(spar,
            "SELECT node_port FROM pgs_distribution_metadata.shard_placement"
                + " WHERE shard_id = " + shard));
        try (Connection direct = SparTestCluster.direct(target)) {
          assertEquals(0, Sql.count(direct, "SELECT count(*) FROM pg_class"
              + " WHERE relname = 'km_items_" + shard + "'"), "the killed move's table");
        }
        assertEquals(1000, Sql.count(spar, "SELECT count(*) FROM km_items"));
      }
      // The shard still moves.
      Sql.run(spar, "SELECT master_move_shard_placement(" + shard + ", '" + source.host()
          + "', " + source.port() + ", '" + target.host() + "', " + target.port() + ")");
      assertEquals(1000, Sql.count(spar, "SELECT count(*) FROM km_items"));
    }
  }

  private static long leftovers(PgNode node) throws SQLException {
    try (Connection direct = SparTestCluster.direct(node)) {
      return Sql.count(direct, LEFTOVERS);
    }
  }
}
