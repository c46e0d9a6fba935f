package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;

/**
 * Rows of several shard queries, one query after another, each read a fetch size at a time
 * from the pooled connection it runs on, inside a transaction of its own (pgjdbc fetches with a
 * cursor only outside autocommit). Queries that found no free connection when the stream
 * started wait for one of their node's running queries to end and then run on its connection.
 * A query's connection goes back to its pool as soon as its last row is read and no query waits
 * for it, or when the stream is closed.
 */
final class ShardStream implements RowCursor {
  /** Rows a shard sends per round trip. */
  static final int FETCH_SIZE = 1000;

  /** One running shard query. */
  static final class Open {
    private final NodePools pools;
    private final StatementLog log;
    private final RunningQueries running;
    private final NodeAddress node;
    private final Connection connection;
    private final boolean resetSettings;
    private final long logged;
    private PreparedStatement statement;
    private ResultSet resultSet;
    private long rows;

    private Open(NodePools pools, StatementLog log, RunningQueries running, NodeAddress node,
        Connection connection, boolean resetSettings, long logged) {
      this.pools = pools;
      this.log = log;
      this.running = running;
      this.node = node;
      this.connection = connection;
      this.resetSettings = resetSettings;
      this.logged = logged;
    }

    /**
     * Starts {@code query} on a pooled connection to its first placement that answers, with the
     * session's {@code settings}.
     */
    static Open start(NodePools pools, StatementLog log, RunningQueries running,
        ShardQuery query, WorkerSettings settings) throws SQLException {
      return PlacementFailover.run(pools, query,
          (node, connection) -> startOn(pools, log, running, node, connection, query, settings));
    }

    /**
     * Starts {@code query} on {@code connection}, a pooled connection to its first placement
     * {@code node} that the caller borrowed; if the node fails, on a placement that answers.
     */
    static Open start(NodePools pools, StatementLog log, RunningQueries running,
        NodeAddress node, Connection connection, ShardQuery query, WorkerSettings settings)
        throws SQLException {
      try {
        return startOn(pools, log, running, node, connection, query, settings);
      } catch (SQLException e) {
        if (!Failures.isNodeFailure(e)) {
          throw e;
        }
        return start(pools, log, running, query, settings);
      }
    }

    private static Open startOn(NodePools pools, StatementLog log, RunningQueries running,
        NodeAddress node, Connection connection, ShardQuery query, WorkerSettings settings)
        throws SQLException {
      running.started(connection);
      Open open = new Open(pools, log, running, node, connection, !settings.isDefault(),
          log.record(node, query.shardId(), query.sql()));
      try {
        if (open.resetSettings) {
          settings.applyTo(connection);
        }
        connection.setAutoCommit(false);
        return open.execute(query);
      } catch (SQLException e) {
        open.close();
        throw e;
      }
    }

    private Open execute(ShardQuery query) throws SQLException {
      statement = Statements.prepare(connection, query.sql(), query.parameters());
      statement.setFetchSize(FETCH_SIZE);
      resultSet = statement.executeQuery();
      return this;
    }

    /** Returns the node this query runs on. */
    NodeAddress node() {
      return node;
    }

    /**
     * Runs {@code query}, whose first placement is this query's node, on this query's
     * connection once this one has ended, or on a pooled connection to a placement that answers
     * if this node fails now.
     */
    Open next(ShardQuery query, WorkerSettings settings) throws SQLException {
      Open next = new Open(pools, log, running, node, connection, resetSettings,
          log.record(node, query.shardId(), query.sql()));
      try {
        statement.close();
        connection.rollback();
        log.rowsRead(logged, rows);
        return next.execute(query);
      } catch (SQLException e) {
        if (!Failures.isNodeFailure(e)) {
          next.close();
          throw e;
        }
        running.ended(connection);
        pools.evict(node, connection);
        closeQuietly();
        return start(pools, log, running, query, settings);
      }
    }

    private void closeQuietly() {
      try {
        connection.close();
      } catch (SQLException e) {
        // Evicted already; nothing more to return.
      }
    }

    /** Returns the query's result, for its column descriptions. */
    ResultSet resultSet() {
      return resultSet;
    }

    private Object[] next(ValueForm form) throws SQLException {
      if (!resultSet.next()) {
        return null;
      }
      rows++;
      int count = resultSet.getMetaData().getColumnCount();
      Object[] row = new Object[count];
      for (int i = 0; i < count; i++) {
        row[i] = form.read(resultSet, i + 1);
      }
      return row;
    }

    /** Ends the query's transaction and returns its connection, or evicts it if that fails. */
    void close() {
      running.ended(connection);
      try (connection) {
        if (statement != null) {
          statement.close();
        }
        connection.rollback();
        if (resetSettings) {
          WorkerSettings.reset(connection);
        }
        connection.setAutoCommit(true);
        log.rowsRead(logged, rows);
      } catch (SQLException e) {
        // The next borrower must not find this query's transaction or settings.
        pools.evict(node, connection);
      }
    }
  }

  /** Starts a query on a pooled connection of its own. */
  @FunctionalInterface
  interface Starter {
    Open start(ShardQuery query) throws SQLException;
  }

  private final List<Open> queries;
  private final Map<NodeAddress, Queue<ShardQuery>> waiting;
  private final WorkerSettings settings;
  private final Starter starter;
  private final ValueForm form;
  private int current;

  /**
   * Creates the stream of the running {@code queries} and of those {@code waiting} for a
   * connection to their node, which run with the session's {@code settings}; a waiting query
   * whose node no running query is on any more (it failed over elsewhere) is started by
   * {@code starter} at the end; values are read in {@code form}.
   */
  ShardStream(List<Open> queries, Map<NodeAddress, Queue<ShardQuery>> waiting,
      WorkerSettings settings, Starter starter, ValueForm form) {
    this.queries = new ArrayList<>(queries);
    this.waiting = waiting;
    this.settings = settings;
    this.starter = starter;
    this.form = form;
  }

  @Override
  public Object[] next() throws SQLException {
    Object[] row = nextRunning();
    while (row == null) {
      ShardQuery left = waiting.values().stream().map(Queue::poll)
          .filter(Objects::nonNull).findFirst().orElse(null);
      if (left == null) {
        return null;
      }
      try {
        queries.add(starter.start(left));
      } catch (SQLException e) {
        close();
        throw e;
      }
      row = nextRunning();
    }
    return row;
  }

  private Object[] nextRunning() throws SQLException {
    while (current < queries.size()) {
      Object[] row;
      try {
        row = queries.get(current).next(form);
      } catch (SQLException e) {
        close();
        throw e;
      }
      if (row != null) {
        return row;
      }
      Open done = queries.get(current++);
      Queue<ShardQuery> next = waiting.get(done.node());
      if (next == null || next.isEmpty()) {
        done.close();
      } else {
        try {
          queries.add(done.next(next.poll(), settings));
        } catch (SQLException e) {
          close();
          throw e;
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    while (current < queries.size()) {
      queries.get(current++).close();
    }
  }
}
