package io.spar.session;

import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.WriteCancelled;
import io.spar.engine.transactions.PlacementsChanged;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a statement that failed because it was routed by placements that are no longer current
 * from one that failed on its own.
 *
 * <p>A moved placement's tables are dropped on the old node in the same commit as the catalog
 * change (see the engine's {@code ShardMove}), so an engine that has not yet heard of the move
 * gets 42P01 there, never a write. The statement is stale if it failed so on a shard table and
 * the catalog's placements of that shard now differ from those it was planned with. Only that
 * shard's placements are read, and only for such errors, so that an ordinary 42P01 (a typo)
 * costs nothing; then only its table's placements are reloaded, and no session plans anew.
 *
 * <p>A write routed before a placement copy (a repair, or a reference table copied to an added
 * node) that reaches the shard after it is refused at its commit ({@link PlacementsChanged}),
 * and is stale too. So is a write the copy's fence cancelled ({@link WriteCancelled}, not by
 * the session itself), as it cancels writers that take no shard lock.
 */
final class StalePlacements {
  private static final Logger LOG = LoggerFactory.getLogger(StalePlacements.class);
  private static final String UNDEFINED_TABLE = "42P01";
  /** PostgreSQL's message for a missing shard table, {@code <table>_<shard id>}. */
  private static final Pattern SHARD_TABLE = Pattern.compile(
      "relation \"[^\"]*_(\\d+)\" does not exist");

  private StalePlacements() {
  }

  /**
   * Returns whether {@code failure} came from placements that changed since {@code seen}, the
   * cached snapshot the statement was planned by (null if it loaded one: then it is not
   * retried, and its 42P01 reaches the client); if so, the engine's cache is dropped, so that
   * the statement plans with the new placements. A write cancelled from outside is compared by
   * the placements it was routed with, whatever {@code seen} is; never if
   * {@code cancelledBySession}: the client asked for that cancel.
   */
  static boolean isStale(SQLException failure, CatalogSnapshot seen, SparEngine engine,
      boolean cancelledBySession) {
    for (Throwable each = failure; each != null; each = each.getCause()) {
      if (each instanceof PlacementsChanged) {
        return true; // its commit found them changed, and dropped them from the cache
      }
    }
    Optional<Shard> planned;
    if (UNDEFINED_TABLE.equals(failure.getSQLState())) {
      planned = seen == null ? Optional.empty() : missingShard(failure).flatMap(seen::shard);
    } else {
      planned = cancelledBySession ? Optional.empty() : cancelledWrite(failure);
    }
    if (planned.isEmpty()) {
      return false;
    }
    Map<Long, PlacementState> now;
    try (Connection catalog = engine.pools().borrowInternal(engine.coordinator())) {
      now = CatalogStore.placementStates(catalog, planned.get().id());
    } catch (SQLException e) {
      return false;
    }
    Map<Long, PlacementState> then = planned.get().placements().stream()
        .collect(Collectors.toMap(ShardPlacement::id, ShardPlacement::state));
    if (then.equals(now)) {
      return false;
    }
    LOG.info("The placements of shard {} changed after a statement was routed to them: {}",
        planned.get().id(), failure.getMessage());
    CatalogSnapshot known = seen != null ? seen : engine.metadata().cached();
    Optional<Long> relationId = known == null ? Optional.empty()
        : known.table(planned.get().table()).map(table -> table.relationId());
    relationId.ifPresentOrElse(id -> engine.metadata().placementsChanged(Set.of(id)),
        engine.metadata()::invalidate);
    return true;
  }

  /**
   * Returns the shard whose table the error says is missing: the client's error names the
   * distributed table, the worker's, its cause, the shard table.
   */
  private static Optional<Long> missingShard(Throwable failure) {
    for (Throwable each = failure; each != null; each = each.getCause()) {
      Matcher matcher = each.getMessage() == null ? null : SHARD_TABLE.matcher(each.getMessage());
      if (matcher != null && matcher.find()) {
        return Optional.of(Long.parseLong(matcher.group(1)));
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the shard, as routed, whose write someone else cancelled, if that is the failure's
   * cause.
   */
  private static Optional<Shard> cancelledWrite(Throwable failure) {
    for (Throwable each = failure; each != null; each = each.getCause()) {
      if (each instanceof WriteCancelled cancelled) {
        return Optional.of(cancelled.routed());
      }
    }
    return Optional.empty();
  }

  /** Returns the 40001 a statement in a transaction block gets instead of a retry. */
  static SQLException retryable(SQLException failure) {
    if ("40001".equals(failure.getSQLState())) {
      return failure;
    }
    return new SQLException("shard placements changed while the transaction ran: "
        + failure.getMessage(), "40001", failure);
  }
}
