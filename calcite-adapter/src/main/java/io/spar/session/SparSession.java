package io.spar.session;

import io.spar.commands.CoordinatorExecutor;
import io.spar.outcome.StatementResult;
import io.spar.outcome.SparErrors;
import io.spar.commands.DdlCommands;
import io.spar.commands.MaintenanceCommands;
import io.spar.copy.CopyCommands;
import io.spar.commands.ShardDdlRunner;
import io.spar.commands.SqlApiFunctions;
import io.spar.engine.SparEngine;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RunningQueries;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.operations.DistributionOperations;
import io.spar.engine.transactions.TransactionMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * One user session: the statement pipeline behind a {@code jdbc:spar:} connection.
 *
 * <p>Every statement runs through the session's {@link SessionTransaction}, which decides the
 * transaction it belongs to. Transaction control is carried out by that state machine; queries
 * and modifications are planned once per text by {@link StatementPlanner} (plans are cached
 * until the catalog changes); DDL goes to {@link DdlCommands}; session commands run on the
 * session's coordinator connection.
 *
 * <p>As a pgjdbc connection, a session may be used from several threads, one call at a time:
 * its methods are synchronized, except {@link #cancel}, which another thread calls while a
 * statement runs.
 */
public final class SparSession implements AutoCloseable {
  /** First keywords of statements that take no snapshot in PostgreSQL. */
  private static final Set<String> SNAPSHOTLESS = Set.of("set", "reset", "show");
  /** First keywords of statements whose code may run DDL on the coordinator. */
  private static final Set<String> PROCEDURAL = Set.of("do", "call");
  private static final Pattern SET_CONFIG =
      Pattern.compile("set_config", Pattern.CASE_INSENSITIVE | Pattern.LITERAL);

  private final SparEngine engine;
  private final SessionContext context;
  private final PlanCache plans = new PlanCache();
  private volatile boolean schemaBasedShardingByDefault;
  private final StatementPlanner planner;
  private final DdlCommands ddl;
  private final ShardDdlRunner shardRunner;
  private final CopyCommands copy;
  private final SparSettings settings;

  /**
   * Returns the session's TimeZone setting as the coordinator last reported it (PostgreSQL
   * reports each change), in which timestamptz values print.
   */
  public String timeZoneSetting() throws SQLException {
    return context.connections().coordinatorForSpar().unwrap(org.postgresql.PGConnection.class)
        .getParameterStatus("TimeZone");
  }

  /**
   * Returns timestamptz {@code value} as the coordinator prints it in the session's TimeZone,
   * for a zone whose rules Java does not read as PostgreSQL does.
   */
  public String timestamptzText(java.sql.Timestamp value) throws SQLException {
    try (java.sql.PreparedStatement ps = context.connections().coordinatorForSpar()
        .prepareStatement("SELECT ?::timestamptz::text")) {
      ps.setTimestamp(1, value);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /**
   * Creates a session on {@code engine}; fails with 53300 when the engine already has as many
   * sessions as its limits admit.
   */
  public SparSession(SparEngine engine) throws SQLException {
    this.engine = engine;
    SessionConnections connections = engine.openSession();
    SessionTransaction transaction = new SessionTransaction(engine, connections);
    CoordinatorExecutor coordinator =
        new CoordinatorExecutor(connections, engine.statementLog(), transaction::current);
    this.context = new SessionContext(connections, coordinator,
        new SearchPath(connections, engine.metadata()::namesEpoch), transaction,
        new LongAdder());
    DistributionOperations operations =
        new DistributionOperations(engine.pools(), engine.metadata(), engine.statementLog());
    this.planner = new StatementPlanner(engine, context,
        new SqlApiFunctions(operations, coordinator, connections, transaction::current,
            () -> transaction.catalog().changed(),
            () -> transaction.catalog().placementsChanged(), this::moveAlone));
    this.settings = new SparSettings(engine);
    this.shardRunner = new ShardDdlRunner(engine.pools(), engine.statementLog());
    this.ddl = new DdlCommands(coordinator, connections, engine.statementLog(), shardRunner,
        () -> schemaBasedShardingByDefault);
    this.copy = new CopyCommands(connections, engine.statementLog());
    transaction.onSessionStateReverted(this::sessionStateChanged);
  }

  /**
   * Returns how many statement plans this session has made: one per statement text it has not
   * planned since the catalog last changed, and one more for the multi-shard plan of a query
   * whose parameters did not route it to one shard. Re-executions make none.
   */
  public long plansMade() {
    return context.plans().sum();
  }

  /** Returns the engine this session runs on. */
  public SparEngine engine() {
    return engine;
  }

  /** Returns the node connections this session holds. */
  public SessionConnections connections() {
    return context.connections();
  }

  /**
   * Runs one SQL statement with its parameters (0-based list, one per {@code ?} or
   * {@code $n} placeholder) and returns its result.
   */
  public StatementResult execute(String sql, List<Object> parameters) throws SQLException {
    return execute(sql, parameters, 0);
  }

  /**
   * Runs one SQL statement as {@link #execute(String, List)} does, cancelling it on every node
   * it runs on if it runs longer than {@code timeoutSeconds} (none if 0), as JDBC's
   * {@code setQueryTimeout} asks.
   */
  public synchronized StatementResult execute(String sql, List<Object> parameters,
      int timeoutSeconds) throws SQLException {
    return timed(timeoutSeconds, () -> execute(sql, parameters, false));
  }

  /**
   * Cancels the statement the session runs now on every node it runs on, as JDBC's
   * {@code Statement.cancel()} does from another thread: it fails with 57014 and the session
   * stays usable. Does nothing if no statement runs.
   */
  public void cancel() {
    context.connections().running().cancel();
  }

  private <T> T timed(int timeoutSeconds, SessionTransaction.Work<T> work) throws SQLException {
    RunningQueries running = context.connections().running();
    long statement = running.begin();
    ScheduledFuture<?> timer = timeoutSeconds <= 0 ? null : engine.timeouts().schedule(
        () -> running.cancel(statement), timeoutSeconds, TimeUnit.SECONDS);
    try {
      return work.run();
    } finally {
      if (timer != null) {
        timer.cancel(false);
      }
      running.end();
    }
  }

  /**
   * Runs {@code COPY … FROM STDIN} {@code sql} with the rows of {@code in} as one statement of
   * the session, and returns the number of rows copied.
   */
  public synchronized long copyIn(String sql, InputStream in) throws SQLException {
    return timed(0, () -> idleAfter(() -> context.transaction().statement(false, true,
        () -> copy.copyIn(sql, in, context.transaction().current(), context.snapshot()))));
  }

  /**
   * Runs {@code COPY … TO STDOUT} {@code sql} as one statement of the session, writing its
   * rows to {@code out}, and returns the number of rows copied.
   */
  public synchronized long copyOut(String sql, OutputStream out) throws SQLException {
    return timed(0, () -> idleAfter(() -> context.transaction().statement(false, true, () -> {
      CatalogSnapshot catalog = context.snapshot();
      return copy.copyOut(sql, out, context.transaction().current(), catalog,
          DistributedNames.mentioned(sql, catalog), new CopyCommands.Materializer() {
            @Override
            public String materialize(String query) throws SQLException {
              String table = "pg_temp." + SqlQuoting.identifier("spar_copy_out");
              createTableAs(CreateTableAs.parse("CREATE TEMP TABLE " + table + " AS " + query)
                  .orElseThrow(), List.of(), catalog);
              return table;
            }

            @Override
            public void drop(String table) throws SQLException {
              ddl.execute("DROP TABLE " + table, List.of(), context.transaction().current(),
                  context.snapshot());
            }
          });
    })));
  }

  /**
   * Runs {@code sql} as pgjdbc runs its own commands (setting the isolation level, savepoint
   * rollback and release): with JDBC autocommit off, an idle session stays idle.
   */
  public synchronized StatementResult executeCommand(String sql) throws SQLException {
    return execute(sql, List.of(), true);
  }

  private StatementResult execute(String sql, List<Object> parameters, boolean suppressBegin)
      throws SQLException {
    String keyword = StatementKind.firstKeyword(sql);
    if (keyword.equals("set") || keyword.equals("reset") || SET_CONFIG.matcher(sql).find()) {
      CustomSettings.named(sql).forEach(context.connections()::customSettingSet);
    }
    return idleAfter(() -> run(sql, parameters, suppressBegin));
  }

  private StatementResult run(String sql, List<Object> parameters, boolean suppressBegin)
      throws SQLException {
    SessionTransaction transaction = context.transaction();
    StatementKind kind = StatementKind.of(sql);
    String keyword = StatementKind.firstKeyword(sql);
    if (kind == StatementKind.TRANSACTION_CONTROL || keyword.equals("set")
        || keyword.equals("reset")) {
      Optional<TransactionStatement> control;
      try {
        control = TransactionStatements.parse(sql);
      } catch (SQLException e) {
        return transaction.statement(suppressBegin, false, () -> {
          throw e;
        });
      }
      if (control.isPresent()) {
        return transactionStatement(control.get(), sql, parameters, suppressBegin);
      }
    }
    boolean snapshot = !SNAPSHOTLESS.contains(keyword);
    // What the statement will be planned by, if cached; never a load of its own.
    CatalogSnapshot seen = engine.metadata().cached();
    try {
      return transaction.statement(suppressBegin, snapshot, () -> dispatch(kind, sql, parameters));
    } catch (SQLException e) {
      if (!StalePlacements.isStale(e, seen, engine,
          context.connections().running().wasCancelled())) {
        throw e;
      }
      if (transaction.inBlock()) {
        throw StalePlacements.retryable(e);
      }
      // Nothing of the failed statement was committed: run it once more, by the new catalog.
      return transaction.statement(suppressBegin, snapshot, () -> dispatch(kind, sql, parameters));
    }
  }

  private StatementResult transactionStatement(TransactionStatement statement, String sql,
      List<Object> parameters, boolean suppressBegin) throws SQLException {
    SessionTransaction transaction = context.transaction();
    if (statement instanceof TransactionStatement.TransactionSetting setting) {
      return transaction.statement(suppressBegin, false, () -> {
        StatementResult result = context.coordinator().execute(sql, parameters);
        if (transaction.inBlock()) {
          transaction.transactionSettingChanged(setting.setting());
        }
        return result;
      });
    }
    if (statement instanceof TransactionStatement.DefaultsSetting) {
      return transaction.statement(suppressBegin, false, () -> {
        StatementResult result = context.coordinator().execute(sql, parameters);
        transaction.defaultsChanged();
        return result;
      });
    }
    return transaction.execute(statement, suppressBegin);
  }

  /**
   * Runs one statement once per parameter set, as JDBC's {@code executeBatch}; modifications
   * of distributed tables go out as one batch per shard placement, in one transaction.
   */
  public long[] executeBatch(String sql, List<List<Object>> parameterSets) throws SQLException {
    return executeBatch(sql, parameterSets, 0);
  }

  /**
   * Runs a batch as {@link #executeBatch(String, List)} does, cancelled if it runs longer than
   * {@code timeoutSeconds} (none if 0).
   */
  public synchronized long[] executeBatch(String sql, List<List<Object>> parameterSets,
      int timeoutSeconds) throws SQLException {
    StatementKind kind = StatementKind.of(sql);
    return timed(timeoutSeconds, () -> idleAfter(
        () -> context.transaction().statement(false, true, () -> batch(kind, sql, parameterSets))));
  }

  private long[] batch(StatementKind kind, String sql, List<List<Object>> parameterSets)
      throws SQLException {
    if (kind == StatementKind.QUERY || kind == StatementKind.MODIFICATION) {
      return plan(sql).executeBatch(parameterSets);
    }
    long[] counts = new long[parameterSets.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = dispatch(kind, sql, parameterSets.get(i)).updateCount();
    }
    return counts;
  }

  /** Returns whether JDBC autocommit is on. */
  public synchronized boolean getAutoCommit() {
    return context.transaction().autoCommit();
  }

  /** Sets JDBC autocommit; turning it on commits an open transaction block, as in pgjdbc. */
  public synchronized void setAutoCommit(boolean on) throws SQLException {
    idleAfter(() -> {
      context.transaction().setAutoCommit(on);
      return null;
    });
  }

  /** Commits the open transaction block, as JDBC's {@code commit()}. */
  public synchronized void commit() throws SQLException {
    idleAfter(() -> {
      context.transaction().commit();
      return null;
    });
  }

  /** Rolls back the open transaction block on every node, as JDBC's {@code rollback()}. */
  public synchronized void rollback() throws SQLException {
    idleAfter(() -> {
      context.transaction().rollback();
      return null;
    });
  }

  /** Returns whether a transaction block is open (possibly failed). */
  public synchronized boolean inTransactionBlock() {
    return context.transaction().inBlock();
  }

  /**
   * Returns the transaction status as PostgreSQL's ReadyForQuery reports it: {@code I} idle,
   * {@code T} in a transaction block, {@code E} in a failed transaction block.
   */
  public synchronized char transactionStatus() {
    SessionTransaction transaction = context.transaction();
    return transaction.failed() ? 'E' : transaction.inBlock() ? 'T' : 'I';
  }

  /**
   * Throws PostgreSQL's 25001 with {@code message} if a transaction block is open, as pgjdbc
   * does for changes of connection characteristics.
   */
  public synchronized void requireNoTransactionBlock(String message) throws SQLException {
    context.transaction().requireIdle(message);
  }

  /**
   * Returns the isolation level of the open block (failed or not), or else the session's
   * default, as {@code SHOW transaction_isolation} would.
   */
  public synchronized TransactionMode.Isolation transactionIsolation() throws SQLException {
    return idleAfter(() -> context.transaction().isolation());
  }

  /**
   * What PostgreSQL's Describe tells of a statement before it runs.
   *
   * @param columns its result columns, empty if it returns no rows
   * @param parameters its parameters' types, one per placeholder
   */
  public record Description(List<ColumnInfo> columns, List<ColumnInfo> parameters) {
  }

  /**
   * Describes {@code sql} as PostgreSQL would, without running it: the coordinator parses and
   * analyzes it on its shell tables, with the session's search path and settings, inside the
   * session's transaction if it is open there (under a savepoint, since a failed Describe would
   * abort it). Empty when it cannot: a statement only Spar understands, such as its SQL API,
   * or a failed block.
   */
  public synchronized Optional<Description> describe(String sql) throws SQLException {
    Optional<SqlApiPlan> api = sqlApiCall(sql);
    if (api.isPresent()) {
      // The coordinator knows no such function; Spar knows what it answers.
      return Optional.of(new Description(SqlApiFunctions.resultColumns(api.get().call()),
          List.of()));
    }
    if (context.transaction().holdsCoordinator()) {
      if (context.transaction().failed()) {
        return Optional.empty();
      }
      return lookup(coordinator -> {
        try (java.sql.Statement savepoint = coordinator.createStatement()) {
          savepoint.execute("SAVEPOINT spar_describe");
          Optional<Description> described = describeOn(coordinator, sql);
          savepoint.execute(described.isPresent() ? "RELEASE SAVEPOINT spar_describe"
              : "ROLLBACK TO SAVEPOINT spar_describe; RELEASE SAVEPOINT spar_describe");
          return described;
        }
      });
    }
    return lookup(coordinator -> describeOn(coordinator, sql));
  }

  /** Returns the plan of {@code sql} if it calls one of Spar's SQL API functions. */
  private Optional<SqlApiPlan> sqlApiCall(String sql) {
    if (StatementKind.of(sql) != StatementKind.QUERY) {
      return Optional.empty();
    }
    try {
      return plan(sql) instanceof SqlApiPlan api ? Optional.of(api) : Optional.empty();
    } catch (SQLException e) {
      return Optional.empty(); // the coordinator's description tells
    }
  }

  private static Optional<Description> describeOn(Connection coordinator, String sql) {
    try (PreparedStatement statement = coordinator.prepareStatement(sql)) {
      List<ColumnInfo> columns = new ArrayList<>();
      ResultSetMetaData metaData = statement.getMetaData();
      for (int i = 1; metaData != null && i <= metaData.getColumnCount(); i++) {
        columns.add(ColumnInfo.of(metaData, i));
      }
      List<ColumnInfo> parameters = new ArrayList<>();
      ParameterMetaData types = statement.getParameterMetaData();
      for (int i = 1; i <= types.getParameterCount(); i++) {
        parameters.add(new ColumnInfo("$" + i, types.getParameterType(i),
            types.getParameterTypeName(i), types.getPrecision(i), types.getScale(i),
            types.isNullable(i), types.getParameterClassName(i)));
      }
      return Optional.of(new Description(columns, parameters));
    } catch (SQLException e) {
      return Optional.<Description>empty();
    }
  }

  /** Work on the session's coordinator connection, for {@link #lookup}. */
  @FunctionalInterface
  public interface Lookup<T> {
    /** Returns what {@code coordinator} answers. */
    T on(Connection coordinator) throws SQLException;
  }

  /**
   * Answers a question about the coordinator (its metadata, its validity) on the session's
   * coordinator connection, which the session gives back afterwards if it is idle. The answer
   * must not keep the connection.
   */
  public synchronized <T> T lookup(Lookup<T> lookup) throws SQLException {
    return idleAfter(() -> lookup.on(context.connections().coordinatorForSpar()));
  }

  /**
   * Runs {@code work}, then gives the coordinator connection back to its pool unless the
   * session's transaction is open on it or the session keeps state in it: sessions that are
   * between statements hold no coordinator connection, even inside a block that has not
   * touched the coordinator.
   */
  private <T> T idleAfter(SessionTransaction.Work<T> work) throws SQLException {
    try {
      return work.run();
    } finally {
      if (!context.transaction().holdsCoordinator()) {
        context.connections().releaseCoordinator();
      }
    }
  }

  /** Makes the blocks that JDBC autocommit off opens READ ONLY, or not. */
  public synchronized void setReadOnlyHint(boolean readOnly) {
    context.transaction().setReadOnlyHint(readOnly);
  }

  private StatementResult dispatch(StatementKind kind, String sql, List<Object> parameters)
      throws SQLException {
    switch (kind) {
      case QUERY:
        Optional<CreateTableAs> selectInto = CreateTableAs.fromSelectInto(sql);
        if (selectInto.isPresent()) {
          CatalogSnapshot snapshot = context.snapshot();
          if (DistributedNames.mentioned(selectInto.get().query(), snapshot)) {
            return createTableAs(selectInto.get(), parameters, snapshot);
          }
        }
        return planned(sql, parameters);
      case MODIFICATION:
        return planned(sql, parameters);
      case DDL:
        CatalogSnapshot catalog = context.snapshot();
        Optional<CreateTableAs> createAs = CreateTableAs.parse(sql);
        if (createAs.isPresent() && DistributedNames.mentioned(createAs.get().query(), catalog)) {
          return createTableAs(createAs.get(), parameters, catalog);
        }
        ShellReads.refuse(StatementKind.firstKeyword(sql), sql, catalog);
        DdlCommands.Ran ran = ddl.run(sql, parameters, context.transaction().current(), catalog);
        ran.namesOnly().ifPresentOrElse(context.transaction().catalog()::namesChanged,
            context.transaction().catalog()::changed);
        sessionStateChanged();
        return ran.result();
      case TRANSACTION_CONTROL:
        // Only SQL's PREPARE statement gets here; PREPARE TRANSACTION is parsed before.
        return coordinatorStatement(sql, parameters);
      case EXPLAIN:
        String explained = ExplainCommand.explained(sql).orElseThrow();
        StatementKind explainedKind = StatementKind.of(explained);
        if (explainedKind != StatementKind.QUERY && explainedKind != StatementKind.MODIFICATION) {
          return context.coordinator().execute(sql, parameters);
        }
        if (ExplainCommand.analyzes(sql)) {
          // PostgreSQL would run the statement; showing only its plan would silently not.
          throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
              "EXPLAIN ANALYZE is not supported for statements on distributed tables");
        }
        return ExplainCommand.result(plan(explained).explain(parameters));
      default:
        Optional<StatementResult> setting = settings.handle(sql);
        if (setting.isPresent()) {
          return setting.get();
        }
        if (MaintenanceCommands.handles(StatementKind.firstKeyword(sql))) {
          return maintenance(sql, parameters);
        }
        return coordinatorStatement(sql, parameters);
    }
  }

  private StatementResult planned(String sql, List<Object> parameters) throws SQLException {
    StatementPlan plan = plan(sql);
    if (plan instanceof SqlApiPlan api) {
      requireNoTransaction(api.function());
    }
    if (plan instanceof CoordinatorPlan coordinatorPlan && coordinatorPlan.mayRunDdl()) {
      return watched(sql, parameters);
    }
    StatementResult planned = plan.execute(parameters);
    if (plan instanceof CoordinatorPlan coordinatorPlan
        && coordinatorPlan.setsConfiguration()) {
      sessionStateChanged();
    }
    return planned;
  }

  /**
   * Runs CREATE TABLE … AS over distributed tables: the table is created from the query's
   * shape on the coordinator, then filled through Spar with INSERT INTO … query, whose count is
   * the statement's, as PostgreSQL's CREATE TABLE AS reports its rows.
   */
  private StatementResult createTableAs(CreateTableAs statement, List<Object> parameters,
      CatalogSnapshot catalog) throws SQLException {
    if (statement.ifNotExists() && context.coordinator().query(
        "SELECT pg_catalog.to_regclass(?) IS NOT NULL", List.of(statement.table())).rows()
        .get(0)[0].equals(Boolean.TRUE)) {
      // PostgreSQL notes that it exists and leaves it as it is.
      return ddl.execute(statement.definition(), parameters, context.transaction().current(),
          catalog);
    }
    StatementResult created = ddl.execute(statement.definition(), parameters,
        context.transaction().current(), catalog);
    context.transaction().catalog().changed();
    sessionStateChanged();
    if (!statement.withData()) {
      return created;
    }
    StatementResult inserted = plan("INSERT INTO " + statement.table() + " "
        + statement.query()).execute(parameters);
    return StatementResult.ofCount(inserted.updateCount());
  }

  private StatementResult coordinatorStatement(String sql, List<Object> parameters)
      throws SQLException {
    String keyword = StatementKind.firstKeyword(sql);
    CatalogSnapshot catalog = context.snapshot();
    ShellReads.refuse(keyword, sql, catalog);
    if (PROCEDURAL.contains(keyword)) {
      return watched(sql, parameters);
    }
    StatementResult result = context.coordinator().execute(sql, parameters);
    sessionStateChanged();
    return result;
  }

  /**
   * Runs VACUUM or ANALYZE on the coordinator, then on the shards of the distributed tables it
   * names (see {@link MaintenanceCommands}).
   */
  private StatementResult maintenance(String sql, List<Object> parameters) throws SQLException {
    StatementResult result = coordinatorStatement(sql, parameters);
    CatalogSnapshot catalog = context.snapshot();
    for (MaintenanceCommands.ShardCommand each : MaintenanceCommands.forShards(sql, catalog,
        context.searchPath().resolver(catalog))) {
      shardRunner.runOnShard(each.node(), each.shardId(), each.sql());
    }
    return result;
  }

  /** Runs {@code sql} on the coordinator, carrying to the workers the DDL its code runs. */
  private StatementResult watched(String sql, List<Object> parameters) throws SQLException {
    DdlCommands.Watched watched = ddl.executeWatched(sql, parameters,
        context.transaction().current(), context.snapshot());
    if (watched.ranDdl()) {
      context.transaction().catalog().changed();
    }
    sessionStateChanged();
    return watched.result();
  }

  /** Refuses {@code what} inside a transaction block, in PostgreSQL's words. */
  private void requireNoTransaction(String what) throws SQLException {
    if (context.transaction().inBlock()) {
      throw SparErrors.error("25001", what + " cannot run inside a transaction block");
    }
  }

  private StatementPlan plan(String sql) throws SQLException {
    long generation = engine.metadata().generation();
    StatementPlan plan = plans.get(sql, generation, engine.metadata());
    if (plan == null) {
      long namesEpoch = engine.metadata().namesEpoch();
      plan = planner.prepare(sql);
      plans.put(sql, generation, namesEpoch, plan);
    }
    return plan;
  }

  /**
   * Moves a shard's placement in a session of its own, so that each move of a rebalance or a
   * drain commits (and switches) on its own while the calling statement runs.
   */
  private void moveAlone(long shardId, NodeAddress source, NodeAddress target,
      String transferMode) throws SQLException {
    RunningQueries running = context.connections().running();
    // A cancel of the rebalance reaches the move under way, and stops the next one.
    try (SparSession mover = new SparSession(engine);
        RunningQueries.Registration cancels = running.include(mover.connections().running())) {
      running.checkCancelled();
      mover.execute("SELECT master_move_shard_placement(?, ?, ?, ?, ?, ?)", Arrays.asList(
          shardId, source.host(), source.port(), target.host(), target.port(),
              transferMode));
    }
  }

  /**
   * Forgets what the session knows of its state (search path, plans, the settings its worker
   * statements carry) after a statement that may have changed it, or a transaction end or
   * savepoint rollback that may have reverted it.
   */
  private void sessionStateChanged() {
    context.searchPath().refresh();
    context.connections().sessionStateChanged();
    plans.clear();
    context.transaction().sessionStateTouched();
  }

  /**
   * Sets whether the session's {@code CREATE SCHEMA} makes distributed schemas while it has not
   * set {@code spar.enable_schema_based_sharding} itself (the {@code schemaBasedSharding} URL
   * option, and {@code spar serve --schema-based-sharding}).
   */
  public void schemaBasedShardingByDefault(boolean on) {
    this.schemaBasedShardingByDefault = on;
  }

  @Override
  public synchronized void close() {
    context.transaction().close();
    context.connections().close();
  }
}
