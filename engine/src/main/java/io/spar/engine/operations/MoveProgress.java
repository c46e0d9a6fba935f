package io.spar.engine.operations;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.NodePools;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress of one running shard move, in {@code pgs_distribution_metadata.shard_move}
 * (shown by the view {@code spar_move_progress} and by {@code spar status}): its phase, and the
 * bytes its target's tables hold against the source's, measured twice a second while it runs.
 *
 * <p>Every write commits at once on a connection of its own, outside the move's transaction, so
 * that every session sees the move as it goes; the move's row is deleted when it ends. A move
 * whose engine was killed leaves its row, which the view hides once the move's lock is gone and
 * the next move of the shard replaces.
 */
final class MoveProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MoveProgress.class);
  private static final long MEASURE_MILLIS = 500;
  /**
   * How long a measurement waits for a shard table's lock: the move's own transaction holds
   * the target's tables exclusively while it builds their indexes, and must never wait for it.
   */
  private static final String LOCK_TIMEOUT = "100ms";
  private static final String SIZE = "SELECT coalesce(sum(pg_catalog.pg_table_size("
      + "pg_catalog.to_regclass(n))), 0) FROM unnest(?::text[]) n";

  private final NodePools pools;
  private final NodeAddress coordinator;
  private final long shardId;
  private final List<TableName> tables;
  private final ScheduledExecutorService measuring;
  /** The measurements' own connection to the target, with its short lock timeout. */
  private final Connection targetLink;

  private MoveProgress(NodePools pools, NodeAddress coordinator, Connection targetLink,
      long shardId, List<TableName> tables) {
    this.pools = pools;
    this.coordinator = coordinator;
    this.targetLink = targetLink;
    this.shardId = shardId;
    this.tables = tables;
    this.measuring = Executors.newSingleThreadScheduledExecutor(work -> {
      Thread thread = new Thread(work, "spar-move-progress-" + shardId);
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Records that the shards {@code tables}, of which {@code shardId} names the move, start
   * moving from {@code source} to {@code target} in {@code mode}, in phase {@code copying},
   * and measures the copy until {@link #close}.
   */
  static MoveProgress start(NodePools pools, NodeAddress coordinator, long shardId,
      String table, NodeAddress source, NodeAddress target, String mode,
      List<TableName> tables) throws SQLException {
    Long total;
    try (Connection sourceLink = link(pools, source)) {
      total = size(sourceLink, tables);
    }
    MoveProgress progress = new MoveProgress(pools, coordinator, link(pools, target), shardId,
        tables);
    try (Connection catalog = pools.borrowInternal(coordinator);
        PreparedStatement ps = catalog.prepareStatement("INSERT INTO"
            + " pgs_distribution_metadata.shard_move (shard_id, table_name, source_name,"
            + " source_port, target_name, target_port, transfer_mode, phase, bytes_total)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, 'copying', ?) ON CONFLICT (shard_id) DO UPDATE"
            + " SET table_name = excluded.table_name, source_name = excluded.source_name,"
            + " source_port = excluded.source_port, target_name = excluded.target_name,"
            + " target_port = excluded.target_port, transfer_mode = excluded.transfer_mode,"
            + " phase = excluded.phase, bytes_total = excluded.bytes_total, bytes_copied = 0,"
            + " started = now(), updated = now()")) {
      ps.setLong(1, shardId);
      ps.setString(2, table);
      ps.setString(3, source.host());
      ps.setInt(4, source.port());
      ps.setString(5, target.host());
      ps.setInt(6, target.port());
      ps.setString(7, mode);
      ps.setObject(8, total);
      ps.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      progress.close();
      throw e;
    }
    progress.measuring.scheduleWithFixedDelay(progress::measureQuietly, MEASURE_MILLIS,
        MEASURE_MILLIS, TimeUnit.MILLISECONDS);
    return progress;
  }

  /** Records that the move entered {@code phase}, with the bytes copied so far. */
  void phase(String phase) throws SQLException {
    record(phase);
  }

  private void measureQuietly() {
    try {
      record(null);
    } catch (SQLException | RuntimeException e) {
      // Progress is for people watching; the move goes on without it.
      LOG.debug("could not record the progress of the move of shard {}: {}", shardId,
          e.getMessage());
    }
  }

  /** Records the bytes copied so far, and {@code phase} unless it is null. */
  private void record(String phase) throws SQLException {
    Long copied = copied();
    try (Connection catalog = pools.borrowInternal(coordinator);
        PreparedStatement ps = catalog.prepareStatement("UPDATE"
            + " pgs_distribution_metadata.shard_move SET phase = coalesce(?, phase),"
            + " bytes_copied = coalesce(?, bytes_copied), updated = now() WHERE shard_id = ?")) {
      ps.setString(1, phase);
      ps.setObject(2, copied);
      ps.setLong(3, shardId);
      ps.executeUpdate();
    }
  }

  /** Opens a connection to {@code node} for measurements. */
  private static Connection link(NodePools pools, NodeAddress node) throws SQLException {
    Connection connection = pools.open(node, "spar move progress");
    try (java.sql.Statement statement = connection.createStatement()) {
      statement.execute("SET lock_timeout = '" + LOCK_TIMEOUT + "'");
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /** Returns the bytes the target's tables hold now; null if it cannot tell at once. */
  private synchronized Long copied() {
    return size(targetLink, tables);
  }

  /** Returns the bytes {@code tables} take on {@code connection}'s node; null if unknown. */
  private static Long size(Connection connection, List<TableName> tables) {
    try (PreparedStatement ps = connection.prepareStatement(SIZE)) {
      ps.setArray(1, connection.createArrayOf("text",
          tables.stream().map(TableName::quoted).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      return null;
    }
  }

  /**
   * Stops measuring and deletes the move's row: it has ended, one way or the other. A row it
   * cannot delete is left to the view, which hides it once the move's lock is released.
   */
  @Override
  public void close() {
    measuring.shutdownNow();
    try {
      measuring.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      targetLink.close();
    } catch (SQLException e) {
      LOG.debug("could not close a move's measuring connection: {}", e.getMessage());
    }
    try (Connection catalog = pools.borrowInternal(coordinator);
        PreparedStatement ps = catalog.prepareStatement(
            "DELETE FROM pgs_distribution_metadata.shard_move WHERE shard_id = ?")) {
      ps.setLong(1, shardId);
      ps.executeUpdate();
    } catch (SQLException e) {
      LOG.debug("could not delete the progress of the move of shard {}: {}", shardId,
          e.getMessage());
    }
  }
}
