package io.spar.commands;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.operations.ShardDdl;
import io.spar.engine.operations.UniqueIndexes;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.postgresql.util.PSQLException;

/**
 * Index DDL of distributed tables that Spar must follow by name: {@code DROP INDEX}, whose
 * index is gone from the catalog once PostgreSQL reports it dropped, and the
 * {@code CONCURRENTLY} forms, which cannot run in a transaction.
 *
 * <p>{@code CREATE INDEX CONCURRENTLY} creates the index on the coordinator, then on every
 * placement, concurrently too. {@code DROP INDEX CONCURRENTLY} drops the shard indexes first
 * and the coordinator's index last, so that a failure leaves the index on the coordinator,
 * where running the statement again finishes the drop.
 */
final class IndexCommands {
  private static final String RUN_AGAIN =
      "Run the DROP INDEX again once every worker is reachable; it drops what is left.";

  /**
   * An index of a distributed table.
   *
   * @param index its name
   * @param indexOid its OID
   * @param table its table
   * @param statement the DROP INDEX statement that drops it
   */
  record ShardedIndex(TableName index, long indexOid, DistributedTable table,
      DropIndexStatement statement) {
    /** Returns the statement that drops this index's shard index on {@code shard}. */
    String dropOnShard(Shard shard) {
      return statement.onShard(shardIndex(shard));
    }

    /** Returns the shard index on {@code shard}, as ShardDdl names it. */
    String shardIndex(Shard shard) {
      return new TableName(shard.shardName().schema(), index.name() + "_" + shard.id())
          .quoted();
    }
  }

  private final CoordinatorExecutor coordinator;
  private final SessionConnections connections;
  private final ShardDdlRunner shards;

  IndexCommands(CoordinatorExecutor coordinator, SessionConnections connections,
      ShardDdlRunner shards) {
    this.coordinator = coordinator;
    this.connections = connections;
    this.shards = shards;
  }

  /**
   * Returns the indexes of distributed tables the DROP INDEX statement {@code sql} (if it is
   * one) drops, resolved as PostgreSQL resolves them before it runs; empty if Spar cannot read
   * its index names (PostgreSQL then reports its syntax error, or Spar refuses the statement).
   */
  Optional<List<ShardedIndex>> droppedBy(String sql, CatalogSnapshot catalog)
      throws SQLException {
    if (!DropIndexStatement.isDropIndex(sql)) {
      return Optional.of(List.of());
    }
    Optional<DropIndexStatement> parsed = DropIndexStatement.parse(sql);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    List<ShardedIndex> sharded = new ArrayList<>();
    for (String name : parsed.get().names()) {
      shardedIndex(name, parsed.get(), catalog).ifPresent(sharded::add);
    }
    return Optional.of(sharded);
  }

  /**
   * Runs {@code CREATE INDEX CONCURRENTLY} or {@code DROP INDEX CONCURRENTLY} outside a
   * transaction block; any other statement PostgreSQL runs outside transactions runs on the
   * coordinator as written.
   */
  StatementResult outsideTransaction(String sql, List<Object> parameters,
      CatalogSnapshot catalog) throws SQLException {
    TokenCursor tokens = new TokenCursor(sql);
    if (tokens.accept("create", "index", "concurrently")
        || new TokenCursor(sql).accept("create", "unique", "index", "concurrently")) {
      return createConcurrently(sql, parameters, catalog);
    }
    Optional<DropIndexStatement> drop = DropIndexStatement.parse(sql);
    if (drop.isPresent() && drop.get().concurrently()) {
      return dropConcurrently(drop.get(), sql, parameters, catalog);
    }
    if (DropIndexStatement.isDropIndex(sql)) {
      throw unreadable();
    }
    return coordinator.execute(sql, parameters);
  }

  private StatementResult createConcurrently(String sql, List<Object> parameters,
      CatalogSnapshot catalog) throws SQLException {
    List<DistributedTable> tables = new ArrayList<>();
    List<List<Long>> before = new ArrayList<>();
    for (DistributedTable each : catalog.tables()) {
      tables.add(each);
      before.add(ShardDdl.indexOids(connections.coordinator(), each.relationId()));
    }
    StatementResult result = coordinator.execute(sql, parameters);
    for (int i = 0; i < tables.size(); i++) {
      List<String> created = ShardDdl.indexDefinitions(connections.coordinator(),
          tables.get(i).relationId(), before.get(i));
      if (created.isEmpty()) {
        continue;
      }
      requireCovering(tables.get(i), before.get(i));
      for (String definition : created) {
        for (Shard shard : current(tables.get(i)).shards()) {
          String onShard = ShardDdl.indexForShard(definition, shard.shardName(), shard.id())
              .replaceFirst("INDEX ", "INDEX CONCURRENTLY ");
          for (ShardPlacement placement : shard.finalizedPlacements()) {
            shards.runOnShard(placement.node(), shard.id(), onShard);
          }
        }
      }
    }
    return result;
  }

  /**
   * Drops the indexes of {@code table} made since {@code before} again if one of them would be
   * unique on each shard only, and refuses the statement (CREATE INDEX CONCURRENTLY cannot be
   * undone by a rollback).
   */
  private void requireCovering(DistributedTable table, List<Long> before) throws SQLException {
    Connection shell = connections.coordinator();
    try {
      UniqueIndexes.requireCovering(shell, table.relationId(), table.partitionColumn());
    } catch (SQLException refusal) {
      for (long each : ShardDdl.indexOids(shell, table.relationId())) {
        if (!before.contains(each)) {
          Object name = coordinator.query("SELECT ?::oid::regclass::text", List.of(each))
              .rows().get(0)[0];
          try (Statement drop = shell.createStatement()) {
            drop.execute("DROP INDEX " + name);
          }
        }
      }
      throw refusal;
    }
  }

  private StatementResult dropConcurrently(DropIndexStatement statement, String sql,
      List<Object> parameters, CatalogSnapshot catalog) throws SQLException {
    Optional<ShardedIndex> sharded = statement.names().size() == 1 && !statement.cascade()
        ? shardedIndex(statement.names().get(0), statement, catalog)
        : Optional.empty(); // otherwise PostgreSQL refuses the statement
    if (sharded.isEmpty()) {
      return coordinator.execute(sql, parameters);
    }
    ShardedIndex index = sharded.get();
    if (constraintsDependOn(index)) {
      // PostgreSQL refuses to drop it; it says so before any placement loses its index.
      StatementResult result = coordinator.execute(sql, parameters);
      dropOnPlacements(index, true);
      return result;
    }
    DistributedTable before = dropOnPlacements(index, false);
    StatementResult result;
    try {
      result = coordinator.execute(sql, parameters);
    } catch (SQLException e) {
      throw incomplete(e, "The shard indexes were dropped; the index still exists on the"
          + " coordinator.", RUN_AGAIN);
    }
    // A placement repaired meanwhile was made from the coordinator's table, index and all.
    for (Shard shard : current(index.table()).shards()) {
      List<ShardPlacement> done = before.shard(shard.id()).map(Shard::finalizedPlacements)
          .orElse(List.of());
      for (ShardPlacement placement : shard.finalizedPlacements()) {
        if (!done.contains(placement)) {
          shards.runOnShard(placement.node(), shard.id(), index.dropOnShard(shard));
        }
      }
    }
    return result;
  }

  /**
   * Returns {@code table} with its placements as the catalog holds them now: a concurrent
   * statement waits on the coordinator for a repair that holds the table's lock, then must
   * reach the placement the repair made current too.
   */
  private DistributedTable current(DistributedTable table) throws SQLException {
    return table.withPlacements(CatalogStore.placementsOf(connections.coordinator(),
        Set.of(table.relationId())));
  }

  /** Drops the index on the placements the catalog holds now; returns them. */
  private DistributedTable dropOnPlacements(ShardedIndex index, boolean coordinatorDropped)
      throws SQLException {
    DistributedTable table = current(index.table());
    int placements = 0;
    for (Shard shard : table.shards()) {
      placements += shard.finalizedPlacements().size();
    }
    int dropped = 0;
    for (Shard shard : table.shards()) {
      for (ShardPlacement placement : shard.finalizedPlacements()) {
        try {
          shards.runOnShard(placement.node(), shard.id(), index.dropOnShard(shard));
        } catch (SQLException e) {
          if (dropped == 0 && !coordinatorDropped) {
            throw e; // nothing changed anywhere
          }
          throw incomplete(e, "The index was dropped on " + dropped + " of " + placements
              + " shard placements and " + (coordinatorDropped ? "is gone from"
              : "still exists on") + " the coordinator.", coordinatorDropped ? null : RUN_AGAIN);
        }
        dropped++;
      }
    }
    return table;
  }

  /** Returns the index {@code name} resolves to as PostgreSQL resolves it, if it is sharded. */
  private Optional<ShardedIndex> shardedIndex(String name, DropIndexStatement statement,
      CatalogSnapshot catalog) throws SQLException {
    List<Object[]> rows = coordinator.query("SELECT i.indexrelid::bigint, i.indrelid::bigint,"
        + " n.nspname, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE i.indexrelid = to_regclass(?)", List.of(name)).rows();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    return catalog.table(((Number) rows.get(0)[1]).longValue())
        .map(table -> new ShardedIndex(new TableName((String) rows.get(0)[2],
            (String) rows.get(0)[3]), ((Number) rows.get(0)[0]).longValue(), table, statement));
  }

  /**
   * Returns whether constraints depend on {@code index}: a constraint it implements, or a
   * foreign key that references it.
   */
  private boolean constraintsDependOn(ShardedIndex index) throws SQLException {
    Object[] row = coordinator.firstRow("SELECT EXISTS (SELECT 1 FROM pg_depend"
        + " WHERE classid = 'pg_class'::regclass AND objid = ?::oid AND deptype = 'i')"
        + " OR EXISTS (SELECT 1 FROM pg_depend WHERE refclassid = 'pg_class'::regclass"
        + " AND refobjid = ?::oid AND deptype = 'n')",
        List.of(index.indexOid(), index.indexOid()));
    return Boolean.TRUE.equals(row[0]);
  }

  /** Refuses a DROP INDEX whose index names Spar cannot read. */
  static SQLException unreadable() {
    return SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
        "Spar cannot tell which indexes this DROP INDEX drops", null,
        "Write it as DROP INDEX [CONCURRENTLY] [IF EXISTS] name [, ...] [CASCADE | RESTRICT]"
            + " with plain or double-quoted names.");
  }

  private static SQLException incomplete(SQLException cause, String detail, String hint) {
    SQLException error = SparErrors.error(cause.getSQLState() == null ? "XX000"
        : cause.getSQLState(), "DROP INDEX is incomplete: " + primaryMessage(cause), detail,
        hint);
    error.initCause(cause);
    return error;
  }

  private static String primaryMessage(SQLException e) {
    return e instanceof PSQLException psql && psql.getServerErrorMessage() != null
        ? psql.getServerErrorMessage().getMessage() : e.getMessage();
  }
}
