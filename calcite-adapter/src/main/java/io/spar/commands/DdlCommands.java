package io.spar.commands;

import io.spar.commands.DdlEvents.Event;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DdlInvalidation;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.Shard;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.operations.ShardDdl;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import io.spar.parser.SqlTokens;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DDL through a Spar connection. It runs on the coordinator inside the session's distributed
 * transaction; what PostgreSQL reports it did there ({@link DdlEvents}) decides what must
 * follow on the workers, in the same transaction, so that the shell tables, the catalog and
 * every placement change together or not at all.
 *
 * <ul>
 *   <li>{@code ALTER TABLE} and {@code ALTER INDEX} of a distributed table or its index run on
 *       each placement, written for the shard ({@link AlterStatement}), after
 *       {@link DistributionRules} accepted what they did to the shell;</li>
 *   <li>{@code CREATE INDEX} on a distributed table creates the index on every placement,
 *       {@code DROP INDEX} drops it there, {@code TRUNCATE} empties them;</li>
 *   <li>a distributed table dropped in any way ({@code DROP TABLE}, {@code DROP SCHEMA …
 *       CASCADE}, {@code DROP EXTENSION … CASCADE}) loses its catalog rows and its shards;</li>
 *   <li>schemas, types, domains, functions, extensions and the like, which shards may need,
 *       are created, altered and dropped on every worker too.</li>
 * </ul>
 *
 * <p>Statements PostgreSQL cannot run in a transaction block ({@code CREATE INDEX
 * CONCURRENTLY}, {@code CREATE DATABASE}, …) run as they are outside blocks, and get
 * PostgreSQL's error inside one.
 */
public final class DdlCommands {
  private static final Pattern CREATE_EXTENSION = Pattern.compile(
      "^(\\s*CREATE\\s+EXTENSION\\s+)(?!IF\\s+NOT\\s+EXISTS)", Pattern.CASE_INSENSITIVE);
  /** Commands whose objects shards may need on their workers; they are run there as written. */
  private static final Set<String> ON_WORKERS = Set.of("CREATE TYPE", "ALTER TYPE",
      "CREATE DOMAIN", "ALTER DOMAIN", "CREATE FUNCTION", "ALTER FUNCTION", "CREATE PROCEDURE",
      "ALTER PROCEDURE", "CREATE AGGREGATE", "ALTER AGGREGATE", "CREATE COLLATION",
      "ALTER COLLATION", "CREATE OPERATOR", "ALTER OPERATOR", "CREATE CAST",
      "CREATE EXTENSION", "ALTER EXTENSION", "ALTER SCHEMA", "CREATE TEXT SEARCH CONFIGURATION",
      "CREATE TEXT SEARCH DICTIONARY");
  /** Statements that may be run again on the workers for the definitions they make. */
  private static final Set<String> REPLAYED = Set.of("create", "alter", "do", "call");
  /** Object types whose drop reaches the workers, with the DROP command for each. */
  private static final Map<String, String> DROPPED_ON_WORKERS = Map.ofEntries(
      Map.entry("schema", "SCHEMA"), Map.entry("type", "TYPE"),
      Map.entry("composite type", "TYPE"), Map.entry("domain", "DOMAIN"),
      Map.entry("function", "FUNCTION"), Map.entry("procedure", "PROCEDURE"),
      Map.entry("aggregate", "AGGREGATE"), Map.entry("extension", "EXTENSION"),
      Map.entry("collation", "COLLATION"), Map.entry("operator", "OPERATOR"));
  /** Objects on a table that would act on the shell only, where rows never are. */
  private static final Map<String, String> TABLE_OF = Map.of(
      "trigger", "SELECT tgrelid::bigint FROM pg_catalog.pg_trigger WHERE oid = ?::oid",
      "rule", "SELECT ev_class::bigint FROM pg_catalog.pg_rewrite WHERE oid = ?::oid",
      "policy", "SELECT polrelid::bigint FROM pg_catalog.pg_policy WHERE oid = ?::oid");

  private final CoordinatorExecutor coordinator;
  private final SessionConnections connections;
  private final StatementLog log;
  private final IndexCommands indexes;
  private final BooleanSupplier schemaBasedShardingByDefault;

  /**
   * Creates the DDL handler of one session; {@code schemaBasedShardingByDefault} tells whether
   * CREATE SCHEMA distributes schemas while the session has not set
   * {@code spar.enable_schema_based_sharding}.
   */
  public DdlCommands(CoordinatorExecutor coordinator, SessionConnections connections,
      StatementLog log, ShardDdlRunner shards, BooleanSupplier schemaBasedShardingByDefault) {
    this.schemaBasedShardingByDefault = schemaBasedShardingByDefault;
    this.coordinator = coordinator;
    this.connections = connections;
    this.log = log;
    this.indexes = new IndexCommands(coordinator, connections, shards);
  }

  /**
   * Runs the DDL statement {@code sql} in {@code transaction}, with the distribution metadata
   * {@code catalog} as the transaction saw it before the statement.
   */
  public StatementResult execute(String sql, List<Object> parameters,
      DistributedTransaction transaction, CatalogSnapshot catalog) throws SQLException {
    return run(sql, parameters, transaction, catalog).result();
  }

  /**
   * The outcome of {@link #run}.
   *
   * @param result the statement's result
   * @param namesOnly the names of what it made, if it invalidates only the plans naming them
   *     (see {@link DdlInvalidation}); empty if it invalidates every plan
   */
  public record Ran(StatementResult result, Optional<Set<String>> namesOnly) {
  }

  /** Runs {@code sql} as {@link #execute} does, and tells which plans it invalidates. */
  public Ran run(String sql, List<Object> parameters, DistributedTransaction transaction,
      CatalogSnapshot catalog) throws SQLException {
    if (!transaction.isBlock() && outsideTransactions(sql)) {
      return new Ran(indexes.outsideTransaction(sql, parameters, catalog), Optional.empty());
    }
    Connection shell = transaction.join(connections.coordinatorNode());
    ShardChanges changes = new ShardChanges(transaction, log);
    Optional<AlterStatement> alter = AlterStatement.parse(sql);
    TableAlteration target = alter.isPresent()
        ? TableAlteration.resolve(shell, alter.get(), catalog) : null;
    Optional<List<IndexCommands.ShardedIndex>> droppedIndexes = indexes.droppedBy(sql, catalog);
    Map<DistributedTable, Boolean> truncated = truncated(sql, catalog);
    if (!truncated.isEmpty()) {
      // The (empty) shells of distributed tables refuse TRUNCATE from anyone but Spar.
      coordinator.query("SELECT set_config('spar.shell_write', 'on', true)", List.of());
    }
    StatementResult result = coordinator.execute(sql, parameters);
    if (droppedIndexes.isEmpty()) {
      throw IndexCommands.unreadable(); // PostgreSQL accepted it; the rollback undoes it
    }
    List<Event> events = DdlEvents.take(shell);
    boolean distributed = carryOut(sql, events, target, catalog, shell, changes);
    for (IndexCommands.ShardedIndex each : droppedIndexes.get()) {
      changes.onPlacements(each.table(), each::dropOnShard);
    }
    for (Map.Entry<DistributedTable, Boolean> each : truncated.entrySet()) {
      // The coordinator accepted the statement, so every table whose keys reference a
      // truncated one is truncated too, named or by CASCADE: the shards referencing a shard
      // on its node (co-located, or a tenant's referencing a reference table's copy) are those
      // tables', and go with it there. ONLY spares the shards of its children, as it spares
      // the children.
      changes.onPlacements(each.getKey(), shard -> "TRUNCATE TABLE "
          + (each.getValue() ? "ONLY " : "") + shard.shardName().quoted() + " CASCADE");
    }
    if (distributed) {
      return new Ran(result, Optional.empty()); // a new distributed table: the catalog changed
    }
    return new Ran(result, DdlInvalidation.names(events.stream()
        .map(each -> new DdlInvalidation.Change(each.dropped() ? "DROP" : each.tag(),
            each.identity())).toList()));
  }

  /**
   * Runs {@code sql}, a statement that is no DDL but may run some (a {@code DO} block, a
   * {@code CALL}, or a query calling a function, such as an extension's maintenance function),
   * in {@code transaction} on the coordinator, and carries to the workers what DDL it ran
   * there, as PostgreSQL reports it: Spar cannot see such DDL in the statement's text.
   *
   * @return the statement's result, and whether it ran DDL
   */
  public Watched executeWatched(String sql, List<Object> parameters,
      DistributedTransaction transaction, CatalogSnapshot catalog) throws SQLException {
    Connection shell = transaction.join(connections.coordinatorNode());
    StatementResult result = coordinator.execute(sql, parameters);
    List<Event> events = DdlEvents.take(shell);
    if (!events.isEmpty()) {
      carryOut(sql, events, null, catalog, shell, new ShardChanges(transaction, log));
    }
    return new Watched(result, !events.isEmpty());
  }

  /**
   * The outcome of {@link #executeWatched}.
   *
   * @param result the statement's result
   * @param ranDdl whether the statement ran DDL on the coordinator
   */
  public record Watched(StatementResult result, boolean ranDdl) {
  }

  /**
   * Checks what the statement did on the coordinator, then carries it to the workers; returns
   * whether it made a table distributed (a table of a distributed schema).
   */
  private boolean carryOut(String sql, List<Event> events, TableAlteration target,
      CatalogSnapshot catalog, Connection shell, ShardChanges changes) throws SQLException {
    // First every check, so that a refusal leaves the workers untouched.
    DistributedSchemas.check(shell, events, catalog);
    List<DistributedTable> dropped = new ArrayList<>();
    List<Event> created = new ArrayList<>();
    List<DistributedTable> partitioned = new ArrayList<>();
    boolean onWorkers = false;
    for (Event each : events) {
      if (each.dropped()) {
        if (each.type().equals("table")) {
          catalog.table(each.oid()).ifPresent(dropped::add);
        }
        continue;
      }
      if (each.type().equals("table")) {
        DistributionRules.requireNoInheritance(shell, each.oid(), catalog);
      }
      Optional<DistributedTable> table = distributedTableOf(shell, each, catalog);
      if (table.isPresent() && (each.tag().equals("ALTER TABLE")
          || each.tag().equals("ALTER INDEX"))) {
        if (target == null && each.tag().equals("ALTER TABLE")
            && table.get().relationId() == each.oid()
            && PartitionChanges.onlyPartitionsChanged(shell, table.get(), changes)) {
          // A function's ATTACH or DETACH PARTITION (pg_partman's): carried below.
          partitioned.add(table.get());
        } else if (target == null || target.table() != table.get()) {
          throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "Spar cannot carry this"
              + " statement's change of distributed table \"" + table.get().name().name()
              + "\" to its shards", null, "Send ALTER TABLE of a distributed table as a"
              + " statement of its own.");
        }
      } else if (table.isPresent() && TABLE_OF.containsKey(each.type())) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot create " + each.type()
            + " on distributed table \"" + table.get().name().name() + "\"", "Its rows are"
            + " in shards on the workers; the coordinator's table never holds any.", null);
      } else if (table.isPresent() && each.tag().equals("CREATE INDEX")) {
        created.add(each);
      }
      if (each.type().equals("table")) {
        DistributionRules.requireColocatedForeignKeys(shell, each.oid(), catalog);
      }
      onWorkers |= ON_WORKERS.contains(each.tag());
    }
    List<String> keywords = SqlTokens.statementKeywords(sql);
    if (onWorkers && (keywords.size() > 1 || !REPLAYED.contains(keywords.get(0)))) {
      // The definitions are carried by running the statement itself on the workers.
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "Spar cannot run this"
          + " statement's definitions on the workers", null, "Send CREATE and ALTER of types,"
          + " functions and extensions as statements of their own.");
    }
    if (target != null) {
      target.check(shell);
    }
    for (Event each : created) {
      DistributionRules.requireCoveringUniqueness(shell,
          distributedTableOf(shell, each, catalog).orElseThrow());
    }

    // Then the workers: dropped tables' shards first, then the objects they may have used.
    for (DistributedTable each : dropped) {
      DistributedTable current = changes.current(each);
      CatalogStore.deleteTable(shell, each.relationId());
      for (Shard shard : current.shards()) {
        for (var placement : shard.placements()) {
          changes.run(placement, shard,
              "DROP TABLE IF EXISTS " + shard.shardName().quoted() + " CASCADE");
        }
      }
    }
    for (Event each : events) {
      if (each.dropped() && !each.type().equals("table") && each.original()
          && DROPPED_ON_WORKERS.containsKey(each.type())) {
        changes.onWorkers(catalog.workers(), "DROP " + DROPPED_ON_WORKERS.get(each.type())
            + " IF EXISTS " + each.identity() + (cascades(sql) ? " CASCADE" : ""));
      } else if (!each.dropped() && each.tag().equals("CREATE SCHEMA")
          && each.type().equals("schema")) {
        changes.onWorkers(catalog.workers(), "CREATE SCHEMA IF NOT EXISTS " + each.identity());
      }
    }
    if (onWorkers) {
      changes.onWorkers(catalog.workers(), onWorkers(sql));
    }
    boolean distributed = DistributedSchemas.carryOut(shell, events, catalog, changes,
        schemaBasedShardingByDefault.getAsBoolean());
    distributed |= PartitionChanges.carryOut(shell, events, catalog, changes);
    for (DistributedTable each : partitioned) {
      PartitionChanges.detached(shell, each, catalog, changes);
    }
    if (target != null) {
      target.apply(changes, shell, catalog);
    }
    for (Event each : created) {
      DistributedTable table = distributedTableOf(shell, each, catalog).orElseThrow();
      String definition = (String) coordinator.query(
          "SELECT pg_catalog.pg_get_indexdef(?::oid)", List.of(each.oid())).rows().get(0)[0];
      changes.onPlacements(table,
          shard -> ShardDdl.indexForShard(definition, shard.shardName(), shard.id()));
    }
    return distributed;
  }

  /**
   * Returns the statement {@code sql} as the workers run it: functions are created without
   * checking bodies that may name tables only the coordinator has, and extensions the
   * worker already has are kept.
   */
  private static String onWorkers(String sql) {
    Matcher extension = CREATE_EXTENSION.matcher(sql);
    if (extension.find()) {
      return extension.replaceFirst("$1IF NOT EXISTS ");
    }
    return "SET LOCAL check_function_bodies = off; " + sql;
  }

  /**
   * Returns whether {@code sql} is a statement PostgreSQL runs only outside transaction
   * blocks.
   */
  private static boolean outsideTransactions(String sql) {
    List<SqlTokens.Token> tokens = SqlTokens.of(sql);
    List<String> words = tokens.stream().limit(4).map(t -> t.text().toLowerCase(Locale.ROOT))
        .toList();
    String first = words.isEmpty() ? "" : words.get(0);
    String second = words.size() > 1 ? words.get(1) : "";
    if ((first.equals("create") || first.equals("drop"))
        && (second.equals("database") || second.equals("tablespace"))
        || first.equals("alter") && second.equals("system")) {
      return true;
    }
    boolean index = first.equals("create") && (second.equals("index")
        || second.equals("unique") && words.size() > 2 && words.get(2).equals("index"))
        || first.equals("drop") && second.equals("index") || first.equals("reindex");
    return index && tokens.stream().anyMatch(t -> t.is("concurrently"))
        || first.equals("reindex") && (second.equals("database") || second.equals("system"));
  }

  /**
   * Returns the distributed tables the TRUNCATE statement {@code sql} (if it is one) empties,
   * each with whether it is named with ONLY.
   */
  private Map<DistributedTable, Boolean> truncated(String sql, CatalogSnapshot catalog)
      throws SQLException {
    TokenCursor tokens = new TokenCursor(sql);
    if (!tokens.accept("truncate")) {
      return Map.of();
    }
    tokens.accept("table");
    Map<DistributedTable, Boolean> targets = new java.util.LinkedHashMap<>();
    do {
      boolean only = tokens.accept("only");
      Optional<String> name = tokens.name();
      if (name.isEmpty()) {
        break; // not PostgreSQL's syntax, which the coordinator reports
      }
      List<Object[]> rows = coordinator.query("SELECT pg_catalog.to_regclass(?)::oid::bigint",
          List.of(name.get())).rows();
      if (rows.get(0)[0] != null) {
        catalog.table(((Number) rows.get(0)[0]).longValue())
            .ifPresent(table -> targets.merge(table, only, Boolean::logicalAnd));
      }
      tokens.acceptSymbol("*");
    } while (tokens.acceptSymbol(","));
    return targets;
  }

  private static boolean cascades(String sql) {
    return SqlTokens.of(sql).stream().anyMatch(t -> t.is("cascade"));
  }

  /** Returns the distributed table an event's object is, or belongs to. */
  private Optional<DistributedTable> distributedTableOf(Connection shell, Event event,
      CatalogSnapshot catalog) throws SQLException {
    switch (event.type()) {
      case "table":
      case "table column":
        return catalog.table(event.oid());
      case "table constraint":
        return tableOf(shell, "SELECT conrelid::bigint FROM pg_catalog.pg_constraint"
            + " WHERE oid = ?::oid", event.oid(), catalog);
      case "index":
        return tableOf(shell, "SELECT indrelid::bigint FROM pg_catalog.pg_index"
            + " WHERE indexrelid = ?::oid", event.oid(), catalog);
      default:
        String query = TABLE_OF.get(event.type());
        return query == null ? Optional.empty() : tableOf(shell, query, event.oid(), catalog);
    }
  }

  private Optional<DistributedTable> tableOf(Connection shell, String query, long oid,
      CatalogSnapshot catalog) throws SQLException {
    List<Object[]> rows = coordinator.query(query, List.of(oid)).rows();
    return rows.isEmpty() ? Optional.empty()
        : catalog.table(((Number) rows.get(0)[0]).longValue());
  }

}
