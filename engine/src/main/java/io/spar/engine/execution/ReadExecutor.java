package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Runs read statements on shards in parallel and concatenates their rows.
 *
 * <p>Where the session's transaction must see its own work or keep its snapshot and locks
 * ({@link ReadScope}), a query runs on the session's connection to its node, inside the
 * transaction; the queries of one node then run one after another on that connection, nodes in
 * parallel. Other queries run in parallel on pooled connections. Each shard query tries its
 * placements in order and moves on to the next only when a node fails, so reads keep working
 * while a worker is down.
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
   * Runs every query in {@code scope} and returns all rows; with no queries, returns
   * {@code null} so that the caller supplies the column descriptions of an empty result.
   * Queries for the coordinator (a null shard id) read its own tables on the session's
   * connection. With {@code lockRows} the queries lock the rows they read.
   */
  public RowSet execute(List<ShardQuery> queries, ReadScope scope, boolean lockRows)
      throws SQLException {
    return execute(queries, scope, lockRows, RowSet::read);
  }

  /**
   * Runs every query in {@code scope} as {@link #execute(List, ReadScope, boolean)} does, and
   * reads each query's rows with {@code reader}.
   */
  public RowSet execute(List<ShardQuery> queries, ReadScope scope, boolean lockRows,
      RowSet.Reader reader) throws SQLException {
    Map<NodeAddress, List<ShardQuery>> inTransaction = new LinkedHashMap<>();
    List<ShardQuery> pooled = new ArrayList<>();
    List<RowSet> results = new ArrayList<>();
    for (ShardQuery each : queries) {
      if (each.shardId() == null) {
        results.add(runOn(each.nodes().get(0), scope.coordinator(lockRows), each, reader));
        continue;
      }
      NodeAddress node = transactionNode(each, scope, lockRows);
      if (node != null) {
        inTransaction.computeIfAbsent(node, k -> new ArrayList<>()).add(each);
      } else {
        pooled.add(each);
      }
    }
    WorkerSettings settings = pooled.isEmpty() ? null : scope.workerSettings();
    if (inTransaction.size() + pooled.size() == 1 && results.isEmpty()) {
      // One query, or one node's queries: run them on this thread, without a hand-off.
      return inTransaction.isEmpty() ? run(pooled.get(0), settings, reader)
          : concat(runInTransaction(inTransaction, scope, reader));
    }
    List<CompletableFuture<RowSet>> futures = new ArrayList<>();
    for (ShardQuery each : pooled) {
      futures.add(CompletableFuture.supplyAsync(() -> unchecked(() -> run(each, settings, reader)),
          threads));
    }
    List<CompletableFuture<List<RowSet>>> nodeFutures = new ArrayList<>();
    for (Map.Entry<NodeAddress, List<ShardQuery>> each : inTransaction.entrySet()) {
      Connection connection = scope.joined(each.getKey());
      nodeFutures.add(CompletableFuture.supplyAsync(
          () -> unchecked(() -> runAll(each.getKey(), connection, each.getValue(), reader)), threads));
    }
    SQLException failure = null;
    for (CompletableFuture<RowSet> each : futures) {
      try {
        results.add(each.join());
      } catch (CompletionException e) {
        failure = failure == null ? sqlException(e) : failure;
      }
    }
    for (CompletableFuture<List<RowSet>> each : nodeFutures) {
      try {
        results.addAll(each.join());
      } catch (CompletionException e) {
        failure = failure == null ? sqlException(e) : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
    return concat(results);
  }

  /**
   * Runs the queries as {@link #execute(List, ReadScope, boolean)} does, but returns rows that
   * stream from the shards, one query after another, a fetch size at a time: for results too
   * large to hold. The queries start in parallel, each on a pooled connection in a read
   * transaction of its own. Reads that must run in the session's transaction (a transaction
   * block, or a node the transaction has written to) or on the coordinator are materialized as
   * {@code execute} materializes them.
   */
  public RowSet stream(List<ShardQuery> queries, ReadScope scope) throws SQLException {
    boolean pooled = !scope.readsJoin(false);
    for (ShardQuery each : queries) {
      pooled &= each.shardId() != null;
      for (NodeAddress node : each.nodes()) {
        pooled &= scope.joined(node) == null;
      }
    }
    if (!pooled || queries.isEmpty()) {
      return execute(queries, scope, false);
    }
    WorkerSettings settings = scope.workerSettings();
    List<CompletableFuture<ShardStream.Open>> starts = new ArrayList<>();
    for (ShardQuery each : queries) {
      starts.add(CompletableFuture.supplyAsync(
          () -> unchecked(() -> ShardStream.Open.start(pools, log, each, settings)), threads));
    }
    List<ShardStream.Open> started = new ArrayList<>();
    SQLException failure = null;
    for (CompletableFuture<ShardStream.Open> each : starts) {
      try {
        started.add(each.join());
      } catch (CompletionException e) {
        failure = failure == null ? sqlException(e) : failure;
      }
    }
    if (failure != null) {
      started.forEach(ShardStream.Open::close);
      throw failure;
    }
    ResultSetMetaData metaData = started.get(0).resultSet().getMetaData();
    List<ColumnInfo> columns = new ArrayList<>();
    for (int i = 1; i <= metaData.getColumnCount(); i++) {
      columns.add(ColumnInfo.of(metaData, i));
    }
    return RowSet.streaming(columns, new ShardStream(started));
  }

  /**
   * Returns the node whose transaction connection must answer {@code query} (joining the node
   * if needed), or null if a pooled connection may.
   */
  private static NodeAddress transactionNode(ShardQuery query, ReadScope scope, boolean lockRows)
      throws SQLException {
    // Rows are locked on the first healthy placement, where writers of replicated shards lock
    // first; plain reads prefer a node the transaction is open on, to see its own writes.
    for (NodeAddress each : lockRows ? List.<NodeAddress>of() : query.nodes()) {
      if (scope.joined(each) != null) {
        return each;
      }
    }
    if (!scope.readsJoin(lockRows)) {
      return null;
    }
    SQLException lastFailure = null;
    for (NodeAddress each : query.nodes()) {
      try {
        scope.join(each);
        return each;
      } catch (SQLException e) {
        if (!Failures.isNodeFailure(e)) {
          throw e;
        }
        scope.readNodeFailed(each, e);
        lastFailure = e;
      }
    }
    throw PlacementFailover.noPlacement(query, lastFailure);
  }

  private List<RowSet> runInTransaction(Map<NodeAddress, List<ShardQuery>> byNode,
      ReadScope scope, RowSet.Reader reader) throws SQLException {
    Map.Entry<NodeAddress, List<ShardQuery>> only = byNode.entrySet().iterator().next();
    return runAll(only.getKey(), scope.joined(only.getKey()), only.getValue(), reader);
  }

  private List<RowSet> runAll(NodeAddress node, Connection connection, List<ShardQuery> queries,
      RowSet.Reader reader) throws SQLException {
    List<RowSet> results = new ArrayList<>();
    for (ShardQuery each : queries) {
      results.add(runOn(node, connection, each, reader));
    }
    return results;
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

  /** Returns the SQLException a read failed with; anything else is rethrown as it was. */
  private static SQLException sqlException(CompletionException failure) {
    if (failure.getCause() instanceof SQLException e) {
      return e;
    }
    if (failure.getCause() instanceof Error e) {
      throw e;
    }
    throw failure;
  }

  private interface Read<T> {
    T run() throws SQLException;
  }

  private static <T> T unchecked(Read<T> read) {
    try {
      return read.run();
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  /**
   * Runs {@code query} on a pooled connection that carries the session's {@code settings} for
   * as long as it runs.
   */
  private RowSet run(ShardQuery query, WorkerSettings settings, RowSet.Reader reader)
      throws SQLException {
    return PlacementFailover.run(pools, query, (node, connection) -> {
      try (connection) {
        return settings.isDefault() ? runOn(node, connection, query, reader)
            : runWith(settings, node, connection, query, reader);
      }
    });
  }

  private RowSet runWith(WorkerSettings settings, NodeAddress node, Connection connection,
      ShardQuery query, RowSet.Reader reader) throws SQLException {
    settings.applyTo(connection);
    try {
      return runOn(node, connection, query, reader);
    } finally {
      try {
        WorkerSettings.reset(connection);
      } catch (SQLException e) {
        // Another session must not inherit this session's limits.
        pools.evict(node, connection);
      }
    }
  }

  private RowSet runOn(NodeAddress node, Connection connection, ShardQuery query,
      RowSet.Reader reader) throws SQLException {
    long logged = log.record(node, query.shardId(), query.sql());
    try (PreparedStatement statement =
            Statements.prepare(connection, query.sql(), query.parameters());
        ResultSet resultSet = statement.executeQuery()) {
      RowSet rows = reader.read(resultSet);
      log.rowsRead(logged, rows.rows().size());
      return rows;
    }
  }
}
