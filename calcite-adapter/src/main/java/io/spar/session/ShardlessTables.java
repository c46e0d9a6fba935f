package io.spar.session;

import io.spar.outcome.SparErrors;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.execution.ReadScope;
import java.sql.SQLException;

/**
 * The check that keeps a distributed table without shards from hiding rows: a table
 * distributed with rows keeps them in the coordinator until its shards are created, which
 * moves them; until then Spar refuses to read or change it rather than answer from no rows.
 */
final class ShardlessTables {
  private ShardlessTables() {
  }

  /** Throws 55000 if {@code table} has no shards yet but its coordinator table has rows. */
  static void requireNoHiddenRows(DistributedTable table, ReadScope transaction)
      throws SQLException {
    // The coordinator connection only when needed: in a block, taking it joins the coordinator.
    if (table.shards().isEmpty()
        && CatalogStore.shellHasRows(transaction.coordinator(false), table.name())) {
      throw SparErrors.error(SparErrors.OBJECT_NOT_IN_PREREQUISITE_STATE, "distributed table \""
          + table.name().name() + "\" has no shards yet, and its rows are still in the"
          + " coordinator", null, "Create its shards with master_create_worker_shards or"
          + " master_create_empty_shard, which move the rows into them.");
    }
  }
}
