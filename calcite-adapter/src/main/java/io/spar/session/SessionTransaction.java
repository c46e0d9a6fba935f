package io.spar.session;

import io.spar.engine.SparEngine;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.transactions.DistributedTransaction;
import java.sql.SQLException;

/**
 * Transaction state of one session, with PostgreSQL's and JDBC's rules.
 *
 * <p>In autocommit mode every statement runs in a transaction of its own, committed when it
 * succeeds. {@code setAutoCommit(false)} (or SQL {@code BEGIN}) opens a transaction that spans
 * statements, shards, workers and the coordinator's own tables until commit or rollback; after
 * an error in it, statements are refused until it ends, as in PostgreSQL.
 */
final class SessionTransaction {
  private final SparEngine engine;
  private final SessionConnections connections;
  private boolean autoCommit = true;
  private boolean block;
  private boolean aborted;
  private SQLException abortCause;
  private DistributedTransaction current;

  SessionTransaction(SparEngine engine, SessionConnections connections) {
    this.engine = engine;
    this.connections = connections;
  }

  /** Returns whether statements run inside a transaction that outlives them. */
  boolean inTransaction() {
    return !autoCommit || block;
  }

  /** Returns whether JDBC autocommit is on. */
  boolean autoCommit() {
    return autoCommit;
  }

  /** Returns the transaction the next write joins, opening it if needed. */
  DistributedTransaction current() throws SQLException {
    if (aborted) {
      throw SparErrors.error("25P02",
          "current transaction is aborted, commands ignored until end of transaction block");
    }
    if (current == null) {
      if (inTransaction() && connections.coordinator().getAutoCommit()) {
        connections.coordinator().setAutoCommit(false);
      }
      current = DistributedTransaction.begin(connections, engine.statementLog(),
          engine.metadata(), engine.transactionIds(), !inTransaction());
    }
    return current;
  }

  /** Ends a statement: commits it in autocommit mode. */
  void statementSucceeded() throws SQLException {
    if (!inTransaction() && current != null) {
      DistributedTransaction done = current;
      current = null;
      done.commit(false);
    }
  }

  /** Ends a failed statement: rolls it back, or marks the open transaction aborted. */
  void statementFailed(SQLException cause) {
    if (inTransaction()) {
      aborted = true;
      abortCause = cause;
      return;
    }
    if (current != null) {
      current.rollback();
      current = null;
    }
  }

  /** Starts a transaction block (SQL BEGIN). */
  void begin() throws SQLException {
    block = true;
    current();
  }

  /** Sets JDBC autocommit; turning it on commits the open transaction, as JDBC requires. */
  void setAutoCommit(boolean on) throws SQLException {
    if (on && inTransaction()) {
      commit();
    }
    autoCommit = on;
  }

  /** Commits the open transaction; an aborted one is rolled back and reported. */
  void commit() throws SQLException {
    if (aborted) {
      String cause = abortCause.getMessage();
      rollback();
      throw SparErrors.error("40P02", "The database returned ROLLBACK, so the transaction cannot"
          + " be committed. Transaction failure cause is <<" + cause + ">>");
    }
    DistributedTransaction done = current;
    current = null;
    block = false;
    try {
      if (done != null) {
        done.commit(connections.hasCoordinatorWork());
      } else if (!connections.coordinator().getAutoCommit()) {
        connections.coordinator().commit();
      }
    } finally {
      endCoordinatorTransaction();
    }
  }

  /** Rolls back the open transaction. */
  void rollback() throws SQLException {
    if (current != null) {
      current.rollback();
      current = null;
    } else if (!connections.coordinator().getAutoCommit()) {
      connections.coordinator().rollback();
    }
    block = false;
    aborted = false;
    abortCause = null;
    endCoordinatorTransaction();
  }

  private void endCoordinatorTransaction() throws SQLException {
    if (!inTransaction() && !connections.coordinator().getAutoCommit()) {
      connections.coordinator().setAutoCommit(true);
    }
  }
}
