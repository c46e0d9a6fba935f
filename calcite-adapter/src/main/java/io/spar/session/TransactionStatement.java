package io.spar.session;

import io.spar.engine.transactions.TransactionMode;
import io.spar.engine.transactions.TransactionMode.Isolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A transaction-control statement, parsed: {@code BEGIN}, {@code COMMIT}, {@code ROLLBACK},
 * savepoints, {@code SET TRANSACTION}, and the settings that change transaction
 * characteristics. Spar carries these out itself, across every node of the transaction.
 */
sealed interface TransactionStatement {

  /** {@code BEGIN} or {@code START TRANSACTION}, with its transaction modes. */
  record Begin(ModeChange modes) implements TransactionStatement {
  }

  /** {@code COMMIT} or {@code END}, optionally {@code AND CHAIN}. */
  record Commit(boolean chain) implements TransactionStatement {
  }

  /** {@code ROLLBACK} or {@code ABORT}, optionally {@code AND CHAIN}. */
  record Rollback(boolean chain) implements TransactionStatement {
  }

  /** {@code SAVEPOINT name}. */
  record Savepoint(String name) implements TransactionStatement {
  }

  /** {@code ROLLBACK TO SAVEPOINT name}. */
  record RollbackTo(String name) implements TransactionStatement {
  }

  /** {@code RELEASE SAVEPOINT name}. */
  record Release(String name) implements TransactionStatement {
  }

  /** {@code SET TRANSACTION} with transaction modes. */
  record SetTransaction(ModeChange modes) implements TransactionStatement {
  }

  /**
   * A setting of the current transaction's characteristics in setting form
   * ({@code SET transaction_isolation = …}, {@code RESET transaction_read_only}), which the
   * coordinator evaluates.
   *
   * @param setting the setting's name
   */
  record TransactionSetting(String setting) implements TransactionStatement {
  }

  /**
   * A change of the session's default characteristics ({@code SET SESSION CHARACTERISTICS},
   * {@code SET default_transaction_isolation …}, {@code RESET ALL}), which the coordinator
   * evaluates.
   */
  record DefaultsSetting() implements TransactionStatement {
  }

  /** {@code PREPARE TRANSACTION}, {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED}. */
  record TwoPhase(String command) implements TransactionStatement {
  }

  /** {@code SET TRANSACTION SNAPSHOT}. */
  record SetSnapshot() implements TransactionStatement {
  }

  /**
   * Transaction modes a statement names; absent ones keep their current value.
   *
   * @param isolation the isolation level, or null
   * @param readOnly whether read-only, or null
   * @param deferrable whether deferrable, or null
   */
  record ModeChange(Isolation isolation, Boolean readOnly, Boolean deferrable) {
    static final ModeChange NONE = new ModeChange(null, null, null);

    /** Returns {@code mode} with the named modes applied. */
    TransactionMode applyTo(TransactionMode mode) {
      TransactionMode result = mode;
      if (isolation != null) {
        result = result.withIsolation(isolation);
      }
      if (readOnly != null) {
        result = result.withReadOnly(readOnly);
      }
      if (deferrable != null) {
        result = result.withDeferrable(deferrable);
      }
      return result;
    }

    /** Returns whether the statement named no mode. */
    boolean isEmpty() {
      return isolation == null && readOnly == null && deferrable == null;
    }

    /** Returns the {@code SET TRANSACTION} statement that names the same modes. */
    String sql() {
      List<String> items = new ArrayList<>();
      if (isolation != null) {
        items.add("ISOLATION LEVEL " + isolation.text().toUpperCase(Locale.ROOT));
      }
      if (readOnly != null) {
        items.add(readOnly ? "READ ONLY" : "READ WRITE");
      }
      if (deferrable != null) {
        items.add(deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
      }
      return "SET TRANSACTION " + String.join(", ", items);
    }
  }
}
