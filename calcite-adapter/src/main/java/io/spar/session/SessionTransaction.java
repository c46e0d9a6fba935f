package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.outcome.SparErrors;
import io.spar.engine.SparEngine;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.engine.transactions.TransactionMode;
import io.spar.session.TransactionStatement.ModeChange;
import java.sql.SQLException;

/**
 * The transaction state machine of one session, with PostgreSQL's states and pgjdbc's JDBC
 * rules; every statement, JDBC call and transaction command of the session goes through it.
 *
 * <p>The states are PostgreSQL's transaction block states: {@link State#IDLE} (each statement
 * runs in an implicit transaction of its own, committed when it succeeds),
 * {@link State#IN_BLOCK} (a block opened by {@code BEGIN}, or by the first statement while JDBC
 * autocommit is off, spans statements, shards, workers and the coordinator's own tables) and
 * {@link State#FAILED} (a statement failed inside the block: everything but {@code ROLLBACK},
 * {@code ROLLBACK TO SAVEPOINT} and {@code COMMIT}, which then rolls back, fails with 25P02).
 * As in PostgreSQL, a failure releases the failed work's locks at once: the block is rolled
 * back on every node, or to its innermost savepoint if it has one, before the error is
 * reported.
 *
 * <p>JDBC autocommit sits on top, as in pgjdbc: with autocommit off, a statement that finds
 * the session idle opens a block first ({@code BEGIN READ ONLY} if the connection is
 * read-only); {@code commit()} and {@code rollback()} end an open block and do nothing when the
 * session is idle; turning autocommit on commits.
 */
final class SessionTransaction {
  /** PostgreSQL's transaction block states. */
  enum State {
    /** No transaction block: statements commit one by one. */
    IDLE,
    /** Inside a transaction block. */
    IN_BLOCK,
    /** Inside a transaction block that failed. */
    FAILED
  }

  /** A piece of work run as one statement of the session. */
  interface Work<T> {
    T run() throws SQLException;
  }

  private final SparEngine engine;
  private final SessionConnections connections;
  private State state = State.IDLE;
  private boolean autoCommit = true;
  private boolean readOnlyHint;
  /** The session's default characteristics; null when they must be read again. */
  private TransactionMode defaults;
  private boolean defaultsChangedInBlock;
  /** The open block's transaction, or the running statement's implicit one; else null. */
  private DistributedTransaction current;
  /** The characteristics of the open block, kept while it is FAILED and rolled back. */
  private TransactionMode blockMode;
  private boolean snapshotTaken;
  /** Whether the block ran a statement that may change session state (SET, DDL). */
  private boolean sessionStateTouched;
  private Runnable sessionStateReverted = () -> { };
  private final SessionCatalog catalog;

  SessionTransaction(SparEngine engine, SessionConnections connections) {
    this.engine = engine;
    this.connections = connections;
    this.defaults = engine.transactionDefaults();
    this.catalog = new SessionCatalog(engine.metadata(), connections);
  }

  /** Returns the distribution metadata as the session's transaction sees it. */
  SessionCatalog catalog() {
    return catalog;
  }

  /**
   * Sets what to do when a block that may have changed session state (a {@code SET} of
   * {@code search_path}, a {@code SET LOCAL}) ends or rolls back, which can revert it.
   */
  void onSessionStateReverted(Runnable listener) {
    this.sessionStateReverted = listener;
  }

  /** Notes that the running statement may have changed session state inside a block. */
  void sessionStateTouched() {
    if (state != State.IDLE) {
      sessionStateTouched = true;
    }
  }

  private void revertSessionState() {
    if (sessionStateTouched) {
      sessionStateTouched = false;
      sessionStateReverted.run();
    }
  }

  /** Returns whether a transaction block is open (possibly failed). */
  boolean inBlock() {
    return state != State.IDLE;
  }

  /** Returns whether a transaction block is open and failed. */
  boolean failed() {
    return state == State.FAILED;
  }

  /**
   * Returns whether the session's coordinator connection carries the open transaction, so that
   * it must stay with the session until the transaction ends.
   */
  boolean holdsCoordinator() {
    return current != null && current.hasJoined(connections.coordinatorNode());
  }

  /** Returns whether JDBC autocommit is on. */
  boolean autoCommit() {
    return autoCommit;
  }

  /**
   * Returns the transaction the running statement belongs to: the block's, or the statement's
   * implicit one.
   */
  DistributedTransaction current() {
    if (current == null) {
      throw new IllegalStateException("no statement is running");
    }
    return current;
  }

  /**
   * Returns the isolation level of the open block, failed or not, or else of the session's next
   * transaction. (pgjdbc asks the server, which refuses in a failed block; Avatica's server
   * reads it before applying any property change, such as the autocommit that ends the block.)
   */
  TransactionMode.Isolation isolation() throws SQLException {
    return state != State.IDLE ? blockMode.isolation() : defaults().isolation();
  }

  /** Returns the characteristics of the running statement's transaction. */
  TransactionMode mode() {
    return current().mode();
  }

  // Statements --------------------------------------------------------------------------------

  /**
   * Runs {@code work} as one statement: opens a block first if JDBC autocommit is off and the
   * session is idle (unless {@code suppressBegin}, as for pgjdbc's own internal commands), runs
   * it inside the block or in an implicit transaction, and handles its failure.
   * {@code takesSnapshot} says whether the statement would take a snapshot in PostgreSQL, after
   * which the block's isolation level can no longer change.
   */
  <T> T statement(boolean suppressBegin, boolean takesSnapshot, Work<T> work)
      throws SQLException {
    if (state == State.FAILED) {
      throw aborted();
    }
    if (state == State.IDLE && !autoCommit && !suppressBegin) {
      begin(jdbcBeginMode());
    }
    if (state == State.IDLE) {
      return implicitly(work);
    }
    try {
      T result = work.run();
      snapshotTaken |= takesSnapshot;
      return result;
    } catch (SQLException | RuntimeException e) {
      throw failInBlock(e);
    }
  }

  private <T> T implicitly(Work<T> work) throws SQLException {
    DistributedTransaction transaction = DistributedTransaction.begin(connections,
        engine.statementLog(), engine.metadata(), engine.transactionIds(), engine.threads(),
        defaults(), false);
    current = transaction;
    try {
      T result = work.run();
      current = null;
      transaction.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      current = null;
      SQLException reported = StatementFailures.reported(e, transaction, engine);
      transaction.rollback();
      throw reported;
    } finally {
      catalog.transactionEnded();
    }
  }

  /**
   * Ends the failed statement of a block: rolls back its work on every node (to the innermost
   * savepoint, if any), marks the block failed and returns the error to report.
   */
  private SQLException failInBlock(Exception e) {
    SQLException reported = StatementFailures.reported(e, current, engine);
    if (current != null && !current.savepoints().isEmpty()) {
      try {
        current.rollbackTo(current.savepoints().get(current.savepoints().size() - 1));
        catalog.rolledBack();
      } catch (SQLException rollbackFailure) {
        reported.setNextException(rollbackFailure);
        current.rollback();
        current = null;
        catalog.transactionEnded();
      }
    } else if (current != null) {
      current.rollback();
      current = null;
      catalog.transactionEnded();
    }
    state = State.FAILED;
    revertSessionState();
    return reported;
  }

  /** Returns PostgreSQL's error for a statement in a failed block. */
  private static SQLException aborted() {
    return SparErrors.error("25P02",
        "current transaction is aborted, commands ignored until end of transaction block");
  }

  private TransactionMode jdbcBeginMode() throws SQLException {
    TransactionMode mode = defaults();
    return readOnlyHint ? mode.withReadOnly(true) : mode;
  }

  private TransactionMode defaults() throws SQLException {
    if (defaults == null) {
      defaults = TransactionMode.defaultsOf(connections.coordinatorForSpar());
    }
    return defaults;
  }

  private void begin(TransactionMode mode) {
    current = DistributedTransaction.begin(connections, engine.statementLog(), engine.metadata(),
        engine.transactionIds(), engine.threads(), mode, true);
    blockMode = mode;
    state = State.IN_BLOCK;
    snapshotTaken = false;
  }

  // Transaction statements --------------------------------------------------------------------

  /**
   * Carries out the transaction-control statement {@code statement}; like any statement it
   * first opens a block if JDBC autocommit is off and the session is idle, unless
   * {@code suppressBegin} (pgjdbc's own savepoint commands).
   */
  StatementResult execute(TransactionStatement statement, boolean suppressBegin)
      throws SQLException {
    if (state == State.IDLE && !autoCommit && !suppressBegin) {
      begin(jdbcBeginMode());
    }
    if (statement instanceof TransactionStatement.Begin begin) {
      return begin(begin.modes());
    } else if (statement instanceof TransactionStatement.Commit commit) {
      return endBlock(true, commit.chain());
    } else if (statement instanceof TransactionStatement.Rollback rollback) {
      return endBlock(false, rollback.chain());
    } else if (statement instanceof TransactionStatement.RollbackTo to) {
      return rollbackTo(to.name());
    } else if (statement instanceof TransactionStatement.Savepoint savepoint) {
      return savepoint(savepoint.name());
    } else if (statement instanceof TransactionStatement.Release release) {
      return release(release.name());
    } else if (statement instanceof TransactionStatement.SetTransaction set) {
      return setTransaction(set.modes());
    } else if (statement instanceof TransactionStatement.TwoPhase twoPhase) {
      return statement(true, false, () -> {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, twoPhase.command()
            + " is not supported through Spar", null, "Spar runs two-phase commit itself"
            + " when a transaction spans several nodes.");
      });
    } else if (statement instanceof TransactionStatement.SetSnapshot) {
      return statement(true, false, () -> {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
            "SET TRANSACTION SNAPSHOT is not supported for distributed transactions");
      });
    }
    // Settings in SET form run on the coordinator first; see SparSession.
    throw new IllegalArgumentException("not a statement of the state machine: " + statement);
  }

  private StatementResult begin(ModeChange modes) throws SQLException {
    if (state == State.IDLE) {
      begin(modes.applyTo(defaults()));
      return StatementResult.ofCount(0);
    }
    StatementResult result = statement(true, false,
        () -> modes.isEmpty() ? StatementResult.ofCount(0) : changeMode(modes));
    return result.withWarning(SparErrors.warning("25001",
        "there is already a transaction in progress"));
  }

  private StatementResult endBlock(boolean commit, boolean chain) throws SQLException {
    if (state == State.IDLE) {
      String command = commit ? "COMMIT" : "ROLLBACK";
      if (chain) {
        throw SparErrors.error("25P01", command + " AND CHAIN can only be used in transaction"
            + " blocks");
      }
      return StatementResult.ofCount(0).withWarning(
          SparErrors.warning("25P01", "there is no transaction in progress"));
    }
    TransactionMode mode = blockMode;
    if (commit && state == State.IN_BLOCK) {
      // A failed commit ends the block without a chained one, as in PostgreSQL.
      commitBlock();
    } else {
      rollbackBlock();
    }
    if (chain) {
      begin(mode);
    }
    return StatementResult.ofCount(0);
  }

  private StatementResult savepoint(String name) throws SQLException {
    requireBlock("SAVEPOINT");
    return statement(true, false, () -> {
      current.savepoint(name);
      return StatementResult.ofCount(0);
    });
  }

  private StatementResult rollbackTo(String name) throws SQLException {
    requireBlock("ROLLBACK TO SAVEPOINT");
    if (current == null || !current.savepoints().contains(name)) {
      SQLException error = missingSavepoint(name);
      throw state == State.IN_BLOCK ? failInBlock(error) : error;
    }
    state = State.IN_BLOCK;
    try {
      current.rollbackTo(name);
    } catch (SQLException | RuntimeException e) {
      throw failInBlock(e);
    } finally {
      catalog.rolledBack();
    }
    revertSessionState();
    return StatementResult.ofCount(0);
  }

  private StatementResult release(String name) throws SQLException {
    requireBlock("RELEASE SAVEPOINT");
    return statement(true, false, () -> {
      if (!current.savepoints().contains(name)) {
        throw missingSavepoint(name);
      }
      current.release(name);
      return StatementResult.ofCount(0);
    });
  }

  private static SQLException missingSavepoint(String name) {
    return SparErrors.error("3B001", "savepoint \"" + name + "\" does not exist");
  }

  /** Refuses a savepoint command outside a block, with PostgreSQL's error. */
  private void requireBlock(String command) throws SQLException {
    if (state == State.IDLE) {
      throw SparErrors.error("25P01", command + " can only be used in transaction blocks");
    }
  }

  private StatementResult setTransaction(ModeChange modes) throws SQLException {
    if (state == State.IDLE) {
      return StatementResult.ofCount(0).withWarning(SparErrors.warning("25P01",
          "SET TRANSACTION can only be used in transaction blocks"));
    }
    return statement(true, false, () -> changeMode(modes));
  }

  /** Applies {@code modes} to the open block, with PostgreSQL's rules for changing them. */
  private StatementResult changeMode(ModeChange modes) throws SQLException {
    TransactionMode old = current.mode();
    TransactionMode changed = modes.applyTo(old);
    checkModeChange(old, changed, modes.deferrable() != null);
    current.changeMode(changed, modes.sql());
    blockMode = changed;
    return StatementResult.ofCount(0);
  }

  /**
   * Applies a setting that the coordinator evaluated in the block's coordinator transaction:
   * the characteristics it now reports become the block's on every node.
   */
  void transactionSettingChanged(String setting) throws SQLException {
    TransactionMode old = current.mode();
    TransactionMode changed = TransactionMode.currentOf(connections.coordinator());
    checkModeChange(old, changed, setting.equals("transaction_deferrable"));
    ModeChange diff = new ModeChange(
        changed.isolation() != old.isolation() ? changed.isolation() : null,
        changed.readOnly() != old.readOnly() ? changed.readOnly() : null,
        changed.deferrable() != old.deferrable() ? changed.deferrable() : null);
    current.changeMode(changed, diff.isEmpty() ? null : diff.sql());
    blockMode = changed;
  }

  /** Notes that the session's default characteristics may have changed. */
  void defaultsChanged() {
    if (state == State.IDLE) {
      defaults = null;
    } else {
      // A SET inside a block is undone if the block rolls back: read them after it ends.
      defaultsChangedInBlock = true;
    }
  }

  /** Refuses a change of the block's characteristics that PostgreSQL or Spar would refuse. */
  private void checkModeChange(TransactionMode old, TransactionMode changed,
      boolean setsDeferrable) throws SQLException {
    ModeChangeRules.check(old, changed, setsDeferrable, snapshotTaken,
        !current.savepoints().isEmpty());
    if (!old.readOnly() && changed.readOnly() && current.coordinatorHasWrites()) {
      // Two-phase commit writes its decision in the coordinator's transaction, which would
      // then refuse it.
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot make a distributed"
          + " transaction read-only after it wrote to the coordinator's tables");
    }
  }

  // Ending blocks ------------------------------------------------------------------------------

  private void commitBlock() throws SQLException {
    DistributedTransaction done = current;
    current = null;
    afterBlock();
    try {
      if (done != null) {
        done.commit();
      }
    } finally {
      catalog.transactionEnded();
    }
  }

  private void rollbackBlock() {
    DistributedTransaction done = current;
    current = null;
    afterBlock();
    if (done != null) {
      done.rollback();
    }
    catalog.transactionEnded();
  }

  private void afterBlock() {
    state = State.IDLE;
    snapshotTaken = false;
    revertSessionState();
    if (defaultsChangedInBlock) {
      defaults = null;
      defaultsChangedInBlock = false;
    }
  }

  // JDBC ---------------------------------------------------------------------------------------

  /** Sets JDBC autocommit as pgjdbc does: turning it on commits an open block first. */
  void setAutoCommit(boolean on) throws SQLException {
    if (on == autoCommit) {
      return;
    }
    if (!autoCommit) {
      commit();
    }
    autoCommit = on;
  }

  /**
   * Commits the open block, as JDBC's {@code commit()}: nothing when idle; a failed block is
   * rolled back without an error, as pgjdbc 42.7 does.
   */
  void commit() throws SQLException {
    if (autoCommit) {
      throw SparErrors.error("25P01", "Cannot commit when autoCommit is enabled.");
    }
    if (state == State.IN_BLOCK) {
      commitBlock();
    } else if (state == State.FAILED) {
      rollbackBlock();
    }
  }

  /** Rolls back the open block, as JDBC's {@code rollback()}. */
  void rollback() throws SQLException {
    if (autoCommit) {
      throw SparErrors.error("25P01", "Cannot rollback when autoCommit is enabled.");
    }
    if (state != State.IDLE) {
      rollbackBlock();
    }
  }

  /** Refuses a change of JDBC connection characteristics inside a block, as pgjdbc does. */
  void requireIdle(String message) throws SQLException {
    if (state != State.IDLE) {
      throw SparErrors.error("25001", message);
    }
  }

  /** Sets the JDBC read-only hint: blocks opened for autocommit off are READ ONLY. */
  void setReadOnlyHint(boolean readOnly) {
    this.readOnlyHint = readOnly;
  }

  /** Rolls back whatever is open, as when the session closes. */
  void close() {
    if (current != null) {
      current.rollback();
      current = null;
    }
    catalog.transactionEnded();
    state = State.IDLE;
  }
}
