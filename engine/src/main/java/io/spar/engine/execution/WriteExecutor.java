package io.spar.engine.execution;

import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.ShardPlacement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a modification on every FINALIZED placement of its shard.
 *
 * <p>The statement runs in a transaction on each placement. A statement error (a constraint
 * violation, say) rolls back every placement, so nothing is half-written and no placement is
 * blamed. A node failure on some placements, while others succeed, marks the failed ones
 * INACTIVE before the others commit, so a crash in between leaves a placement wrongly
 * inactive (repairable) rather than wrongly finalized; if every placement fails, the write
 * fails. This is pg_shard's availability model; two-phase commit makes it fully atomic.
 */
public final class WriteExecutor {
  private final StatementLog log;
  private final MetadataCache cache;

  /** Creates an executor that records statements in {@code log}. */
  public WriteExecutor(StatementLog log, MetadataCache cache) {
    this.log = log;
    this.cache = cache;
  }

  /** Runs {@code write} with the session's worker connections and returns its outcome. */
  public WriteResult execute(ShardWrite write, SessionConnections session) throws SQLException {
    List<ShardPlacement> placements = write.shard().finalizedPlacements();
    if (placements.isEmpty()) {
      throw new SQLException("could not find any healthy placement for shard "
          + write.shard().id(), "XX000");
    }
    List<ShardPlacement> succeeded = new ArrayList<>();
    List<ShardPlacement> failed = new ArrayList<>();
    WriteResult result = null;
    SQLException nodeFailure = null;
    for (ShardPlacement placement : placements) {
      try {
        WriteResult each = runOn(placement, write, session);
        result = result == null ? each : result;
        succeeded.add(placement);
      } catch (SQLException e) {
        if (!Failures.isNodeFailure(e)) {
          rollback(succeeded, session);
          rollback(List.of(placement), session);
          throw e;
        }
        session.releaseWorker(placement.node());
        failed.add(placement);
        nodeFailure = nodeFailure == null ? e : nodeFailure;
      }
    }
    if (succeeded.isEmpty()) {
      throw nodeFailure;
    }
    markInactive(failed, session);
    commit(succeeded, session);
    return result;
  }

  private WriteResult runOn(ShardPlacement placement, ShardWrite write,
      SessionConnections session) throws SQLException {
    Connection connection = session.worker(placement.node());
    connection.setAutoCommit(false);
    log.record(placement.node(), write.shard().id(), write.sql());
    try (PreparedStatement statement =
        Statements.prepare(connection, write.sql(), write.parameters())) {
      if (statement.execute()) {
        try (ResultSet resultSet = statement.getResultSet()) {
          RowSet rows = RowSet.read(resultSet);
          return new WriteResult(rows.rows().size(), rows);
        }
      }
      return new WriteResult(statement.getLargeUpdateCount(), null);
    }
  }

  private void markInactive(List<ShardPlacement> failed, SessionConnections session)
      throws SQLException {
    if (failed.isEmpty()) {
      return;
    }
    Connection coordinator = session.coordinator();
    for (ShardPlacement each : failed) {
      CatalogStore.updatePlacementState(coordinator, each.id(), PlacementState.INACTIVE);
    }
    cache.invalidate();
  }

  private void commit(List<ShardPlacement> placements, SessionConnections session)
      throws SQLException {
    List<ShardPlacement> failed = new ArrayList<>();
    for (ShardPlacement each : placements) {
      try {
        session.worker(each.node()).commit();
      } catch (SQLException e) {
        if (!Failures.isNodeFailure(e)) {
          throw e;
        }
        failed.add(each);
      }
    }
    markInactive(failed, session);
  }

  private static void rollback(List<ShardPlacement> placements, SessionConnections session) {
    for (ShardPlacement each : placements) {
      session.releaseWorker(each.node());
    }
  }
}
