package io.spar.adapter;

import io.spar.parser.SqlLockingClause;

/**
 * Refusal of a query with locking clauses ({@code FOR UPDATE}, ...) that Calcite would have to
 * plan: Calcite's plan reads shards without locks, so it would return rows unlocked.
 * {@link CalciteErrors} turns it into PostgreSQL's 0A000.
 */
final class LockingNotSupportedException extends RuntimeException {
  /** Creates the refusal of a query whose first locking clause has {@code strength}. */
  LockingNotSupportedException(SqlLockingClause.Strength strength) {
    super("SELECT " + strength.sql() + " is not supported for multi-shard queries");
  }
}
