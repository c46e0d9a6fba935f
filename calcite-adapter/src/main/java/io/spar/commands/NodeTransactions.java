package io.spar.commands;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DDL on shards in one transaction per worker node: nothing is committed anywhere until every
 * statement has run, and closing without {@link #commit()} rolls every node back.
 */
final class NodeTransactions implements AutoCloseable {
  /**
   * A commit that reached some nodes and not others.
   */
  static final class PartialCommit extends SQLException {
    private static final long serialVersionUID = 1L;

    private final transient List<NodeAddress> committed;
    private final transient NodeAddress failed;

    PartialCommit(List<NodeAddress> committed, NodeAddress failed, SQLException cause) {
      super(cause.getMessage(), cause.getSQLState(), cause);
      this.committed = List.copyOf(committed);
      this.failed = failed;
    }

    /** Returns the nodes whose transaction was committed. */
    List<NodeAddress> committed() {
      return committed;
    }

    /** Returns the node whose commit failed. */
    NodeAddress failed() {
      return failed;
    }
  }

  private final NodePools pools;
  private final StatementLog log;
  private final Map<NodeAddress, Connection> open = new LinkedHashMap<>();

  NodeTransactions(NodePools pools, StatementLog log) {
    this.pools = pools;
    this.log = log;
  }

  /** Runs {@code sql} for shard {@code shardId} in {@code node}'s transaction. */
  void run(NodeAddress node, long shardId, String sql) throws SQLException {
    log.record(node, shardId, sql);
    try (Statement statement = connection(node).createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw ShardDdlRunner.failureOn(node, e);
    }
  }

  private Connection connection(NodeAddress node) throws SQLException {
    Connection connection = open.get(node);
    if (connection == null) {
      try {
        connection = pools.borrow(node);
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        throw ShardDdlRunner.failureOn(node, e);
      }
      open.put(node, connection);
    }
    return connection;
  }

  /**
   * Commits the nodes' transactions one after the other.
   *
   * @throws PartialCommit if a commit fails; the nodes after it are rolled back on close
   */
  void commit() throws PartialCommit {
    List<NodeAddress> committed = new ArrayList<>();
    for (Map.Entry<NodeAddress, Connection> each : new ArrayList<>(open.entrySet())) {
      try {
        each.getValue().commit();
      } catch (SQLException e) {
        throw new PartialCommit(committed, each.getKey(),
            ShardDdlRunner.failureOn(each.getKey(), e));
      }
      committed.add(each.getKey());
      release(each.getKey());
    }
  }

  /** Rolls back and returns every connection not committed. */
  @Override
  public void close() {
    for (NodeAddress node : new ArrayList<>(open.keySet())) {
      try {
        open.get(node).rollback();
      } catch (SQLException e) {
        // A node we cannot reach has rolled back by itself when the connection dropped.
      }
      release(node);
    }
  }

  private void release(NodeAddress node) {
    try (Connection connection = open.remove(node)) {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // A broken connection: the pool discards it when it is closed.
    }
  }
}
