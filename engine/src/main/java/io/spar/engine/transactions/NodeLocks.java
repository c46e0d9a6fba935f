package io.spar.engine.transactions;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.transactions.WaitGraph.Backend;
import io.spar.engine.transactions.WaitGraph.Wait;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lock waits of one node as the {@link DeadlockDetector} reads them, and the cancellation of
 * a victim's waits there.
 *
 * <p>Times are read as ages on the node's own clock ({@code clock_timestamp()} minus the
 * start) and placed on the engine's monotonic clock by subtracting them from the moment the
 * answer arrived; so nodes' clocks need not agree with each other or with the engine.
 */
final class NodeLocks {

  /** One row per (wait, blocker); tag locks are advisory with one bigint key (objsubid 1). */
  private static final String READ = """
      WITH locks AS MATERIALIZED (
        SELECT * FROM pg_locks WHERE pid IS NOT NULL
      ), activity AS MATERIALIZED (
        SELECT pid, coalesce(leader_pid, pid) AS backend,
          (extract(epoch FROM clock_timestamp() - xact_start) * 1000000)::bigint AS xact_age
        FROM pg_stat_activity
      ), tags AS (
        SELECT pid, min((classid::bigint << 32) | objid::bigint) AS tag FROM locks
        WHERE locktype = 'advisory' AND objsubid = 1 AND granted
          AND classid::bigint >> 16 = x'5350'::int
        GROUP BY pid
      ), waits AS MATERIALIZED (
        SELECT coalesce(a.backend, l.pid) AS waiter,
          (extract(epoch FROM l.waitstart) * 1000000)::bigint AS wait_start,
          (extract(epoch FROM clock_timestamp() - l.waitstart) * 1000000)::bigint AS wait_age,
          l.mode || ' on ' || CASE l.locktype
            WHEN 'relation' THEN format('relation %s of database %s', l.relation, l.database)
            WHEN 'extend' THEN format('extension of relation %s of database %s', l.relation,
              l.database)
            WHEN 'page' THEN format('page %s of relation %s of database %s', l.page,
              l.relation, l.database)
            WHEN 'tuple' THEN format('tuple (%s,%s) of relation %s of database %s', l.page,
              l.tuple, l.relation, l.database)
            WHEN 'transactionid' THEN format('transaction %s', l.transactionid)
            WHEN 'virtualxid' THEN format('virtual transaction %s', l.virtualxid)
            WHEN 'object' THEN format('object %s of class %s of database %s', l.objid,
              l.classid, l.database)
            WHEN 'advisory' THEN format('advisory lock [%s,%s,%s,%s]', l.database, l.classid,
              l.objid, l.objsubid)
            ELSE l.locktype END AS lock,
          pg_blocking_pids(l.pid) AS blockers
        FROM locks l LEFT JOIN activity a ON a.pid = l.pid
        WHERE NOT l.granted AND l.waitstart IS NOT NULL
      )
      SELECT w.waiter, wt.tag, wa.xact_age, w.wait_start, w.wait_age, w.lock,
        b.blocker, bt.tag, ba.xact_age
      FROM waits w CROSS JOIN LATERAL unnest(w.blockers) AS b(blocker)
        LEFT JOIN tags wt ON wt.pid = w.waiter
        LEFT JOIN activity wa ON wa.pid = w.waiter
        LEFT JOIN tags bt ON bt.pid = b.blocker
        LEFT JOIN activity ba ON ba.pid = b.blocker
      WHERE b.blocker <> 0 AND b.blocker <> w.waiter
      """;

  private static final String CANCEL = """
      SELECT count(*) FILTER (WHERE pg_cancel_backend(v.backend)) FROM (
        SELECT DISTINCT coalesce(a.leader_pid, l.pid) AS backend
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE NOT l.granted AND (coalesce(a.leader_pid, l.pid),
          (extract(epoch FROM l.waitstart) * 1000000)::bigint)
          IN (SELECT * FROM unnest(?::int[], ?::bigint[]))
      ) v
      WHERE EXISTS (SELECT 1 FROM pg_locks t WHERE t.pid = v.backend AND t.granted
        AND t.locktype = 'advisory' AND t.objsubid = 1
        AND t.classid = ?::bigint::oid AND t.objid = ?::bigint::oid)
      """;

  /**
   * One wait observed on a node, and whether it started before the round did.
   *
   * @param lockWait the wait, with the tags its backends held when read
   * @param beforeRound whether the wait began before the round's start
   */
  record Observation(Wait lockWait, boolean beforeRound) {
  }

  /**
   * What one node showed.
   *
   * @param waits every wait for a lock that another backend holds or awaits ahead of it
   * @param starts when each tagged backend's transaction started, on the engine's clock
   */
  record Reading(List<Observation> waits, Map<TransactionTag, Long> starts) {
  }

  private NodeLocks() {
  }

  /**
   * Reads the waits of {@code node} in one query; {@code roundStart} is the round's start on
   * {@link System#nanoTime}.
   */
  static Reading read(Connection connection, NodeAddress node, long roundStart)
      throws SQLException {
    List<Observation> waits = new ArrayList<>();
    Map<TransactionTag, Long> starts = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(READ)) {
      long arrived = System.nanoTime();
      while (rs.next()) {
        Backend waiter = backend(node, rs.getInt(1), rs.getObject(2, Long.class));
        Backend blocker = backend(node, rs.getInt(7), rs.getObject(8, Long.class));
        Wait wait = new Wait(waiter, blocker, rs.getLong(4), rs.getString(6));
        // The wait began its age before the node read its clock, which was before "arrived".
        waits.add(new Observation(wait, arrived - rs.getLong(5) * 1000 < roundStart));
        startedAt(starts, waiter.tag(), arrived, rs.getObject(3, Long.class));
        startedAt(starts, blocker.tag(), arrived, rs.getObject(9, Long.class));
      }
    }
    return new Reading(waits, starts);
  }

  private static Backend backend(NodeAddress node, int pid, Long tag) {
    return new Backend(node, pid,
        tag != null && TransactionTag.isTag(tag) ? TransactionTag.of(tag) : null);
  }

  private static void startedAt(Map<TransactionTag, Long> starts, TransactionTag tag,
      long arrived, Long ageMicros) {
    if (tag != null && ageMicros != null) {
      starts.merge(tag, arrived - ageMicros * 1000, Math::min);
    }
  }

  /**
   * Cancels the statements of {@code victim} that still wait in one of {@code waits} (all on
   * this node) and returns how many it cancelled.
   *
   * <p>A backend is cancelled only while it still holds the victim's tag lock and is still in
   * the very wait the round saw (same backend, same start), so a pid that has since been reused,
   * or a victim that got its lock after all, is left alone.
   */
  static int cancel(Connection connection, TransactionTag victim, List<Wait> waits)
      throws SQLException {
    Integer[] pids = waits.stream().map(w -> w.waiter().pid()).toArray(Integer[]::new);
    Long[] starts = waits.stream().map(Wait::waitStart).toArray(Long[]::new);
    try (PreparedStatement statement = connection.prepareStatement(CANCEL)) {
      statement.setArray(1, connection.createArrayOf("int4", pids));
      statement.setArray(2, connection.createArrayOf("int8", starts));
      statement.setLong(3, victim.value() >>> 32);
      statement.setLong(4, victim.value() & 0xffffffffL);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
