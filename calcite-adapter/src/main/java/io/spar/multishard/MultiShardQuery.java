package io.spar.multishard;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.ShardQuery;
import io.spar.engine.routing.ShardPruner;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import io.spar.router.PartitionPredicates;
import io.spar.router.RouterPlanner;
import io.spar.router.SplicedSql;
import io.spar.router.TableReference;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
  /** Marker of the first (or only) table's place in a shard query template. */
  static final String TABLE_MARKER = marker(0);

  /** What a plan needs from the session that runs it. */
  public interface Runtime {
    /** Returns the catalog snapshot the statement runs with. */
    CatalogSnapshot snapshot();

    /** Returns the coordinator node, which answers for a table no shard of which is left. */
    NodeAddress coordinatorNode();

    /** Returns the reader of rows in the form the session reads values. */
    RowSet.Reader valueReader();

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

  /** Returns the marker of the place of table {@code part} of a scan in its template. */
  static String marker(int part) {
    return "\u0000" + part + "\u0000";
  }

  /**
   * One table reference of a scan.
   *
   * @param table the distributed table
   * @param alias the reference's alias, or null if it uses the table's name
   * @param pruning the parsed reference whose predicates prune shards, or null to read all
   */
  record Part(TableName table, String alias, TableReference pruning) {
  }

  /**
   * The shard queries of one distributed table reference, or of co-located tables joined on
   * their distribution columns, whose i-th query reads the i-th shard of each.
   *
   * @param parts the table references, whose places {@link #marker} marks in the template
   * @param template the query
   */
  record Scan(List<Part> parts, SplicedSql template) {

    /** Returns the scan of the parsed reference {@code reference}, pruned by its predicates. */
    static Scan of(TableReference reference, SplicedSql template) {
      return of(List.of(reference), true, template);
    }

    /** Returns the scan of co-located references, pruned by their predicates if {@code prune}. */
    static Scan of(List<TableReference> references, boolean prune, SplicedSql template) {
      return new Scan(references.stream().map(each -> new Part(each.table(), each.alias(),
          prune ? each : null)).toList(), template);
    }

    /** Returns the scan of every shard of {@code table}. */
    static Scan unpruned(TableName table, String alias, SplicedSql template) {
      return new Scan(List.of(new Part(table, alias, null)), template);
    }
  }

  /** Thrown when co-located tables no longer share their shards' placements. */
  private static final class NotCoLocatedException extends Exception {
    NotCoLocatedException() {
      super(null, null, false, false);
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
   *     this way or co-located tables no longer share their placements, or null if there is
   *     none (a query that locks rows)
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
    List<List<ShardQuery>> queries = new ArrayList<>();
    try {
      for (Scan each : scans) {
        queries.add(shardQueries(each, parameters, snapshot, runtime.coordinatorNode()));
      }
    } catch (NotCoLocatedException e) {
      if (fallback == null) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "locking clauses are not"
            + " supported for joins of tables whose shards are no longer on the same nodes",
            null, "Lock the rows of one table at a time.");
      }
      return fallback.execute(parameters, runtime);
    }
    if (coordinator == null) {
      return StatementResult.ofRows(lockRows ? runtime.read(queries.get(0), true, runtime.valueReader())
          : runtime.stream(queries.get(0)));
    }
    List<RowSet> rows = new ArrayList<>();
    for (List<ShardQuery> each : queries) {
      rows.add(runtime.read(each, false, RowSet::readText));
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

  /**
   * Returns the shard queries of {@code scan}: one per shard (or co-located shard group) left
   * by pruning, or one on the tables' empty shells on the coordinator if none is left.
   */
  private static List<ShardQuery> shardQueries(Scan scan, List<Object> parameters,
      CatalogSnapshot snapshot, NodeAddress coordinatorNode) throws SQLException,
      NotCoLocatedException {
    List<DistributedTable> tables = new ArrayList<>();
    for (Part each : scan.parts()) {
      tables.add(snapshot.table(each.table()).orElseThrow());
    }
    DistributedTable leader = tables.get(RouterPlanner.leader(tables));
    for (DistributedTable each : tables) {
      if (each != leader && !each.isReference() && !RouterPlanner.sameLayout(leader, each)) {
        throw new NotCoLocatedException();
      }
    }
    List<Object> bound = scan.template().bind(parameters);
    List<Integer> indexes = shardIndexes(scan, tables, parameters);
    if (indexes.isEmpty()) {
      // The tables' empty shells give the columns, and the aggregates of no rows.
      List<String> shells = tables.stream().map(each -> each.name().quoted()).toList();
      return List.of(new ShardQuery(null, List.of(coordinatorNode), withTables(scan, shells),
          bound));
    }
    List<ShardQuery> result = new ArrayList<>(indexes.size());
    for (int index : indexes) {
      List<Shard> shards = tables.stream().map(each -> each.shardInGroup(index)).toList();
      List<NodeAddress> nodes = RouterPlanner.commonNodes(shards);
      if (nodes.isEmpty()) {
        throw new NotCoLocatedException();
      }
      result.add(new ShardQuery(leader.shardInGroup(index).id(), nodes, withTables(scan,
          shards.stream().map(each -> each.shardName().quoted()).toList()), bound));
    }
    return result;
  }

  /** Returns the indexes of the shards (of every part alike) that pruning leaves. */
  private static List<Integer> shardIndexes(Scan scan, List<DistributedTable> tables,
      List<Object> parameters) throws SQLException {
    Set<Integer> left = new TreeSet<>();
    for (int i = 0; i < tables.get(RouterPlanner.leader(tables)).shards().size(); i++) {
      left.add(i);
    }
    for (int i = 0; i < tables.size(); i++) {
      DistributedTable table = tables.get(i);
      if (table.isReference() && i != RouterPlanner.leader(tables)) {
        continue; // every shard group reads its one shard
      }
      List<Shard> kept = prune(scan.parts().get(i), table, parameters);
      left.retainAll(kept.stream().map(each -> table.shards().indexOf(each)).toList());
    }
    return List.copyOf(left);
  }

  private static List<Shard> prune(Part part, DistributedTable table, List<Object> parameters)
      throws SQLException {
    if (part.pruning() == null) {
      return table.shards();
    }
    try {
      return ShardPruner.prune(table,
          PartitionPredicates.extract(part.pruning(), table.partitionColumn()), parameters);
    } catch (IllegalArgumentException e) {
      throw SparErrors.invalidValue(e);
    }
  }

  /** Returns the template with each part's place filled by {@code relations}, in part order. */
  private static String withTables(Scan scan, List<String> relations) {
    String text = scan.template().sql();
    for (int i = 0; i < relations.size(); i++) {
      Part part = scan.parts().get(i);
      text = text.replace(marker(i), part.alias() != null ? relations.get(i)
          : relations.get(i) + " AS " + SqlQuoting.identifier(part.table().name()));
    }
    return text;
  }

  /** Returns EXPLAIN's lines for the plan with {@code parameters}. */
  public List<String> explain(List<Object> parameters, CatalogSnapshot snapshot)
      throws SQLException {
    List<String> lines = new ArrayList<>();
    lines.add("Multi-shard Query, " + strategy.description());
    for (Scan each : scans) {
      List<String> relations = new ArrayList<>();
      int left = -1;
      for (Part part : each.parts()) {
        DistributedTable table = snapshot.table(part.table()).orElseThrow();
        List<Shard> shards = prune(part, table, parameters);
        lines.add("  " + table.name() + ": " + shards.size() + " of " + table.shards().size()
            + " shards after pruning " + shards.stream().map(Shard::id).toList());
        relations.add(shards.isEmpty() ? table.name().quoted()
            : shards.get(0).shardName().quoted());
        if (!table.isReference() || each.parts().size() == 1) {
          left = left < 0 ? shards.size() : Math.min(left, shards.size());
        }
      }
      lines.add("    Sent to " + (left == 0 ? "the coordinator's empty tables"
          : left == 1 ? "the shard" : each.parts().size() > 1
              ? "each group of co-located shards, as to the first" : "each shard, as to the first")
          + ": " + withTables(each, relations));
    }
    if (coordinator != null) {
      lines.add("  Coordinator: " + coordinator.show());
    }
    return lines;
  }
}
