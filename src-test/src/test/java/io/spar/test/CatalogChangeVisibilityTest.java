package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, the metadata contract ({@code docs/METADATA.md}): an operator's plain SQL change of
 * {@code pgs_distribution_metadata}, committed outside Spar, reaches a running engine's routing.
 * 200 times a placement is marked INACTIVE and FINALIZED again with a raw UPDATE; after each,
 * the test runs the routed read until the engine reads from the placement the new state
 * designates, and reports the delay from the commit to the first such read. A change of
 * placements only is invalidated per table: no session makes its plans anew.
 */
class CatalogChangeVisibilityTest {
  private static final int CHANGES = 200;
  /** Not a performance bound: a change not seen by then is never seen. */
  private static final long GIVE_UP_NANOS = 30_000_000_000L;

  @Test
  void rawCatalogChangesReachTheRoutingOfARunningEngine() throws SQLException {
    try (Connection spar = SparTestCluster.embedded();
        Connection operator = SparTestCluster.coordinator()) {
      Sql.run(spar, "DROP TABLE IF EXISTS cv_kv");
      Sql.run(spar, "CREATE TABLE cv_kv (k bigint PRIMARY KEY, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('cv_kv', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('cv_kv', 2, 2)");
      Sql.run(spar, "INSERT INTO cv_kv VALUES (1, 'one')");
      long shard = Sql.longs(spar, "SELECT get_shard_id_for_distribution_column('cv_kv', 1)")
          .get(0);
      List<Long> placements = Sql.longs(operator, "SELECT id FROM"
          + " pgs_distribution_metadata.shard_placement WHERE shard_id = " + shard
          + " ORDER BY id");
      List<String> nodes = Sql.strings(operator, "SELECT node_name || ':' || node_port FROM"
          + " pgs_distribution_metadata.shard_placement WHERE shard_id = " + shard
          + " ORDER BY id");
      assertEquals(2, placements.size());
      StatementLog log = spar.unwrap(SparSession.class).engine().statementLog();
      List<Long> delays = new ArrayList<>();
      try (StatementLog.Subscription subscription = log.subscribe();
          PreparedStatement read = spar.prepareStatement("SELECT v FROM cv_kv WHERE k = ?");
          PreparedStatement change = operator.prepareStatement("UPDATE"
              + " pgs_distribution_metadata.shard_placement SET shard_state = ? WHERE id = ?")) {
        assertEquals(nodes.get(0), readFrom(read, log, shard));
        SparSession session = spar.unwrap(SparSession.class);
        long plans = session.plansMade();
        for (int i = 0; i < CHANGES; i++) {
          boolean deactivate = i % 2 == 0;
          change.setInt(1, deactivate ? 3 : 1);
          change.setLong(2, placements.get(0));
          change.executeUpdate(); // autocommit: committed when it returns
          long committed = System.nanoTime();
          String expected = nodes.get(deactivate ? 1 : 0);
          while (!expected.equals(readFrom(read, log, shard))) {
            assertTrue(System.nanoTime() - committed < GIVE_UP_NANOS,
                "change " + i + " never reached the engine");
          }
          delays.add(System.nanoTime() - committed);
        }
        assertEquals(plans, session.plansMade(), "plans made anew after placement changes");
      } finally {
        Sql.run(operator, "UPDATE pgs_distribution_metadata.shard_placement SET shard_state = 1"
            + " WHERE shard_id = " + shard);
      }
      Collections.sort(delays);
      System.out.printf("raw catalog changes: %d, delay from commit to the first routed read"
          + " that uses them: median %.2f ms, p99 %.2f ms, max %.2f ms%n", delays.size(),
          delays.get(delays.size() / 2) / 1e6, delays.get(delays.size() * 99 / 100) / 1e6,
          delays.get(delays.size() - 1) / 1e6);
    }
  }

  /**
   * DDL that only makes objects invalidates only the plans that name them, whether it runs
   * through Spar or straight on the coordinator; a table made in an earlier schema of the
   * search path then hides the distributed one, as in PostgreSQL, also for a statement
   * prepared before (it once read the distributed table's empty shell there). Other DDL makes
   * every plan anew.
   */
  @Test
  void ddlThatMakesObjectsInvalidatesOnlyPlansNamingThem() throws Exception {
    try (Connection spar = SparTestCluster.embedded();
        Connection other = SparTestCluster.embedded();
        Connection operator = SparTestCluster.coordinator()) {
      Sql.run(spar, "DROP TABLE IF EXISTS cv_names");
      Sql.run(operator, "DROP SCHEMA IF EXISTS cv_shadow CASCADE");
      Sql.run(operator, "DROP TABLE IF EXISTS cv_unrelated, cv_unrelated_too");
      Sql.run(spar, "CREATE TABLE cv_names (k bigint PRIMARY KEY, v text)");
      Sql.run(spar, "SELECT master_create_distributed_table('cv_names', 'k', 'hash')");
      Sql.run(spar, "SELECT master_create_worker_shards('cv_names', 2, 1)");
      Sql.run(spar, "INSERT INTO cv_names SELECT g, 'v' FROM generate_series(1, 5) g");
      Sql.run(operator, "CREATE SCHEMA cv_shadow");
      SparSession session = spar.unwrap(SparSession.class);
      Sql.run(spar, "SET search_path TO cv_shadow, public");
      try (PreparedStatement count = spar.prepareStatement("SELECT count(*) FROM cv_names")) {
        assertEquals(5, count(count));
        long plans = session.plansMade();

        // Unrelated tables and an index, made by an operator and through Spar.
        long epoch = session.engine().metadata().namesEpoch();
        Sql.run(operator, "CREATE TABLE cv_unrelated (x int)");
        Sql.run(operator, "CREATE INDEX ON cv_unrelated (x)");
        Sql.run(other, "CREATE TABLE cv_unrelated_too (x serial PRIMARY KEY)");
        awaitNamesEpoch(session, epoch + 3);
        assertEquals(5, count(count));
        assertEquals(plans, session.plansMade(), "plans made anew after unrelated DDL");

        // A table of the same name, earlier on the search path, hides the distributed one.
        epoch = session.engine().metadata().namesEpoch();
        Sql.run(operator, "CREATE TABLE cv_shadow.cv_names (k bigint, v text)");
        Sql.run(operator, "INSERT INTO cv_shadow.cv_names VALUES (1, 'local')");
        awaitNamesEpoch(session, epoch + 1);
        assertEquals(1, count(count));
        assertEquals(plans + 1, session.plansMade());

        // Other DDL makes every plan anew.
        long generation = session.engine().metadata().generation();
        Sql.run(operator, "ALTER TABLE cv_unrelated ADD COLUMN y int");
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        while (session.engine().metadata().generation() == generation) {
          assertTrue(System.nanoTime() < deadline, "the ALTER never reached the engine");
          Thread.sleep(1);
        }
        assertEquals(1, count(count));
        assertEquals(plans + 2, session.plansMade());
      } finally {
        Sql.run(spar, "RESET search_path");
        Sql.run(operator, "DROP SCHEMA cv_shadow CASCADE");
        Sql.run(operator, "DROP TABLE cv_unrelated, cv_unrelated_too");
      }
    }
  }

  private static long count(PreparedStatement count) throws SQLException {
    try (ResultSet rs = count.executeQuery()) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  /** Waits until the engine has heard of DDL that changed names up to {@code epoch}. */
  private static void awaitNamesEpoch(SparSession session, long epoch)
      throws InterruptedException {
    long deadline = System.nanoTime() + GIVE_UP_NANOS;
    while (session.engine().metadata().namesEpoch() < epoch) {
      assertTrue(System.nanoTime() < deadline, "the DDL never reached the engine");
      Thread.sleep(1);
    }
  }

  /** Runs the routed read of key 1 and returns the node it read from. */
  private static String readFrom(PreparedStatement read, StatementLog log, long shard)
      throws SQLException {
    long mark = log.mark();
    read.setLong(1, 1);
    try (ResultSet rs = read.executeQuery()) {
      assertTrue(rs.next());
      assertEquals("one", rs.getString(1));
    }
    List<String> nodes = log.since(mark).stream()
        .filter(each -> Objects.equals(each.shardId(), shard))
        .map(each -> each.node().host() + ":" + each.node().port()).distinct().toList();
    assertEquals(1, nodes.size(), nodes.toString());
    return nodes.get(0);
  }
}
