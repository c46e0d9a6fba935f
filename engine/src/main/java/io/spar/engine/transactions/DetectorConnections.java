package io.spar.engine.transactions;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.NodePools;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlock detector's own connections, outside the pools: on the coordinator, the one whose
 * session-level advisory lock makes this engine the leader, and one to each other node it reads.
 *
 * <p>Outside the pools because deadlocked sessions hold pooled connections: with a pool
 * exhausted by them the detector must still get through. Only the detector's thread uses them.
 */
final class DetectorConnections implements AutoCloseable {
  /** First key of the leader lock ("spdd" in ASCII); the second is 0. */
  static final int LEADER_LOCK_SPACE = 0x73706464;

  private static final Logger LOG = LoggerFactory.getLogger(DetectorConnections.class);

  private final NodePools pools;
  private final NodeAddress coordinator;
  private final Map<NodeAddress, Connection> nodes = new HashMap<>();
  private Connection leader;
  private volatile boolean leading;

  DetectorConnections(NodePools pools, NodeAddress coordinator) {
    this.pools = pools;
    this.coordinator = coordinator;
  }

  /**
   * Returns whether this engine leads, trying to become the leader if it does not; a leader
   * stays one until its coordinator connection breaks.
   */
  boolean lead() {
    if (leading) {
      return true;
    }
    try {
      if (leader == null) {
        leader = open(coordinator);
      }
      try (Statement statement = leader.createStatement();
          ResultSet rs = statement.executeQuery(
              "SELECT pg_try_advisory_lock(" + LEADER_LOCK_SPACE + ", 0)")) {
        rs.next();
        leading = rs.getBoolean(1);
      }
      if (leading) {
        LOG.info("this engine now detects distributed deadlocks for coordinator {}", coordinator);
      }
    } catch (SQLException e) {
      LOG.debug("could not try the deadlock detector's leader lock: {}", e.getMessage());
      abandon();
    }
    return leading;
  }

  /** Returns whether this engine led at its last round. */
  boolean leading() {
    return leading;
  }

  /** Returns the leader's coordinator connection (autocommit). */
  Connection leader() {
    return leader;
  }

  /** Returns the connection to {@code node}, opening it if needed. */
  Connection to(NodeAddress node) throws SQLException {
    if (node.equals(coordinator)) {
      return leader;
    }
    Connection connection = nodes.get(node);
    if (connection == null) {
      connection = open(node);
      nodes.put(node, connection);
    }
    return connection;
  }

  /** Closes the connection to {@code node} after a failure; on the coordinator, abdicates. */
  void drop(NodeAddress node) {
    if (node.equals(coordinator)) {
      abandon();
    } else {
      closeQuietly(nodes.remove(node));
    }
  }

  /** Closes the connections to nodes that are no longer among {@code current}. */
  void retain(Collection<NodeAddress> current) {
    nodes.keySet().removeIf(node -> {
      boolean gone = !current.contains(node);
      if (gone) {
        closeQuietly(nodes.get(node));
      }
      return gone;
    });
  }

  /** Closes every connection, which releases the leader lock. */
  void abandon() {
    if (leading) {
      LOG.info("this engine no longer detects distributed deadlocks");
    }
    leading = false;
    closeQuietly(leader);
    leader = null;
    nodes.values().forEach(DetectorConnections::closeQuietly);
    nodes.clear();
  }

  private Connection open(NodeAddress node) throws SQLException {
    Connection connection = pools.open(node, "spar deadlock detector");
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET statement_timeout = '10s'");
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
    return connection;
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("closing a deadlock detector connection failed: {}", e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    abandon();
  }
}
