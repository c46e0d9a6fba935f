package io.spar.engine.execution;

/**
 * How many connections an engine keeps to each node, and how long a statement waits for one
 * of them when all are in use before it fails with SQLState 53300 ({@code too_many_connections}).
 *
 * @param connectionsPerNode the size of each node's pool
 * @param waitMillis how long a borrower waits for a connection to come free
 */
public record PoolLimits(int connectionsPerNode, long waitMillis) {
  /** The defaults: 32 connections per node, and a wait of 2 seconds. */
  public static final PoolLimits DEFAULTS = new PoolLimits(32, 2000);

  /** Checks the limits: at least one connection, and a wait HikariCP accepts. */
  public PoolLimits {
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
