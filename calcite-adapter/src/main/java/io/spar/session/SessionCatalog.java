package io.spar.session;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.execution.SessionConnections;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The distribution metadata as the session's transaction sees it.
 *
 * <p>Usually that is the process-wide {@link MetadataCache}. Once the session's own DDL has
 * changed the catalog inside its open transaction (dropped or renamed a distributed table,
 * moved it to another schema), the cache still holds the committed state, which would send
 * the transaction's next statements to shards it renamed or dropped; until the transaction
 * ends, the session reads the catalog through its own coordinator connection instead, inside
 * the transaction. When the transaction ends the cache is invalidated, after the commit, so
 * that no session reloads the state from before it. A transaction that changed placements only
 * (a shard move) makes the cache reload them, and every session keeps its plans.
 */
final class SessionCatalog {
  private final MetadataCache shared;
  private final SessionConnections connections;
  private boolean changedInTransaction;
  private boolean placementsChangedInTransaction;
  private final Set<String> namesChangedInTransaction = new HashSet<>();
  private CatalogSnapshot own;

  SessionCatalog(MetadataCache shared, SessionConnections connections) {
    this.shared = shared;
    this.connections = connections;
  }

  /** Returns the metadata the running statement must use. */
  CatalogSnapshot snapshot() throws SQLException {
    if (!changedInTransaction) {
      return shared.snapshot();
    }
    if (own == null) {
      own = CatalogStore.load(connections.coordinator());
    }
    return own;
  }

  /** Notes that a statement of the open transaction may have changed the catalog. */
  void changed() {
    changedInTransaction = true;
    own = null;
  }

  /**
   * Notes that a statement of the open transaction changed placements only; its statements
   * read them through the cache, which reloads them once the transaction ends.
   */
  void placementsChanged() {
    placementsChangedInTransaction = true;
  }

  /**
   * Notes that a statement of the open transaction ran DDL that only made the objects
   * {@code names} (see the engine's {@code DdlInvalidation}); the catalog is the same, and
   * once the transaction ends only plans naming them are made anew.
   */
  void namesChanged(Set<String> names) {
    namesChangedInTransaction.addAll(names);
  }

  /** Notes that the transaction rolled back to a savepoint, which may undo its changes. */
  void rolledBack() {
    own = null;
  }

  /** Notes that the transaction ended, committed or not. */
  void transactionEnded() {
    if (changedInTransaction) {
      changedInTransaction = false;
      placementsChangedInTransaction = false;
      namesChangedInTransaction.clear();
      own = null;
      shared.invalidate();
      return;
    }
    if (placementsChangedInTransaction) {
      placementsChangedInTransaction = false;
      shared.placementsChanged();
    }
    if (!namesChangedInTransaction.isEmpty()) {
      shared.namesChanged(Set.copyOf(namesChangedInTransaction));
      namesChangedInTransaction.clear();
    }
  }
}
