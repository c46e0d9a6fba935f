package io.spar.router;

import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.Shard;
import io.spar.engine.execution.ShardWrite;
import io.spar.engine.routing.PartitionConstraint;
import io.spar.engine.routing.PartitionValue;
import io.spar.engine.routing.ShardPruner;
import io.spar.session.SparErrors;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;

/**
 * Router of modifications of a distributed table to the one shard they change.
 *
 * <p>An INSERT is routed by the value it gives the partition column; an UPDATE or DELETE by
 * the equality on the partition column in its WHERE clause. The statement text reaches the
 * shard as written, with only the table name replaced.
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
   * Returns the write for {@code statement} on its one shard, or empty if it can change no row.
   *
   * @param columns the target table's columns in order, for an INSERT without a column list
   */
  public static Optional<ShardWrite> plan(SqlNode statement, TableReference target,
      DistributedTable table, List<String> columns, ShardSqlSplicer splicer,
      List<Object> parameters, ExpressionEvaluator evaluator) throws SQLException {
    if (!table.hasShards()) {
      throw SparErrors.error(SparErrors.OBJECT_NOT_IN_PREREQUISITE_STATE, "could not find any shards",
          "No shards exist for distributed table \"" + table.name().name() + "\".",
          "Run master_create_worker_shards to create shards and try again.");
    }
    List<Shard> shards = statement instanceof SqlInsert insert
        ? insertShards(insert, table, columns, parameters, evaluator)
        : shardsOfWhere(statement, target, table, parameters);
    if (shards.isEmpty()) {
      return Optional.empty();
    }
    if (shards.size() > 1) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "cannot modify multiple shards during a single query");
    }
    Shard shard = shards.get(0);
    String sql = splicer.splice(Map.of(target.identifier(),
        RouterPlanner.shardReference(target, shard)));
    return Optional.of(new ShardWrite(shard, sql, parameters));
  }

  private static List<Shard> shardsOfWhere(SqlNode statement, TableReference target,
      DistributedTable table, List<Object> parameters) throws SQLException {
    if (statement instanceof SqlUpdate update) {
      for (SqlNode each : update.getTargetColumnList()) {
        if (((SqlIdentifier) each).names.get(((SqlIdentifier) each).names.size() - 1)
            .equals(table.partitionColumn())) {
          throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
              "modifying the partition value of rows is not allowed");
        }
      }
    }
    PartitionConstraint constraint = PartitionPredicates.extract(target, table.partitionColumn());
    return prune(table, constraint, parameters);
  }

  private static List<Shard> insertShards(SqlInsert insert, DistributedTable table,
      List<String> columns, List<Object> parameters, ExpressionEvaluator evaluator)
      throws SQLException {
    int index = partitionColumnIndex(insert, table, columns);
    SqlNode source = insert.getSource();
    if (source.getKind() != SqlKind.VALUES) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "INSERT … SELECT into a distributed table is not supported");
    }
    Set<Long> seen = new HashSet<>();
    List<Shard> shards = new java.util.ArrayList<>();
    for (SqlNode row : ((SqlBasicCall) source).getOperandList()) {
      Object value = index < 0 ? null : rowValue((SqlBasicCall) row, index, parameters, evaluator);
      if (value == null) {
        throw SparErrors.error("22004",
            "cannot plan INSERT using row with NULL value in partition column");
      }
      List<Shard> matching = prune(table,
          new PartitionConstraint.Equals(new PartitionValue.Constant(value)), List.of());
      if (matching.isEmpty()) {
        throw SparErrors.error(SparErrors.OBJECT_NOT_IN_PREREQUISITE_STATE,
            "could not find shard for partition column value", null,
            "Create a shard whose range holds the value and try again.");
      }
      if (seen.add(matching.get(0).id())) {
        shards.add(matching.get(0));
      }
    }
    return shards;
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
      ExpressionEvaluator evaluator) throws SQLException {
    if (index >= row.operandCount()) {
      return null;
    }
    SqlNode node = row.operand(index);
    Optional<PartitionValue> value = PartitionPredicates.value(node);
    if (value.isPresent()) {
      return value.get().resolve(parameters);
    }
    if (node instanceof org.apache.calcite.sql.SqlLiteral literal && literal.getValue() == null) {
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
