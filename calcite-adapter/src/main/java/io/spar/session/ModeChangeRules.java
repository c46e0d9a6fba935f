package io.spar.session;

import io.spar.engine.transactions.TransactionMode;
import io.spar.outcome.SparErrors;
import java.sql.SQLException;

/**
 * PostgreSQL's rules for changing a transaction's characteristics once it has begun, from the
 * check hooks of {@code transaction_isolation}, {@code transaction_read_only} and
 * {@code transaction_deferrable} (variable.c), with their SQLState and messages.
 */
final class ModeChangeRules {
  private static final String ACTIVE_SQL_TRANSACTION = "25001";

  private ModeChangeRules() {
  }

  /**
   * Throws PostgreSQL's error if a transaction in {@code old} may not become {@code changed}
   * now. {@code setsDeferrable} says whether the statement names DEFERRABLE (checked even when
   * unchanged, as PostgreSQL does); {@code snapshotTaken}, whether a query has run in the
   * transaction; {@code subtransaction}, whether a savepoint is open.
   */
  static void check(TransactionMode old, TransactionMode changed, boolean setsDeferrable,
      boolean snapshotTaken, boolean subtransaction) throws SQLException {
    if (changed.isolation() != old.isolation()) {
      refuseIf(snapshotTaken, "SET TRANSACTION ISOLATION LEVEL must be called before any query");
      refuseIf(subtransaction,
          "SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction");
    }
    if (old.readOnly() && !changed.readOnly()) {
      refuseIf(subtransaction,
          "cannot set transaction read-write mode inside a read-only transaction");
      refuseIf(snapshotTaken, "transaction read-write mode must be set before any query");
    }
    if (setsDeferrable) {
      refuseIf(subtransaction,
          "SET TRANSACTION [NOT] DEFERRABLE cannot be called within a subtransaction");
      refuseIf(snapshotTaken, "SET TRANSACTION [NOT] DEFERRABLE must be called before any query");
    }
  }

  private static void refuseIf(boolean condition, String message) throws SQLException {
    if (condition) {
      throw SparErrors.error(ACTIVE_SQL_TRANSACTION, message);
    }
  }
}
