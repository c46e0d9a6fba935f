package io.spar.engine.execution;

/**
 * How many connections an engine keeps to each node, how long a statement waits for one of
 * them when all are in use before it fails with SQLState 53300 ({@code too_many_connections}),
 * and how many sessions the engine admits at once (a session beyond them fails at connect with
 * 53300 at once).
 *
 * @param connectionsPerNode the size of each node's pool
 * @param waitMillis how long a borrower waits for a connection to come free
 * @param maxSessions the most sessions open at once; 0 for no limit
 */
public record PoolLimits(int connectionsPerNode, long waitMillis, int maxSessions) {
  /**
   * The defaults: 32 connections per node, a wait of 30 seconds (HikariCP's own default; under
   * a burst, statements queue rather than fail), and no session limit.
   */
  public static final PoolLimits DEFAULTS = new PoolLimits(32, 30_000, 0);

  /** Limits with no limit on sessions. */
  public PoolLimits(int connectionsPerNode, long waitMillis) {
    this(connectionsPerNode, waitMillis, 0);
  }

  /** Checks the limits: at least one connection, and a wait HikariCP accepts. */
  public PoolLimits {
    if (maxSessions < 0) {
      throw new IllegalArgumentException("the session limit must be 0 (none) or more, not "
          + maxSessions);
    }
    if (connectionsPerNode < 1) {
      throw new IllegalArgumentException("the pool size must be at least 1, not "
          + connectionsPerNode);
    }
    if (waitMillis < 250) {
      throw new IllegalArgumentException("the pool wait must be at least 250 ms, not "
          + waitMillis);
    }
  }
}
