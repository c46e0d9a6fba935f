package io.spar.engine.operations;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open transactions that keep every writer away from one shard while its placement is repaired.
 *
 * <p>Two locks are needed. Writers to a shard with several FINALIZED placements queue on the
 * shard's advisory lock at the first of them, so the fence takes that lock exclusively. But
 * while one placement of a two-replica shard is INACTIVE, the source is the only FINALIZED
 * placement and writers take no advisory lock at all; so the fence also locks the source's
 * shard table in SHARE mode, which waits for uncommitted writes to it and blocks new ones
 * (they need ROW EXCLUSIVE) while still letting reads through. The advisory lock is taken
 * first, so a writer that follows the advisory protocol never holds the table while queueing.
 */
final class ShardFence implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardFence.class);
  /** First key of Spar's shard locks ("spar" in ASCII), as {@code WriteClass} takes them. */
  private static final int LOCK_SPACE = 0x73706172;

  private final Connection lockConnection;
  private final Connection sourceConnection;
  private final long shardId;
  private final TableName shardName;

  private ShardFence(Connection lockConnection, Connection sourceConnection, long shardId,
      TableName shardName) {
    this.lockConnection = lockConnection;
    this.sourceConnection = sourceConnection;
    this.shardId = shardId;
    this.shardName = shardName;
  }

  /**
   * Takes the shard's advisory lock exclusively on {@code lockNode} and its table lock on
   * {@code source}, each in an open transaction on a connection of its own (one if the nodes
   * are the same), waiting for the writers that hold them to finish.
   */
  static ShardFence raise(NodePools pools, StatementLog log, long shardId, TableName shardName,
      NodeAddress lockNode, NodeAddress source) throws SQLException {
    Connection lock = pools.open(lockNode);
    Connection table = lock;
    try {
      lock.setAutoCommit(false);
      // Same two-int form and int truncation as the writers, or the locks would not meet.
      execute(lock, log, lockNode, shardId,
          "SELECT pg_advisory_xact_lock(" + LOCK_SPACE + ", " + (int) shardId + ")");
      if (!source.equals(lockNode)) {
        table = pools.open(source);
        table.setAutoCommit(false);
      }
      execute(table, log, source, shardId, "LOCK TABLE " + shardName.quoted() + " IN SHARE MODE");
      return new ShardFence(lock, table, shardId, shardName);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(table);
      closeQuietly(lock);
      throw e;
    }
  }

  private static void execute(Connection connection, StatementLog log, NodeAddress node,
      long shardId, String sql) throws SQLException {
    log.record(node, shardId, sql);
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Returns the connection to the source node, whose transaction sees every committed write. */
  Connection source() {
    return sourceConnection;
  }

  /**
   * Releases the fence, once the catalog names the new placement.
   *
   * <p>The writers queued on it were routed while the target was not current, so once let
   * through they write the old placements alone. Those queued on the shard's advisory lock
   * write in a two-phase commit, whose commit record is refused when a current placement went
   * unwritten: they are rolled back and run again by the new placements. Writers queued on the
   * source's table alone take no lock and commit on their own: their engine's catalog gave
   * the shard a single placement, and the target was added after it (by an operator's plain
   * SQL). Those are cancelled, with 57014, a statement error that blames no placement, and a
   * retry plans with the new placements. Only the mode such writers request is cancelled, so
   * queued DDL is left alone.
   */
  void release() throws SQLException {
    cancelWaiters(sourceConnection, "locktype = 'relation' AND mode = 'RowExclusiveLock'"
        + " AND relation = to_regclass('" + shardName.quoted().replace("'", "''") + "')");
    if (sourceConnection != lockConnection) {
      sourceConnection.commit();
    }
    lockConnection.commit();
  }

  private void cancelWaiters(Connection connection, String condition) throws SQLException {
    String cancel = "SELECT count(pg_cancel_backend(pid)) FROM pg_locks WHERE NOT granted"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        + " AND " + condition;
    try (Statement statement = connection.createStatement()) {
      // Cancellation is a signal, so wait until the writers have left the queue; otherwise one
      // could be granted the lock on release before it notices. Bounded, in case writers
      // keep arriving faster than they are cancelled.
      for (int attempt = 0; attempt < 100; attempt++) {
        try (ResultSet rs = statement.executeQuery(cancel)) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
          LOG.info("cancelled {} writers queued behind the repair of shard {}", rs.getLong(1),
              shardId);
        }
        sleep(20);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Releases whatever is still held by closing the connections, which rolls them back. */
  @Override
  public void close() {
    for (Connection each : List.of(sourceConnection, lockConnection)) {
      closeQuietly(each);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("could not close a repair connection: {}", e.getMessage());
    }
  }
}
