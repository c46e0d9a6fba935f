package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs read statements on shards in parallel and concatenates their rows.
 *
 * <p>Where the session's transaction must see its own work or keep its snapshot and locks
 * ({@link ReadScope}), a query runs on the session's connection to its node, inside the
 * transaction; the queries of one node then run one after another on that connection, nodes in
 * parallel. Other queries run in parallel on pooled connections, adapting to the pool as Citus's
 * adaptive executor does: each node's queries share as many connections as the node's pool has
 * free, at least one, so a connection runs several shard queries in turn when few are free
 * rather than the statement failing for want of one per shard. Each shard query tries its
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
    return execute(queries, scope, lockRows, scope.valueForm().reader());
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
    RunningQueries running = scope.running();
    if (inTransaction.size() + pooled.size() == 1 && results.isEmpty()) {
      // One query, or one node's queries: run them on this thread, without a hand-off.
      return inTransaction.isEmpty() ? run(pooled.get(0), settings, running, reader)
          : concat(runInTransaction(inTransaction, scope, reader));
    }
    RowSet[] pooledResults = new RowSet[pooled.size()];
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    Map<NodeAddress, List<Integer>> byNode = new LinkedHashMap<>();
    for (int i = 0; i < pooled.size(); i++) {
      byNode.computeIfAbsent(pooled.get(i).nodes().get(0), k -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<NodeAddress, List<Integer>> each : byNode.entrySet()) {
      futures.add(CompletableFuture.runAsync(() -> unchecked(() -> runOnNode(each.getKey(),
          each.getValue(), pooled, settings, running, reader, pooledResults)), threads));
    }
    List<CompletableFuture<List<RowSet>>> nodeFutures = new ArrayList<>();
    for (Map.Entry<NodeAddress, List<ShardQuery>> each : inTransaction.entrySet()) {
      Connection connection = scope.joined(each.getKey());
      nodeFutures.add(CompletableFuture.supplyAsync(
          () -> unchecked(() -> runAll(each.getKey(), connection, each.getValue(), reader)), threads));
    }
    SQLException failure = null;
    for (CompletableFuture<Void> each : futures) {
      try {
        each.join();
      } catch (CompletionException e) {
        failure = failure == null ? sqlException(e) : failure;
      }
    }
    if (failure == null) {
      results.addAll(List.of(pooledResults));
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
    RunningQueries running = scope.running();
    // A stream holds its connections until it is read, so two streams that each waited for a
    // connection the other holds would wait for ever: each takes one connection per node in
    // node order (never holding one of a later node while it waits), and more only if they
    // are free now. A node's other queries run on its connections in turn.
    Map<NodeAddress, List<ShardQuery>> byNode = new TreeMap<>();
    for (ShardQuery each : queries) {
      byNode.computeIfAbsent(each.nodes().get(0), k -> new ArrayList<>()).add(each);
    }
    Map<NodeAddress, Queue<ShardQuery>> waiting = new LinkedHashMap<>();
    Map<ShardQuery, Connection> lent = new LinkedHashMap<>();
    try {
      for (Map.Entry<NodeAddress, List<ShardQuery>> node : byNode.entrySet()) {
        Queue<ShardQuery> nodeQueries = new ArrayDeque<>(node.getValue());
        Connection first = borrowUnlessDown(node.getKey());
        if (first == null) {
          // The node is down: its queries start on other placements at the end of the stream.
          waiting.put(node.getKey(), nodeQueries);
          continue;
        }
        lent.put(nodeQueries.poll(), first);
        for (Connection more = nodeQueries.isEmpty() ? null : pools.borrowIfFree(node.getKey());
            more != null;
            more = nodeQueries.isEmpty() ? null : pools.borrowIfFree(node.getKey())) {
          lent.put(nodeQueries.poll(), more);
        }
        waiting.put(node.getKey(), nodeQueries);
      }
    } catch (SQLException e) {
      lent.values().forEach(ReadExecutor::closeQuietly);
      throw e;
    }
    List<CompletableFuture<ShardStream.Open>> starts = new ArrayList<>();
    for (Map.Entry<ShardQuery, Connection> each : lent.entrySet()) {
      NodeAddress node = each.getKey().nodes().get(0);
      starts.add(CompletableFuture.supplyAsync(() -> unchecked(() -> ShardStream.Open.start(
          pools, log, running, node, each.getValue(), each.getKey(), settings)), threads));
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
    if (started.isEmpty()) {
      // Every first placement is down: start one query elsewhere, for the column descriptions.
      ShardQuery any = waiting.values().stream().map(Queue::poll).filter(Objects::nonNull)
          .findFirst().orElseThrow();
      started.add(ShardStream.Open.start(pools, log, running, any, settings));
    }
    ResultSetMetaData metaData = started.get(0).resultSet().getMetaData();
    List<ColumnInfo> columns = new ArrayList<>();
    for (int i = 1; i <= metaData.getColumnCount(); i++) {
      columns.add(ColumnInfo.of(metaData, i));
    }
    return RowSet.streaming(columns, new ShardStream(started, waiting, settings,
        query -> ShardStream.Open.start(pools, log, running, query, settings),
        scope.valueForm()));
  }

  /** Borrows a connection to {@code node}, or returns null if the node cannot be reached. */
  private Connection borrowUnlessDown(NodeAddress node) throws SQLException {
    try {
      return pools.borrow(node);
    } catch (SQLException e) {
      if (!Failures.isNodeFailure(e)) {
        throw e;
      }
      return null;
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // Going back to its pool anyway.
    }
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
   * Runs the pooled queries {@code indexes} of {@code queries}, whose first placement is on
   * {@code node}, into {@code results}: on as many of the node's connections as are free (at
   * least one, which the statement waits for), each taking the next query until none is left.
   * Connections beyond the first are not waited for: one that comes free late finds nothing left
   * to do. A query whose node fails moves on to its other placements.
   */
  private Void runOnNode(NodeAddress node, List<Integer> indexes, List<ShardQuery> queries,
      WorkerSettings settings, RunningQueries running, RowSet.Reader reader, RowSet[] results)
      throws SQLException {
    Queue<Integer> pending = new ConcurrentLinkedQueue<>(indexes);
    int connections = Math.max(1, Math.min(indexes.size(), pools.freeConnections(node)));
    List<AtomicBoolean> started = new ArrayList<>();
    List<CompletableFuture<Void>> extra = new ArrayList<>();
    for (int i = 1; i < connections; i++) {
      AtomicBoolean took = new AtomicBoolean();
      started.add(took);
      extra.add(CompletableFuture.runAsync(() -> unchecked(() -> {
        Connection connection = pools.borrowIfFree(node);
        if (connection != null) {
          took.set(true);
          drain(node, connection, pending, queries, settings, running, reader, results);
        }
        return null;
      }), threads));
    }
    Connection first = borrowUnlessDown(node);
    if (first != null) {
      drain(node, first, pending, queries, settings, running, reader, results);
    }
    for (Integer next = pending.poll(); next != null; next = pending.poll()) {
      results[next] = run(queries.get(next), settings, running, reader);
    }
    // Only connections that took queries are waited for; the queue is empty for the others.
    for (int i = 0; i < extra.size(); i++) {
      if (started.get(i).get()) {
        try {
          extra.get(i).join();
        } catch (CompletionException e) {
          throw sqlException(e);
        }
      }
    }
    return null;
  }

  /**
   * Runs queries from {@code pending} on {@code connection}, which carries the session's
   * {@code settings} meanwhile, until none is left, and returns it to its pool. After the node
   * fails, the remaining queries move on to their other placements.
   */
  private void drain(NodeAddress node, Connection connection, Queue<Integer> pending,
      List<ShardQuery> queries, WorkerSettings settings, RunningQueries running,
      RowSet.Reader reader, RowSet[] results) throws SQLException {
    boolean healthy = true;
    running.started(connection);
    try {
      if (!settings.isDefault()) {
        settings.applyTo(connection);
      }
      for (Integer next = pending.poll(); next != null; next = pending.poll()) {
        ShardQuery query = queries.get(next);
        if (healthy) {
          try {
            results[next] = runOn(node, connection, query, reader);
            continue;
          } catch (SQLException e) {
            if (!Failures.isNodeFailure(e)) {
              throw e;
            }
            healthy = false;
          }
        }
        results[next] = run(query, settings, running, reader);
      }
    } finally {
      running.ended(connection);
      giveBack(node, connection, healthy, settings);
    }
  }

  /**
   * Returns a pooled connection that ran the session's queries with its {@code settings}: reset,
   * or evicted if it failed or cannot be reset, since another session must not inherit them.
   */
  private void giveBack(NodeAddress node, Connection connection, boolean healthy,
      WorkerSettings settings) {
    try (connection) {
      if (!healthy) {
        pools.evict(node, connection);
      } else if (!settings.isDefault()) {
        WorkerSettings.reset(connection);
      }
    } catch (SQLException e) {
      pools.evict(node, connection);
    }
  }

  /**
   * Runs {@code query} on a pooled connection that carries the session's {@code settings} for
   * as long as it runs.
   */
  private RowSet run(ShardQuery query, WorkerSettings settings, RunningQueries running,
      RowSet.Reader reader) throws SQLException {
    return PlacementFailover.run(pools, query, (node, connection) -> {
      running.started(connection);
      try (connection) {
        return settings.isDefault() ? runOn(node, connection, query, reader)
            : runWith(settings, node, connection, query, reader);
      } finally {
        running.ended(connection);
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
