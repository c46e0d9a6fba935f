package io.spar.commands;

import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.SessionConnections;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.postgresql.util.PSQLException;

/**
 * Index DDL of distributed tables beyond CREATE INDEX. {@code DROP INDEX} drops the shard
 * indexes ({@code <index>_<shardid>}) on every placement too; {@code ALTER INDEX} of such an
 * index is refused, since its shard indexes would keep their old names and settings.
 *
 * <p>Without {@code CONCURRENTLY}, the drop runs in one transaction on the coordinator and one
 * per worker; the workers commit only after every placement has dropped its indexes, and the
 * coordinator last, so that a failure before the commits changes nothing anywhere, and a
 * failure between them leaves the index on the coordinator, where running the statement again
 * finishes the drop. {@code DROP INDEX CONCURRENTLY} cannot run in a transaction; it drops the
 * shard indexes first and the coordinator's index last, for the same reason.
 */
final class IndexCommands {
  private static final String RUN_AGAIN =
      "Run the DROP INDEX again once every worker is reachable; it drops what is left.";

  /** An index of a distributed table. */
  private record ShardedIndex(TableName index, long indexOid, DistributedTable table) {
  }

  private final CoordinatorExecutor coordinator;
  private final SessionConnections connections;
  private final MetadataCache metadata;
  private final ShardDdlRunner shards;

  IndexCommands(CoordinatorExecutor coordinator, SessionConnections connections,
      MetadataCache metadata, ShardDdlRunner shards) {
    this.coordinator = coordinator;
    this.connections = connections;
    this.metadata = metadata;
    this.shards = shards;
  }

  /** Runs the DROP INDEX statement {@code sql} on the coordinator and the placements. */
  StatementResult drop(String sql, List<Object> parameters) throws SQLException {
    Optional<DropIndexStatement> parsed = DropIndexStatement.parse(sql);
    if (parsed.isEmpty()) {
      throw unreadable(sql, parameters);
    }
    try {
      return parsed.get().concurrently()
          ? dropConcurrently(parsed.get(), sql, parameters)
          : dropInTransactions(parsed.get(), sql, parameters);
    } finally {
      metadata.invalidate();
    }
  }

  /**
   * Refuses ALTER INDEX (or ALTER TABLE, which PostgreSQL also applies to indexes) of the
   * index {@code name} of a distributed table.
   */
  void refuseAlter(String name) throws SQLException {
    Optional<ShardedIndex> index = shardedIndex(name);
    if (index.isPresent()) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "ALTER INDEX of index \""
          + index.get().index().name() + "\" of distributed table \""
          + index.get().table().name().name() + "\" is not supported", null,
          "Drop the index and create it again as it should be.");
    }
  }

  private StatementResult dropInTransactions(DropIndexStatement statement, String sql,
      List<Object> parameters) throws SQLException {
    Connection connection = connections.coordinator();
    connection.setAutoCommit(false);
    try {
      List<ShardedIndex> sharded = shardedIndexes(statement);
      StatementResult result = coordinator.execute(sql, parameters);
      try (NodeTransactions workers = shards.transactions()) {
        for (ShardedIndex each : sharded) {
          for (Shard shard : each.table().shards()) {
            for (ShardPlacement placement : shard.finalizedPlacements()) {
              workers.run(placement.node(), shard.id(), statement.onShard(shardIndex(shard, each)));
            }
          }
        }
        workers.commit();
      } catch (NodeTransactions.PartialCommit e) {
        if (e.committed().isEmpty()) {
          throw (SQLException) e.getCause(); // nothing changed anywhere
        }
        throw incomplete(e, "The shard indexes were dropped on " + nodes(e.committed())
            + "; the indexes still exist on the coordinator and the other workers.", RUN_AGAIN);
      }
      commitCoordinator(connection, !sharded.isEmpty());
      return result;
    } catch (SQLException | RuntimeException e) {
      rollback(connection);
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private void commitCoordinator(Connection connection, boolean shardsDropped)
      throws SQLException {
    try {
      connection.commit();
    } catch (SQLException e) {
      if (!shardsDropped) {
        throw e;
      }
      throw incomplete(e, "The shard indexes were dropped; the indexes still exist on the"
          + " coordinator.", RUN_AGAIN);
    }
  }

  private StatementResult dropConcurrently(DropIndexStatement statement, String sql,
      List<Object> parameters) throws SQLException {
    List<ShardedIndex> sharded = statement.names().size() == 1 && !statement.cascade()
        ? shardedIndexes(statement) : List.of(); // otherwise PostgreSQL refuses the statement
    if (sharded.isEmpty()) {
      return coordinator.execute(sql, parameters);
    }
    ShardedIndex index = sharded.get(0);
    if (constraintsDependOn(index)) {
      // PostgreSQL refuses to drop it; it says so before any placement loses its index.
      StatementResult result = coordinator.execute(sql, parameters);
      dropOnPlacements(statement, index, true);
      return result;
    }
    dropOnPlacements(statement, index, false);
    try {
      return coordinator.execute(sql, parameters);
    } catch (SQLException e) {
      throw incomplete(e, "The shard indexes were dropped; the index still exists on the"
          + " coordinator.", RUN_AGAIN);
    }
  }

  private void dropOnPlacements(DropIndexStatement statement, ShardedIndex index,
      boolean coordinatorDropped) throws SQLException {
    List<ShardPlacement> placements = new ArrayList<>();
    index.table().shards().forEach(shard -> placements.addAll(shard.finalizedPlacements()));
    int dropped = 0;
    for (Shard shard : index.table().shards()) {
      for (ShardPlacement placement : shard.finalizedPlacements()) {
        try {
          shards.runOnShard(placement.node(), shard.id(),
              statement.onShard(shardIndex(shard, index)));
        } catch (SQLException e) {
          if (dropped == 0 && !coordinatorDropped) {
            throw e; // nothing changed anywhere
          }
          throw incomplete(e, "The index was dropped on " + dropped + " of "
              + placements.size() + " shard placements and "
              + (coordinatorDropped ? "is gone from" : "still exists on") + " the coordinator.",
              coordinatorDropped ? null : RUN_AGAIN);
        }
        dropped++;
      }
    }
  }

  private List<ShardedIndex> shardedIndexes(DropIndexStatement statement)
      throws SQLException {
    List<ShardedIndex> sharded = new ArrayList<>();
    for (String name : statement.names()) {
      shardedIndex(name).ifPresent(sharded::add);
    }
    return sharded;
  }

  /** Returns the index {@code name} resolves to as PostgreSQL resolves it, if it is sharded. */
  private Optional<ShardedIndex> shardedIndex(String name) throws SQLException {
    List<Object[]> rows = coordinator.query("SELECT i.indexrelid::bigint, i.indrelid::bigint,"
        + " n.nspname, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE i.indexrelid = to_regclass(?)", List.of(name)).rows();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    long tableOid = ((Number) rows.get(0)[1]).longValue();
    for (DistributedTable table : metadata.snapshot().tables()) {
      if (table.relationId() == tableOid) {
        return Optional.of(new ShardedIndex(new TableName((String) rows.get(0)[2],
            (String) rows.get(0)[3]), ((Number) rows.get(0)[0]).longValue(), table));
      }
    }
    return Optional.empty();
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

  /** Returns the shard index of {@code index} on {@code shard}, as ShardDdl names it. */
  private static String shardIndex(Shard shard, ShardedIndex index) {
    return new TableName(shard.shardName().schema(), index.index().name() + "_" + shard.id())
        .quoted();
  }

  /**
   * Returns the error for a DROP INDEX that Spar cannot read: PostgreSQL's own, found by
   * running the statement in a transaction that is rolled back, or a refusal if PostgreSQL
   * accepts what Spar cannot read.
   */
  private SQLException unreadable(String sql, List<Object> parameters) throws SQLException {
    Connection connection = connections.coordinator();
    connection.setAutoCommit(false);
    try {
      coordinator.execute(sql, parameters);
    } catch (SQLException e) {
      if (!"25001".equals(e.getSQLState())) { // CONCURRENTLY inside a transaction block
        return e;
      }
    } finally {
      rollback(connection);
      connection.setAutoCommit(true);
    }
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

  private static String nodes(List<NodeAddress> nodes) {
    return nodes.isEmpty() ? "no worker"
        : nodes.stream().map(NodeAddress::toString).collect(Collectors.joining(", "));
  }

  private static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // A broken connection has no transaction left to roll back.
    }
  }
}
