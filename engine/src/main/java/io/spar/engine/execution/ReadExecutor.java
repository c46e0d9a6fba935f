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
 * node fails, so reads keep working while a worker is down. A query on a node where the
 * session's transaction has written runs on the session's own connection, so that it sees
 * those writes; such queries run one after another, the others in parallel on pooled
 * connections.
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
   * Runs every query for {@code session} and returns all rows; with no queries, returns
   * {@code null} so that the caller supplies the column descriptions of an empty result.
   */
  public RowSet execute(List<ShardQuery> queries, SessionConnections session)
      throws SQLException {
    List<CompletableFuture<RowSet>> futures = new ArrayList<>();
    List<RowSet> results = new ArrayList<>();
    for (ShardQuery each : queries) {
      NodeAddress pinned = pinnedNode(each, session);
      if (pinned != null) {
        results.add(runOn(pinned, session.pinned(pinned), each));
      } else if (queries.size() == 1) {
        results.add(run(each));
      } else {
        futures.add(CompletableFuture.supplyAsync(() -> runUnchecked(each), threads));
      }
    }
    SQLException failure = null;
    for (CompletableFuture<RowSet> each : futures) {
      try {
        results.add(each.join());
      } catch (CompletionException e) {
        failure = failure == null ? (SQLException) e.getCause() : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
    return concat(results);
  }

  private static NodeAddress pinnedNode(ShardQuery query, SessionConnections session) {
    for (NodeAddress each : query.nodes()) {
      if (session != null && session.pinned(each) != null) {
        return each;
      }
    }
    return null;
  }

  private static RowSet concat(List<RowSet> results) {
    if (results.isEmpty()) {
      return null;
    }
    if (results.size() == 1) {
      return results.get(0);
    }
    List<Object[]> rows = new ArrayList<>();
    results.forEach(each -> rows.addAll(each.rows()));
    return new RowSet(results.get(0).columns(), rows);
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
      try (Connection connection = pools.borrow(node)) {
        return runOn(node, connection, query);
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

  private RowSet runOn(NodeAddress node, Connection connection, ShardQuery query)
      throws SQLException {
    log.record(node, query.shardId(), query.sql());
    try (PreparedStatement statement =
            Statements.prepare(connection, query.sql(), query.parameters());
        ResultSet resultSet = statement.executeQuery()) {
      return RowSet.read(resultSet);
    }
  }
}
