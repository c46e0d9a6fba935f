package io.spar.commands;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.operations.Relations;
import io.spar.engine.operations.ShardDdl;
import io.spar.engine.operations.UniqueIndexes;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import io.spar.engine.execution.SessionConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DDL through a Spar connection: it runs on the coordinator's shell tables as written, and
 * where it concerns distributed tables it reaches their shards too.
 *
 * <p>{@code CREATE INDEX}, {@code DROP INDEX} and {@code DROP TABLE} propagate to every
 * placement, {@code TRUNCATE} empties every placement, and {@code CREATE EXTENSION} runs on
 * every worker. {@code ALTER TABLE} of a distributed table and {@code ALTER INDEX} of its
 * indexes are refused rather than let shards drift from their shell.
 */
public final class DdlCommands {
  private static final Pattern CREATE_EXTENSION = Pattern.compile(
      "^\\s*CREATE\\s+EXTENSION\\s+(?!IF\\s+NOT\\s+EXISTS)", Pattern.CASE_INSENSITIVE);

  private final CoordinatorExecutor coordinator;
  private final SessionConnections connections;
  private final MetadataCache metadata;
  private final ShardDdlRunner shards;
  private final IndexCommands indexes;

  /** Creates the DDL handler of one session. */
  public DdlCommands(CoordinatorExecutor coordinator, SessionConnections connections,
      MetadataCache metadata, ShardDdlRunner shards) {
    this.coordinator = coordinator;
    this.connections = connections;
    this.metadata = metadata;
    this.shards = shards;
    this.indexes = new IndexCommands(coordinator, connections, metadata, shards);
  }

  /** Runs the DDL statement {@code sql}. */
  public StatementResult execute(String sql, List<Object> parameters) throws SQLException {
    // Told by tokens, not text, so that comments cannot hide what a statement does.
    if (startsWith(sql, "create", "extension")) {
      return createExtension(sql, parameters);
    }
    refuseAlterOfShardedObjects(sql);
    if (startsWith(sql, "truncate")) {
      return truncate(sql, parameters);
    }
    if (startsWith(sql, "create", "index") || startsWith(sql, "create", "unique", "index")) {
      return createIndex(sql, parameters);
    }
    if (startsWith(sql, "drop", "table")) {
      return dropTable(sql, parameters);
    }
    if (DropIndexStatement.isDropIndex(sql)) {
      return indexes.drop(sql, parameters);
    }
    StatementResult result = coordinator.execute(sql, parameters);
    metadata.invalidate();
    return result;
  }

  private static boolean startsWith(String sql, String... keywords) {
    return new TokenCursor(sql).accept(keywords);
  }

  /**
   * Refuses ALTER TABLE and ALTER INDEX of a distributed table or of an index of one (PostgreSQL
   * takes either for both), rather than let shards drift from their shell.
   */
  private void refuseAlterOfShardedObjects(String sql) throws SQLException {
    TokenCursor tokens = new TokenCursor(sql);
    boolean table = tokens.accept("alter", "table");
    if (!table && !tokens.accept("alter", "index")) {
      return;
    }
    tokens.accept("if", "exists");
    tokens.accept("only");
    Optional<String> name = tokens.name();
    if (name.isEmpty()) {
      return;
    }
    // PostgreSQL also renames a table through ALTER INDEX.
    Optional<DistributedTable> altered = distributedTable(name.get());
    if (altered.isPresent()) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, (table ? "ALTER TABLE" : "ALTER INDEX")
          + " of distributed table \"" + altered.get().name().name() + "\" is not supported");
    }
    indexes.refuseAlter(name.get());
  }

  private StatementResult createExtension(String sql, List<Object> parameters) throws SQLException {
    StatementResult result = coordinator.execute(sql, parameters);
    Matcher matcher = CREATE_EXTENSION.matcher(sql);
    String onWorkers = matcher.find()
        ? matcher.replaceFirst(matcher.group() + "IF NOT EXISTS ") : sql;
    for (NodeAddress each : metadata.snapshot().workers()) {
      shards.runOnNode(each, onWorkers, parameters);
    }
    return result;
  }

  private StatementResult createIndex(String sql, List<Object> parameters) throws SQLException {
    CatalogSnapshot snapshot = metadata.snapshot();
    List<DistributedTable> tables = new ArrayList<>();
    List<List<Long>> before = new ArrayList<>();
    for (DistributedTable each : snapshot.tables()) {
      tables.add(each);
      before.add(ShardDdl.indexOids(coordinatorConnection(),
          each.relationId()));
    }
    StatementResult result = coordinator.execute(sql, parameters);
    List<List<String>> created = new ArrayList<>();
    for (int i = 0; i < tables.size(); i++) {
      created.add(ShardDdl.indexDefinitions(coordinatorConnection(),
          tables.get(i).relationId(), before.get(i)));
      if (!created.get(i).isEmpty()) {
        requireCovering(tables.get(i), before.get(i));
      }
    }
    for (int i = 0; i < tables.size(); i++) {
      for (String definition : created.get(i)) {
        shards.createIndexOnShards(tables.get(i), definition);
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
    try {
      UniqueIndexes.requireCovering(coordinatorConnection(), table.relationId(),
          table.partitionColumn());
    } catch (SQLException refusal) {
      for (long each : ShardDdl.indexOids(coordinatorConnection(), table.relationId())) {
        if (!before.contains(each)) {
          Object name = coordinator.query("SELECT ?::oid::regclass::text", List.of(each))
              .rows().get(0)[0];
          try (Statement drop = coordinatorConnection().createStatement()) {
            drop.execute("DROP INDEX " + name);
          }
        }
      }
      throw refusal;
    }
  }

  private StatementResult dropTable(String sql, List<Object> parameters) throws SQLException {
    List<DistributedTable> before = new ArrayList<>();
    metadata.snapshot().tables().forEach(before::add);
    List<DistributedTable> dropped = new ArrayList<>();
    StatementResult result;
    coordinatorConnection().setAutoCommit(false);
    try {
      result = coordinator.execute(sql, parameters);
      for (DistributedTable each : before) {
        if (!exists(each.relationId())) {
          CatalogStore.deleteTable(coordinatorConnection(), each.relationId());
          dropped.add(each);
        }
      }
      coordinatorConnection().commit();
    } catch (SQLException e) {
      coordinatorConnection().rollback();
      throw e;
    } finally {
      coordinatorConnection().setAutoCommit(true);
      metadata.invalidate();
    }
    for (DistributedTable each : dropped) {
      shards.dropShards(each);
    }
    return result;
  }

  private StatementResult truncate(String sql, List<Object> parameters) throws SQLException {
    TokenCursor tokens = new TokenCursor(sql);
    tokens.accept("truncate");
    tokens.accept("table");
    List<DistributedTable> targets = new ArrayList<>();
    do {
      tokens.accept("only");
      Optional<String> name = tokens.name();
      if (name.isEmpty()) {
        break; // not PostgreSQL's syntax, which the coordinator reports
      }
      distributedTable(name.get()).ifPresent(targets::add);
      tokens.acceptSymbol("*");
    } while (tokens.acceptSymbol(","));
    StatementResult result;
    Connection connection = coordinatorConnection();
    connection.setAutoCommit(false);
    try {
      if (!targets.isEmpty()) {
        // The (empty) shells of distributed tables refuse TRUNCATE from anyone but Spar.
        coordinator.query("SELECT set_config('spar.shell_write', 'on', true)", List.of());
      }
      result = coordinator.execute(sql, parameters);
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
    for (DistributedTable each : targets) {
      shards.truncateShards(each);
    }
    return result;
  }

  private Optional<DistributedTable> distributedTable(String name) throws SQLException {
    try {
      Relations.Relation relation = Relations.resolve(coordinatorConnection(), name);
      return metadata.snapshot().table(relation.name());
    } catch (io.spar.engine.operations.OperationException e) {
      return Optional.empty();
    }
  }

  private boolean exists(long relationId) throws SQLException {
    Object[] row = coordinator.firstRow(
        "SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = ?::oid)", List.of(relationId));
    return Boolean.TRUE.equals(row[0]);
  }

  private Connection coordinatorConnection() throws SQLException {
    return connections.coordinator();
  }
}
