package io.spar.engine.execution;

import java.util.List;
import java.util.TreeMap;

/**
 * How a modification composes with concurrent modifications of the same shard, which decides
 * how much ordering its replicated writes need.
 *
 * <p>Replicas stay identical when concurrent writes apply in the same order on every placement.
 * Row locks alone do not give that: a statement whose effect depends on a row being absent
 * takes no lock, so two writers can pass each other between placements. Writes to a
 * replicated shard therefore take an advisory lock on the shard at each of its placements, in
 * placement order, in the mode below, and keep it until that placement commits. Writes to an
 * unreplicated shard take none.
 *
 * <p>PostgreSQL's advisory locks have only a shared and an exclusive mode, so only one group of
 * writes can share: plain INSERTs, which commute with each other. Increments such as
 * {@code n = n + 1} commute with each other too, but not with an INSERT (an increment that
 * runs while an INSERT lands would change the new row on one placement and not on the other),
 * and not with anything else, so they take the lock exclusively like every other write.
 */
public enum WriteClass {
  /** A plain INSERT, without ON CONFLICT: inserts commute with each other and share the lock. */
  INSERT("insert", "pg_advisory_xact_lock_shared"),
  /**
   * An UPDATE whose assignments commute with each other ({@code n = n + 1} on integers, hll's
   * {@code ||}) but not with inserts, so it takes the lock exclusively.
   */
  COMMUTATIVE("commutative", "pg_advisory_xact_lock"),
  /** Repeatable with the same result: DELETE, SET to constants, ON CONFLICT DO NOTHING. */
  IDEMPOTENT("idempotent", "pg_advisory_xact_lock"),
  /** Neither: the result depends on the order, such as {@code SET n = EXCLUDED.n}. */
  NON_COMMUTATIVE("non-commutative", "pg_advisory_xact_lock");

  /** First key of Spar's shard locks ("spar" in ASCII), the second being the shard id. */
  private static final int LOCK_SPACE = 0x73706172;

  private final String label;
  private final String lockFunction;

  WriteClass(String label, String lockFunction) {
    this.label = label;
    this.lockFunction = lockFunction;
  }

  /**
   * Returns the statement that takes this class's lock on shard {@code shardId}, and the
   * exclusive lock on each shard of {@code read}, whose rows the write reads: a write to those
   * shards (even a plain INSERT) landing between two placements' reads would make the replicas
   * differ. The locks are taken in shard order, so that two writes never take them in opposite
   * orders.
   */
  String lockStatement(long shardId, List<Long> read) {
    TreeMap<Long, String> locks = new TreeMap<>();
    locks.put(shardId, lockFunction);
    for (long each : read) {
      locks.put(each, NON_COMMUTATIVE.lockFunction);
    }
    StringBuilder sql = new StringBuilder("SELECT ");
    locks.forEach((id, function) -> sql.append(sql.length() > 7 ? ", " : "").append(function)
        // The two-int form keeps Spar's locks apart from applications' one-bigint locks.
        .append('(').append(LOCK_SPACE).append(", ").append((int) id.longValue()).append(')'));
    return sql.toString();
  }

  @Override
  public String toString() {
    return label;
  }
}
