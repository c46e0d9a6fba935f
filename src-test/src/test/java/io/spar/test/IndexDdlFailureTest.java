package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.cluster.PgNode;
import io.spar.session.SparSession;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Test case for issue 8, item 7: DROP INDEX while a worker is down fails without leaving the
 * coordinator and the shards silently different, and running it again once the worker is back
 * finishes the drop.
 *
 * <p>It stops a real worker process, so it runs on a cluster of its own.
 */
class IndexDdlFailureTest {
  @TempDir
  static Path directory;
  static LocalCluster cluster;
  static Connection spar;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(directory, SparTestCluster.WORKERS);
    spar = DriverManager.getConnection(SparTestCluster.sparUrl(directory));
    run("CREATE TABLE dif (k bigint, v text)");
    run("SELECT master_create_distributed_table('dif', 'k', 'hash')");
    run("SELECT master_create_worker_shards('dif', 4, 2)");
  }

  @AfterAll
  static void stop() throws SQLException {
    spar.close();
    cluster.close();
  }

  @Test
  void dropIndexWithAWorkerDownChangesNothing() throws Exception {
    run("CREATE INDEX dif_v ON dif (v)");
    PgNode down = workerReachedSecond();
    PgNode up = cluster.workers().stream().filter(w -> w != down).findFirst().orElseThrow();
    stop(down);
    try {
      SQLException error = assertThrows(SQLException.class, () -> run("DROP INDEX dif_v"));
      assertTrue(error.getSQLState().startsWith("08"), error::toString);
      assertTrue(error.getMessage().contains("could not reach worker"), error::getMessage);
      assertEquals(1, coordinatorIndexes("dif_v"));
      assertEquals(4, shardIndexes(up, "dif_v"),
          "the worker that was reached first rolled its drop back");
    } finally {
      restart(down);
    }
    assertEquals(4, shardIndexes(down, "dif_v"));
    run("DROP INDEX dif_v");
    assertEquals(0, coordinatorIndexes("dif_v"));
    for (PgNode worker : cluster.workers()) {
      assertEquals(0, shardIndexes(worker, "dif_v"));
    }
  }

  @Test
  void dropIndexConcurrentlyWithAWorkerDownSaysWhatIsLeft() throws Exception {
    run("CREATE INDEX dif_c ON dif (k, v)");
    PgNode down = workerReachedSecond();
    stop(down);
    try {
      SQLException error = assertThrows(SQLException.class,
          () -> run("DROP INDEX CONCURRENTLY dif_c"));
      assertTrue(error.getSQLState().startsWith("08"), error::toString);
      ServerErrorMessage server = ((PSQLException) error).getServerErrorMessage();
      assertTrue(server.getMessage().startsWith("DROP INDEX is incomplete: could not reach"
          + " worker " + down.host() + ":" + down.port()), server::getMessage);
      assertTrue(server.getDetail().matches("The index was dropped on [1-7] of 8 shard"
          + " placements and still exists on the coordinator\\."), server::getDetail);
      assertEquals("Run the DROP INDEX again once every worker is reachable; it drops what is"
          + " left.", server.getHint());
      assertEquals(1, coordinatorIndexes("dif_c"));
    } finally {
      restart(down);
    }
    run("DROP INDEX CONCURRENTLY dif_c");
    assertEquals(0, coordinatorIndexes("dif_c"));
    for (PgNode worker : cluster.workers()) {
      assertEquals(0, shardIndexes(worker, "dif_c"));
    }
  }

  /**
   * Returns the worker without the first placement of the first shard, so that the other
   * worker has dropped an index when a drop reaches this one.
   */
  private static PgNode workerReachedSecond() throws SQLException {
    long first = Sql.count(spar, "SELECT p.node_port FROM pgs_distribution_metadata"
        + ".shard_placement p WHERE p.shard_id = (SELECT min(id) FROM pgs_distribution_metadata"
        + ".shard WHERE relation_id = 'dif'::regclass) ORDER BY p.id LIMIT 1");
    return cluster.workers().stream().filter(w -> w.port() != first).findFirst().orElseThrow();
  }

  /**
   * Stops {@code worker} abruptly, after a checkpoint: the local clusters run with
   * {@code synchronous_commit = off}, so a crash could otherwise lose the shard indexes that
   * were just created, which is not what these tests are about.
   */
  private static void stop(PgNode worker) throws Exception {
    try (Connection direct = DriverManager.getConnection(worker.jdbcUrl(), LocalCluster.USER,
        "")) {
      Sql.run(direct, "CHECKPOINT");
    }
    cluster.stopNode(worker);
  }

  /**
   * Starts {@code worker} again and drops the pooled connections to its previous process,
   * which the pool hands out unchecked if they were used within the last half second.
   */
  private static void restart(PgNode worker) throws Exception {
    cluster.startNode(worker);
    spar.unwrap(SparSession.class).engine().pools()
        .statistics(new NodeAddress(worker.host(), worker.port())).softEvictConnections();
  }

  private static long coordinatorIndexes(String index) throws SQLException {
    return Sql.count(spar, "SELECT count(*) FROM pg_indexes WHERE indexname = '" + index + "'");
  }

  private static long shardIndexes(PgNode worker, String index) throws SQLException {
    try (Connection direct = DriverManager.getConnection(worker.jdbcUrl(), LocalCluster.USER,
        "")) {
      List<String> found = Sql.strings(direct, "SELECT indexname FROM pg_indexes"
          + " WHERE indexname ~ '^" + index + "_[0-9]+$'");
      return found.size();
    }
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }
}
