package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Rows of several shard queries, one query after another, each read a fetch size at a time
 * from the pooled connection it runs on, inside a transaction of its own (pgjdbc fetches with a
 * cursor only outside autocommit). A query's connection goes back to its pool as soon as its
 * last row is read, or when the stream is closed.
 */
final class ShardStream implements RowCursor {
  /** Rows a shard sends per round trip. */
  static final int FETCH_SIZE = 1000;

  /** One running shard query. */
  static final class Open {
    private final NodePools pools;
    private final StatementLog log;
    private final NodeAddress node;
    private final Connection connection;
    private final boolean resetSettings;
    private final long logged;
    private PreparedStatement statement;
    private ResultSet resultSet;
    private long rows;

    private Open(NodePools pools, StatementLog log, NodeAddress node, Connection connection,
        boolean resetSettings, long logged) {
      this.pools = pools;
      this.log = log;
      this.node = node;
      this.connection = connection;
      this.resetSettings = resetSettings;
      this.logged = logged;
    }

    /**
     * Starts {@code query} on a pooled connection to its first placement that answers, with the
     * session's {@code settings}.
     */
    static Open start(NodePools pools, StatementLog log, ShardQuery query,
        WorkerSettings settings) throws SQLException {
      return PlacementFailover.run(pools, query, (node, connection) -> {
        Open open = new Open(pools, log, node, connection, !settings.isDefault(),
            log.record(node, query.shardId(), query.sql()));
        try {
          if (open.resetSettings) {
            settings.applyTo(connection);
          }
          connection.setAutoCommit(false);
          open.statement = Statements.prepare(connection, query.sql(), query.parameters());
          open.statement.setFetchSize(FETCH_SIZE);
          open.resultSet = open.statement.executeQuery();
          return open;
        } catch (SQLException e) {
          open.close();
          throw e;
        }
      });
    }

    /** Returns the query's result, for its column descriptions. */
    ResultSet resultSet() {
      return resultSet;
    }

    private Object[] next() throws SQLException {
      if (!resultSet.next()) {
        return null;
      }
      rows++;
      int count = resultSet.getMetaData().getColumnCount();
      Object[] row = new Object[count];
      for (int i = 0; i < count; i++) {
        row[i] = resultSet.getObject(i + 1);
      }
      return row;
    }

    /** Ends the query's transaction and returns its connection, or evicts it if that fails. */
    void close() {
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

  private final List<Open> queries;
  private int current;

  ShardStream(List<Open> queries) {
    this.queries = queries;
  }

  @Override
  public Object[] next() throws SQLException {
    while (current < queries.size()) {
      Object[] row;
      try {
        row = queries.get(current).next();
      } catch (SQLException e) {
        close();
        throw e;
      }
      if (row != null) {
        return row;
      }
      queries.get(current++).close();
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
