package io.spar.multishard;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.ShardQuery;
import io.spar.engine.routing.ShardPruner;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import io.spar.router.PartitionPredicates;
import io.spar.router.SplicedSql;
import io.spar.router.TableReference;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Plan of a query over several shards, made once per statement text: the query each shard of
 * each distributed table receives, and the query the coordinator runs over their rows.
 *
 * <p>Executions prune shards with their parameter values, run the shard queries in parallel in
 * the session's transaction, and hand the rows to the coordinator's PostgreSQL; no parsing or
 * planning happens again. The coordinator's text is completed on the first execution, once the
 * shards' column types are known, and kept while they stay the same.
 */
public final class MultiShardQuery {
  /** Marker of the table's place in a shard query template. */
  static final String TABLE_MARKER = "\u0000";

  /** What a plan needs from the session that runs it. */
  public interface Runtime {
    /** Returns the catalog snapshot the statement runs with. */
    CatalogSnapshot snapshot();

    /** Returns the coordinator node, which answers for a table no shard of which is left. */
    NodeAddress coordinatorNode();

    /** Runs shard queries in the session's transaction and reads their rows with {@code reader}. */
    RowSet read(List<ShardQuery> queries, boolean lockRows, RowSet.Reader reader)
        throws SQLException;

    /**
     * Runs shard queries and returns their rows streaming, where the session's transaction
     * allows (see {@link io.spar.engine.execution.ReadExecutor#stream}).
     */
    RowSet stream(List<ShardQuery> queries) throws SQLException;

    /** Runs {@code sql} on the session's coordinator connection, in its transaction. */
    StatementResult coordinator(String sql, List<Object> parameters) throws SQLException;
  }

  /**
   * The shard queries of one distributed table reference.
   *
   * @param table the distributed table
   * @param alias the reference's alias, or null if it uses the table's name
   * @param pruning the parsed reference whose predicates prune shards, or null to read all
   * @param template the query, with {@link #TABLE_MARKER} where the shard's name goes
   */
  record Scan(TableName table, String alias, TableReference pruning, SplicedSql template) {

    /** Returns the scan of the parsed reference {@code reference}. */
    static Scan of(TableReference reference, SplicedSql template) {
      return new Scan(reference.table(), reference.alias(), reference, template);
    }
  }

  private final Strategy strategy;
  private final List<Scan> scans;
  private final CoordinatorSql coordinator;
  private final boolean lockRows;
  private final MultiShardQuery fallback;
  private volatile Resolved resolved;

  /** Coordinator text filled for one list of shard column types. */
  private record Resolved(List<List<String>> types, SplicedSql sql) {
  }

  /**
   * Creates a plan.
   *
   * @param coordinator the coordinator's query, or null when it only concatenates
   * @param fallback the plan to use instead when the shards' column types cannot be combined
   *     this way, or null
   */
  MultiShardQuery(Strategy strategy, List<Scan> scans, CoordinatorSql coordinator,
      boolean lockRows, MultiShardQuery fallback) {
    this.strategy = strategy;
    this.scans = List.copyOf(scans);
    this.coordinator = coordinator;
    this.lockRows = lockRows;
    this.fallback = fallback;
  }

  /** Returns the strategy. */
  public Strategy strategy() {
    return strategy;
  }

  /** Runs the plan with {@code parameters}. */
  public StatementResult execute(List<Object> parameters, Runtime runtime) throws SQLException {
    CatalogSnapshot snapshot = runtime.snapshot();
    if (coordinator == null) {
      List<ShardQuery> queries = shardQueries(scans.get(0), parameters, snapshot,
          runtime.coordinatorNode());
      return StatementResult.ofRows(lockRows ? runtime.read(queries, true, RowSet::read)
          : runtime.stream(queries));
    }
    List<RowSet> rows = new ArrayList<>();
    for (Scan each : scans) {
      rows.add(runtime.read(shardQueries(each, parameters, snapshot, runtime.coordinatorNode()),
          false, RowSet::readText));
    }
    List<Object> bound = new ArrayList<>(parameters);
    List<List<ColumnInfo>> columns = new ArrayList<>();
    List<Integer> bases = new ArrayList<>();
    for (RowSet each : rows) {
      bases.add(bound.size());
      columns.add(each.columns());
      bound.addAll(IntermediateRows.arrays(each));
    }
    SplicedSql sql;
    try {
      sql = resolve(new CoordinatorSql.Columns(columns, bases));
    } catch (CoordinatorSql.UncombinableException e) {
      return fallback.execute(parameters, runtime);
    }
    return runtime.coordinator(sql.sql(), sql.bind(bound));
  }

  private SplicedSql resolve(CoordinatorSql.Columns columns)
      throws CoordinatorSql.UncombinableException {
    List<List<String>> types = columns.perScan().stream()
        .map(list -> list.stream().map(ColumnInfo::typeName).toList()).toList();
    Resolved known = resolved;
    if (known != null && known.types().equals(types)) {
      return known.sql();
    }
    SplicedSql sql = coordinator.resolve(columns);
    resolved = new Resolved(types, sql);
    return sql;
  }

  /** Returns the shard queries of {@code scan}: one per shard left by pruning. */
  private static List<ShardQuery> shardQueries(Scan scan, List<Object> parameters,
      CatalogSnapshot snapshot, NodeAddress coordinatorNode) throws SQLException {
    DistributedTable table = snapshot.table(scan.table()).orElseThrow();
    List<Object> bound = scan.template().bind(parameters);
    List<Shard> shards = prune(scan, table, parameters);
    if (shards.isEmpty()) {
      // The table's empty shell gives the columns, and the aggregates of no rows.
      return List.of(new ShardQuery(null, List.of(coordinatorNode),
          withTable(scan, table.name().quoted()), bound));
    }
    List<ShardQuery> result = new ArrayList<>(shards.size());
    for (Shard each : shards) {
      result.add(new ShardQuery(each.id(),
          each.finalizedPlacements().stream().map(ShardPlacement::node).toList(),
          withTable(scan, each.shardName().quoted()), bound));
    }
    return result;
  }

  private static List<Shard> prune(Scan scan, DistributedTable table, List<Object> parameters)
      throws SQLException {
    if (scan.pruning() == null) {
      return table.shards();
    }
    try {
      return ShardPruner.prune(table,
          PartitionPredicates.extract(scan.pruning(), table.partitionColumn()), parameters);
    } catch (IllegalArgumentException e) {
      throw SparErrors.invalidValue(e);
    }
  }

  private static String withTable(Scan scan, String relation) {
    String text = scan.alias() != null ? relation
        : relation + " AS " + SqlQuoting.identifier(scan.table().name());
    return scan.template().sql().replace(TABLE_MARKER, text);
  }

  /** Returns EXPLAIN's lines for the plan with {@code parameters}. */
  public List<String> explain(List<Object> parameters, CatalogSnapshot snapshot)
      throws SQLException {
    List<String> lines = new ArrayList<>();
    lines.add("Multi-shard Query, " + strategy.description());
    for (Scan each : scans) {
      DistributedTable table = snapshot.table(each.table()).orElseThrow();
      List<Shard> shards = prune(each, table, parameters);
      lines.add("  " + table.name() + ": " + shards.size() + " of " + table.shards().size()
          + " shards after pruning " + shards.stream().map(Shard::id).toList());
      String relation = shards.isEmpty() ? table.name().quoted()
          : shards.get(0).shardName().quoted();
      lines.add("    Sent to " + (shards.isEmpty() ? "the coordinator's empty table"
          : shards.size() == 1 ? "the shard" : "each shard, as to the first") + ": "
          + withTable(each, relation));
    }
    if (coordinator != null) {
      lines.add("  Coordinator: " + coordinator.show());
    }
    return lines;
  }
}
