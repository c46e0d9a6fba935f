package io.spar.engine.transactions;

import io.spar.engine.execution.PgErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's record of the transactions that the {@link DeadlockDetector} cancelled, which
 * turns the victim's "canceling statement" (57014) into PostgreSQL's deadlock error (40P01).
 *
 * <p>Cancellation is all the detector can do to a backend on another node, and a cancelled
 * statement cannot tell a deadlock from a user's cancel or a timeout. The detector therefore
 * commits a row for the victim's tag before it cancels; the victim's session, seeing 57014,
 * removes that row and reports a deadlock if there was one.
 */
public final class DeadlockVictims {
  /** SQLState of a detected deadlock. */
  public static final String DEADLOCK_DETECTED = "40P01";
  /** SQLState of a cancelled statement. */
  public static final String QUERY_CANCELED = "57014";

  private static final Logger LOG = LoggerFactory.getLogger(DeadlockVictims.class);
  private static final String TABLE = "pgs_distribution_metadata.deadlock_victim";
  private static final String HINT = "Retry the transaction.";

  private DeadlockVictims() {
  }

  /**
   * Returns the deadlock error to raise instead of {@code cancelled}, a failure of a statement of
   * the transaction tagged {@code tag}, if the deadlock detector cancelled it; otherwise empty,
   * and {@code cancelled} stands.
   *
   * <p>The victim's record is removed, so only the first cancelled statement of a victim gets
   * 40P01. {@code coordinator} must not be the transaction's own coordinator connection, which
   * the cancellation may have aborted. If the record cannot be read, the lookup's failure is
   * added to {@code cancelled} as suppressed and the result is empty.
   */
  public static Optional<SQLException> deadlockError(DataSource coordinator, TransactionTag tag,
      SQLException cancelled) {
    if (!QUERY_CANCELED.equals(cancelled.getSQLState())) {
      return Optional.empty();
    }
    try (Connection connection = coordinator.getConnection()) {
      Optional<String> cycle = take(connection, tag);
      if (!connection.getAutoCommit()) {
        connection.commit();
      }
      return cycle.map(detail -> {
        SQLException deadlock = PgErrors.error(DEADLOCK_DETECTED, "deadlock detected", detail,
            HINT);
        deadlock.initCause(cancelled);
        return deadlock;
      });
    } catch (SQLException e) {
      LOG.warn("could not read the deadlock victims on the coordinator: {}", e.getMessage());
      cancelled.addSuppressed(e);
      return Optional.empty();
    }
  }

  private static Optional<String> take(Connection coordinator, TransactionTag tag)
      throws SQLException {
    try (PreparedStatement statement = coordinator.prepareStatement(
        "DELETE FROM " + TABLE + " WHERE tag = ? RETURNING cycle")) {
      statement.setLong(1, tag.value());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Records {@code victim} with the description of its cycle, on an autocommit connection. */
  static void record(Connection coordinator, TransactionTag victim, String cycle)
      throws SQLException {
    try (PreparedStatement statement = coordinator.prepareStatement("INSERT INTO " + TABLE
        + " (tag, cycle) VALUES (?, ?) ON CONFLICT (tag) DO UPDATE SET cycle = EXCLUDED.cycle,"
        + " detected_at = EXCLUDED.detected_at")) {
      statement.setLong(1, victim.value());
      statement.setString(2, cycle);
      statement.executeUpdate();
    }
  }

  /** Removes the record of {@code victim}, whose cancellation reached no statement. */
  static void forget(Connection coordinator, TransactionTag victim) throws SQLException {
    try (PreparedStatement statement = coordinator.prepareStatement(
        "DELETE FROM " + TABLE + " WHERE tag = ?")) {
      statement.setLong(1, victim.value());
      statement.executeUpdate();
    }
  }

  /**
   * Removes the records older than {@code age}, of victims that never read theirs (their
   * session ended first, or the cancel hit a statement of theirs that was not Spar's).
   */
  static int forgetOlderThan(Connection coordinator, Duration age) throws SQLException {
    try (PreparedStatement statement = coordinator.prepareStatement("DELETE FROM " + TABLE
        + " WHERE detected_at < now() - ? * interval '1 millisecond'")) {
      statement.setLong(1, age.toMillis());
      return statement.executeUpdate();
    }
  }
}
