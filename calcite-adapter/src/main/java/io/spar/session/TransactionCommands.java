package io.spar.session;

import java.sql.SQLException;
import java.util.Locale;

/**
 * SQL transaction control ({@code BEGIN}, {@code COMMIT}, {@code ROLLBACK} and their
 * synonyms) on a session's transaction.
 */
final class TransactionCommands {
  private TransactionCommands() {
  }

  /** Carries out the transaction-control statement {@code sql}. */
  static StatementResult execute(String sql, SessionTransaction transaction) throws SQLException {
    String normalized = sql.strip().replaceAll("\\s+", " ").replaceAll(";$", "")
        .toLowerCase(Locale.ROOT);
    String keyword = StatementKind.firstKeyword(sql);
    if (normalized.startsWith("rollback to") || keyword.equals("savepoint")
        || keyword.equals("release")) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "savepoints are not supported in distributed transactions");
    }
    switch (keyword) {
      case "begin", "start" -> transaction.begin();
      case "commit", "end" -> transaction.commit();
      case "rollback", "abort" -> transaction.rollback();
      default -> throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "PREPARE TRANSACTION is not supported through Spar; it manages two-phase commit itself");
    }
    return StatementResult.ofCount(0);
  }
}
