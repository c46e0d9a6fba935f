package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Runs read statements on shards in parallel and concatenates their rows.
 *
 * <p>Each shard query tries its nodes in order and moves on to the next placement only when a
 * node fails, so reads keep working while a worker is down.
 */
public final class ReadExecutor {
  private final NodePools pools;
  private final StatementLog log;
  private final ExecutorService threads;

  /** Creates an executor that borrows connections from {@code pools}. */
  public ReadExecutor(NodePools pools, StatementLog log, ExecutorService threads) {
    this.pools = pools;
    this.log = log;
    this.threads = threads;
  }

  /**
   * Runs every query and returns all rows; with no queries, returns {@code null} so that the
   * caller supplies the column descriptions of an empty result.
   */
  public RowSet execute(List<ShardQuery> queries) throws SQLException {
    if (queries.size() == 1) {
      return run(queries.get(0));
    }
    List<CompletableFuture<RowSet>> futures = new ArrayList<>();
    for (ShardQuery each : queries) {
      futures.add(CompletableFuture.supplyAsync(() -> runUnchecked(each), threads));
    }
    List<Object[]> rows = new ArrayList<>();
    RowSet first = null;
    SQLException failure = null;
    for (CompletableFuture<RowSet> each : futures) {
      try {
        RowSet result = each.join();
        first = first == null ? result : first;
        rows.addAll(result.rows());
      } catch (CompletionException e) {
        failure = failure == null ? (SQLException) e.getCause() : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
    return first == null ? null : new RowSet(first.columns(), rows);
  }

  private RowSet runUnchecked(ShardQuery query) {
    try {
      return run(query);
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  private RowSet run(ShardQuery query) throws SQLException {
    SQLException lastFailure = null;
    for (NodeAddress node : query.nodes()) {
      try {
        return runOn(node, query);
      } catch (SQLException e) {
        if (!Failures.isNodeFailure(e)) {
          throw e;
        }
        lastFailure = e;
      }
    }
    if (lastFailure != null) {
      throw lastFailure;
    }
    throw new SQLException("could not find any healthy placement for shard " + query.shardId(),
        "XX000");
  }

  private RowSet runOn(NodeAddress node, ShardQuery query) throws SQLException {
    log.record(node, query.shardId(), query.sql());
    try (Connection connection = pools.borrow(node);
        PreparedStatement statement =
            Statements.prepare(connection, query.sql(), query.parameters());
        ResultSet resultSet = statement.executeQuery()) {
      return RowSet.read(resultSet);
    }
  }
}
