package io.spar.router;

import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.ShardWrite;
import io.spar.engine.execution.WriteClass;
import io.spar.engine.routing.PartitionConstraint;
import io.spar.engine.routing.PartitionValue;
import io.spar.engine.routing.ShardPruner;
import io.spar.outcome.SparErrors;
import java.sql.SQLException;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.parser.SparSqlInsert;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Router of modifications of a distributed table to the shards they change.
 *
 * <p>An INSERT is routed row by row by the value it gives the partition column, and its rows
 * are regrouped into one INSERT per shard. An UPDATE or DELETE is routed by the partition-column
 * predicates of its WHERE clause, to every shard they leave. The statement text reaches each
 * shard as written, with only the table name replaced (and, for INSERT, only that shard's rows).
 */
public final class ModificationRouter {
  private ModificationRouter() {
  }

  /** Evaluator of a partition value that is an expression rather than a constant. */
  @FunctionalInterface
  public interface ExpressionEvaluator {
    /** Returns the value of expression {@code node} of the statement. */
    Object evaluate(SqlNode node) throws SQLException;
  }

  /**
   * Returns the shard writes for {@code statement} with {@code parameters}; none if it can
   * change no row.
   *
   * @param columns the target table's columns in order, for an INSERT without a column list
   * @param types the target table's column types, which decide an UPDATE's write class
   * @param evaluated the expressions the coordinator evaluated, each replaced by a parameter
   *     (beyond the statement's own) that holds its value
   * @param spliced the caller's cache of shard texts that do not depend on parameter values
   */
  public static List<ShardWrite> plan(SqlNode statement, TableReference target,
      DistributedTable table, List<String> columns, ColumnTypes types, ShardSqlSplicer splicer,
      List<Object> parameters, Map<SqlNode, Replacement> evaluated,
      ExpressionEvaluator evaluator, Map<Long, SplicedSql> spliced) throws SQLException {
    return plan(statement, target, table, List.of(), columns, types, splicer, parameters,
        evaluated, evaluator, spliced);
  }

  /**
   * A distributed table co-located with the target that the modification reads shard by
   * shard: joined to the target on their distribution columns by an UPDATE's FROM or a
   * DELETE's USING, or read by the query of an INSERT … SELECT whose rows keep their shard
   * (the first such table prunes the shards). Each shard of the target is modified with the
   * shard of this table at the same index, which holds the same hash interval.
   *
   * @param reference the table's reference in the statement
   * @param table the table
   */
  public record Joined(TableReference reference, DistributedTable table) {
  }

  /**
   * Returns the writes of a modification that reads {@code joined} co-located tables, as
   * {@link #plan(SqlNode, TableReference, DistributedTable, List, ColumnTypes, ShardSqlSplicer,
   * List, Map, ExpressionEvaluator, Map)} does for the target alone.
   */
  public static List<ShardWrite> plan(SqlNode statement, TableReference target,
      DistributedTable table, List<Joined> joined, List<String> columns, ColumnTypes types,
      ShardSqlSplicer splicer, List<Object> parameters, Map<SqlNode, Replacement> evaluated,
      ExpressionEvaluator evaluator, Map<Long, SplicedSql> spliced) throws SQLException {
    WriteClass writeClass = WriteClassifier.classify(statement, types, parameters);
    if (!table.hasShards()) {
      throw SparErrors.error(SparErrors.OBJECT_NOT_IN_PREREQUISITE_STATE,
          "could not find any shards",
          "No shards exist for distributed table \"" + table.name().name() + "\".",
          "Run master_create_worker_shards to create shards and try again.");
    }
    checkPartitionColumnUnchanged(statement, table);
    List<Shard> shards;
    if (statement instanceof SqlInsert insert && joined.isEmpty()) {
      return planInsert(insert, target, table, columns, splicer, parameters, evaluated,
          evaluator, writeClass, spliced);
    } else if (statement instanceof SqlInsert) {
      // INSERT … SELECT from co-located tables: the query's filter on its tables prunes
      // (a reference table's, on every shard group alike, cannot).
      Joined source = joined.stream().filter(each -> !each.table().isReference()).findFirst()
          .orElseThrow();
      shards = new ArrayList<>();
      for (Shard each : prune(source.table(), PartitionPredicates.extract(source.reference(),
          source.table().partitionColumn()), parameters)) {
        shards.add(table.shards().get(source.table().shards().indexOf(each)));
      }
    } else {
      shards = prune(table, PartitionPredicates.extract(target, table.partitionColumn()),
          parameters);
    }
    List<ShardWrite> writes = new ArrayList<>();
    for (Shard each : shards) {
      Map<SqlNode, Replacement> replacements = shardReplacements(statement, target, each,
          evaluated);
      int index = table.shards().indexOf(each);
      List<Long> read = new ArrayList<>();
      for (Joined other : joined) {
        Shard otherShard = other.table().shardInGroup(index);
        requireCoPlaced(each, otherShard, other.table());
        replacements.put(other.reference().identifier(),
            Replacement.text(RouterPlanner.shardReference(other.reference(), otherShard)));
        read.add(otherShard.id());
      }
      SplicedSql sql = evaluated.isEmpty()
          ? spliced.computeIfAbsent(each.id(), id -> splicer.splice(replacements))
          : splicer.splice(replacements);
      writes.add(ShardWrite.single(each, sql.sql(), sql.bind(parameters), writeClass)
          .reading(read));
    }
    return writes;
  }

  /** Refuses a join whose shard {@code other} is missing beside a placement of {@code shard}. */
  private static void requireCoPlaced(Shard shard, Shard other, DistributedTable otherTable)
      throws SQLException {
    if (otherTable.isReference() && shard.finalizedPlacements().size() > 1) {
      // Each placement would read its own node's copy, which a concurrent write to the
      // reference table may have reached on one node and not yet on the other.
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot join reference table"
          + " \"" + otherTable.name().name() + "\" in a modification of shard " + shard.id()
          + ", which has " + shard.finalizedPlacements().size() + " placements", "Only"
          + " shards with one placement can read a reference table while they are modified.",
          null);
    }
    List<NodeAddress> nodes = other.finalizedPlacements().stream()
        .map(ShardPlacement::node).toList();
    for (ShardPlacement each : shard.finalizedPlacements()) {
      if (!nodes.contains(each.node())) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot join distributed table"
            + " \"" + otherTable.name().name() + "\" in a modification: its shard "
            + other.id() + " has no placement on " + each.node() + " beside shard "
            + shard.id(), "Co-located tables must keep their shards' placements on the same"
            + " nodes.", null);
      }
    }
  }

  /** Returns the replacements for {@code shard}: its name, and its constraint names. */
  private static Map<SqlNode, Replacement> shardReplacements(SqlNode statement,
      TableReference target, Shard shard, Map<SqlNode, Replacement> evaluated) {
    Map<SqlNode, Replacement> replacements = new IdentityHashMap<>(evaluated);
    replacements.put(target.identifier(),
        Replacement.text(RouterPlanner.shardReference(target, shard)));
    if (statement instanceof SparSqlInsert insert && insert.getOnConflict() != null
        && insert.getOnConflict().getConstraint() != null) {
      SqlIdentifier constraint = insert.getOnConflict().getConstraint();
      replacements.put(constraint, Replacement.text(
          SqlQuoting.identifier(constraint.getSimple() + "_" + shard.id())));
    }
    return replacements;
  }

  private static void checkPartitionColumnUnchanged(SqlNode statement, DistributedTable table)
      throws SQLException {
    SqlNodeList targets = statement instanceof SqlUpdate update ? update.getTargetColumnList()
        : statement instanceof SparSqlInsert insert && insert.getOnConflict() != null
            ? insert.getOnConflict().getTargetColumnList() : null;
    if (targets == null) {
      return;
    }
    for (SqlNode each : targets) {
      List<String> names = ((SqlIdentifier) each).names;
      if (names.get(names.size() - 1).equals(table.partitionColumn())) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
            "modifying the partition value of rows is not allowed");
      }
    }
  }

  private static List<ShardWrite> planInsert(SqlInsert insert, TableReference target,
      DistributedTable table, List<String> columns, ShardSqlSplicer splicer,
      List<Object> parameters, Map<SqlNode, Replacement> evaluated,
      ExpressionEvaluator evaluator, WriteClass writeClass, Map<Long, SplicedSql> spliced)
      throws SQLException {
    SqlNode source = insert.getSource();
    if (!table.hasPartitionColumn() && insert instanceof SparSqlInsert spar
        && spar.isDefaultValues()) {
      Shard only = table.shards().get(0);
      SplicedSql sql = splicer.splice(shardReplacements(insert, target, only, evaluated));
      return List.of(ShardWrite.single(only, sql.sql(), sql.bind(parameters), writeClass));
    }
    if (insert instanceof SparSqlInsert spar && spar.isDefaultValues()) {
      // DEFAULT VALUES is left as written only when no default fills the partition column.
      throw SparErrors.error("22004",
          "cannot plan INSERT using row with NULL value in partition column");
    }
    if (source.getKind() != SqlKind.VALUES) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "INSERT … SELECT into a distributed table is not supported");
    }
    int index = partitionColumnIndex(insert, table, columns);
    List<SqlNode> rows = ((SqlBasicCall) source).getOperandList();
    Map<Shard, List<Integer>> rowsByShard = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      if (!table.hasPartitionColumn()) {
        // Its one shard takes every row, whatever its values.
        rowsByShard.computeIfAbsent(table.shards().get(0), k -> new ArrayList<>()).add(i);
        continue;
      }
      Object value = index < 0 ? null
          : rowValue((SqlBasicCall) rows.get(i), index, parameters, evaluated, evaluator);
      if (value == null) {
        throw SparErrors.error("22004",
            "cannot plan INSERT using row with NULL value in partition column");
      }
      rowsByShard.computeIfAbsent(shardFor(table, value), k -> new ArrayList<>()).add(i);
    }
    List<ShardWrite> writes = new ArrayList<>();
    // A one-row INSERT without coordinator-evaluated values has the same text for every
    // execution on a shard, so batches splice it once per shard.
    boolean cacheable = rows.size() == 1 && evaluated.isEmpty();
    for (Map.Entry<Shard, List<Integer>> each : rowsByShard.entrySet()) {
      SplicedSql sql = cacheable
          ? spliced.computeIfAbsent(each.getKey().id(), id -> splicer.spliceRows(
              shardReplacements(insert, target, each.getKey(), evaluated), rows, List.of(0)))
          : splicer.spliceRows(shardReplacements(insert, target, each.getKey(), evaluated), rows,
              each.getValue());
      writes.add(ShardWrite.rows(each.getKey(), sql.sql(), sql.bind(parameters), writeClass,
          each.getValue().stream().mapToInt(Integer::intValue).toArray()));
    }
    return writes;
  }

  /**
   * Returns the shard that {@code plan} routes a one-row {@code INSERT … VALUES} with
   * {@code parameters} to, where the row's partition value is a parameter or a constant and no
   * value of it is evaluated at the coordinator; otherwise null, and only {@code plan} can tell
   * (or report the error). A batch routes each of its rows with this, at the cost of one hash.
   */
  public static Shard insertRowShard(SqlInsert insert, DistributedTable table,
      List<String> columns, List<Object> parameters) throws SQLException {
    if (!table.hasPartitionColumn() || insert.getSource().getKind() != SqlKind.VALUES
        || insert instanceof SparSqlInsert spar && spar.isDefaultValues()) {
      return null;
    }
    List<SqlNode> rows = ((SqlBasicCall) insert.getSource()).getOperandList();
    int index = partitionColumnIndex(insert, table, columns);
    if (rows.size() != 1 || index < 0 || index >= ((SqlBasicCall) rows.get(0)).operandCount()) {
      return null;
    }
    Optional<PartitionValue> value = PartitionPredicates.value(
        ((SqlBasicCall) rows.get(0)).operand(index));
    Object resolved = value.isPresent() ? value.get().resolve(parameters) : null;
    return resolved == null ? null : shardFor(table, resolved);
  }

  /**
   * Returns the text of a plain one-row {@code INSERT … VALUES} on {@code shard} (no ON
   * CONFLICT, no RETURNING, nothing evaluated at the coordinator) split around its row, so
   * that a batch's rows go to the shard as multi-row INSERTs; null if the statement is not
   * one, or has parameter markers outside its row.
   */
  public static ShardWrite.RowsText insertRowsText(SqlInsert insert, TableReference target,
      Shard shard, ShardSqlSplicer splicer) {
    if (!(insert instanceof SparSqlInsert spar) || spar.getOnConflict() != null
        || spar.isDefaultValues() || ModificationAnalysis.returning(insert) != null
        || insert.getSource().getKind() != SqlKind.VALUES
        || ((SqlBasicCall) insert.getSource()).operandCount() != 1) {
      return null;
    }
    List<SplicedSql> parts = splicer.spliceAroundRow(
        shardReplacements(insert, target, shard, Map.of()),
        ((SqlBasicCall) insert.getSource()).operand(0));
    if (parts.get(0).parameterOrder().length > 0 || parts.get(2).parameterOrder().length > 0) {
      return null;
    }
    return new ShardWrite.RowsText(parts.get(0).sql(), parts.get(1).sql(), parts.get(2).sql());
  }

  private static Shard shardFor(DistributedTable table, Object value) throws SQLException {
    List<Shard> matching = prune(table,
        new PartitionConstraint.Equals(new PartitionValue.Constant(value)), List.of());
    if (matching.isEmpty()) {
      throw SparErrors.error(SparErrors.OBJECT_NOT_IN_PREREQUISITE_STATE,
          "could not find shard for partition column value", null,
          "Create a shard whose range holds the value and try again.");
    }
    return matching.get(0);
  }

  private static int partitionColumnIndex(SqlInsert insert, DistributedTable table,
      List<String> columns) {
    SqlNodeList targets = insert.getTargetColumnList();
    if (targets == null) {
      return columns.indexOf(table.partitionColumn());
    }
    for (int i = 0; i < targets.size(); i++) {
      if (((SqlIdentifier) targets.get(i)).getSimple().equals(table.partitionColumn())) {
        return i;
      }
    }
    return -1;
  }

  private static Object rowValue(SqlBasicCall row, int index, List<Object> parameters,
      Map<SqlNode, Replacement> evaluated, ExpressionEvaluator evaluator) throws SQLException {
    if (index >= row.operandCount()) {
      return null;
    }
    SqlNode node = row.operand(index);
    if (evaluated.containsKey(node)) {
      return parameters.get(evaluated.get(node).parameterIndex());
    }
    Optional<PartitionValue> value = PartitionPredicates.value(node);
    if (value.isPresent()) {
      return value.get().resolve(parameters);
    }
    if (node instanceof SqlLiteral literal && literal.getValue() == null) {
      return null;
    }
    return evaluator.evaluate(node);
  }

  private static List<Shard> prune(DistributedTable table, PartitionConstraint constraint,
      List<Object> parameters) throws SQLException {
    try {
      return ShardPruner.prune(table, constraint, parameters);
    } catch (IllegalArgumentException e) {
      throw SparErrors.invalidValue(e);
    }
  }
}
