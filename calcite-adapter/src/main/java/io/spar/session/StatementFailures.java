package io.spar.session;

import io.spar.outcome.SparErrors;
import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.Shard;
import io.spar.engine.operations.OperationException;
import io.spar.engine.transactions.DeadlockVictims;
import io.spar.engine.transactions.DistributedTransaction;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;

/**
 * The error a failed statement reports: Spar's own failures shaped like PostgreSQL's errors,
 * workers' errors with shard names turned back into the names the user wrote, and a
 * cancellation by the distributed deadlock detector turned into PostgreSQL's
 * {@code deadlock detected}.
 */
final class StatementFailures {
  /**
   * A name with a shard id suffix, as shards, their indexes and constraints are named; a
   * qualified name has the suffix on its last part.
   */
  private static final Pattern SHARD_SUFFIX = Pattern.compile("([A-Za-z0-9_$]+)_(\\d{1,19})$");
  /**
   * A name PostgreSQL chose from a shard's name, as for the constraints and indexes a
   * partition's shard takes from its parent's ({@code events_2024_10006_pkey}).
   */
  private static final Pattern SHARD_INFIX = Pattern.compile(
      "([A-Za-z0-9_$]+)_(\\d{1,19})((?:_[A-Za-z0-9_$]+)?_(?:pkey|key|fkey|check|excl|idx)\\d*)$");

  private StatementFailures() {
  }

  /** Returns the error to report for {@code failure} of a statement of {@code transaction}. */
  static SQLException reported(Exception failure, DistributedTransaction transaction,
      SparEngine engine) {
    SQLException error = asSqlException(failure);
    if (DeadlockVictims.QUERY_CANCELED.equals(error.getSQLState()) && transaction != null
        && transaction.tag() != null) {
      // The detector cancels a victim's waiting statement; any other cancel stays a cancel.
      Optional<SQLException> deadlock = DeadlockVictims.deadlockError(
          engine.pools().internalPool(engine.coordinator()), transaction.tag(), error);
      if (deadlock.isPresent()) {
        return deadlock.get();
      }
    }
    if (error instanceof PSQLException p && p.getServerErrorMessage() != null) {
      return withoutShardNames(p, engine);
    }
    return error;
  }

  private static SQLException asSqlException(Exception failure) {
    if (failure instanceof OperationException e) {
      return SparErrors.error(e.getSQLState(), e.getMessage(), e.detail(), e.hint());
    }
    if (failure instanceof BatchUpdateException e && e.getNextException() != null) {
      // A placement's batch failed: its entry numbers and shard text mean nothing to the user,
      // the statement's error does.
      return e.getNextException();
    }
    if (failure instanceof SQLException e) {
      return e;
    }
    if (failure.getCause() instanceof SQLException e) {
      return e;
    }
    return new SQLException(String.valueOf(failure.getMessage()), "XX000", failure);
  }

  /**
   * Returns {@code error} with {@code <name>_<shardid>} turned back into {@code <name>} for the
   * ids of this catalog's shards: a user sees the constraint, index and table names of the
   * statement they wrote, as on one PostgreSQL server.
   */
  private static SQLException withoutShardNames(PSQLException error, SparEngine engine) {
    Set<String> ids = new HashSet<>();
    try {
      CatalogSnapshot snapshot = engine.metadata().snapshot();
      for (DistributedTable table : snapshot.tables()) {
        for (Shard shard : table.shards()) {
          ids.add(Long.toString(shard.id()));
        }
      }
    } catch (SQLException e) {
      return error;
    }
    boolean[] renamed = {false};
    SQLException result = SparErrors.renamed(error, text -> {
      Matcher matcher = SHARD_SUFFIX.matcher(text);
      StringBuilder renamedText = new StringBuilder();
      while (matcher.find()) {
        boolean shard = ids.contains(matcher.group(2));
        renamed[0] |= shard;
        matcher.appendReplacement(renamedText,
            Matcher.quoteReplacement(shard ? matcher.group(1) : matcher.group()));
      }
      String suffixed = matcher.appendTail(renamedText).toString();
      Matcher infix = SHARD_INFIX.matcher(suffixed);
      if (infix.matches() && ids.contains(infix.group(2))) {
        renamed[0] = true;
        return infix.group(1) + infix.group(3);
      }
      return suffixed;
    });
    // Errors that name no shard keep everything, their position into the user's text too.
    return renamed[0] ? result : error;
  }
}
