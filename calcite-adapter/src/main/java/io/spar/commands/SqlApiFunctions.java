package io.spar.commands;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.ValueForm;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.engine.operations.DistributionOperations;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.SplicedSql;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import io.spar.engine.execution.SessionConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.calcite.sql.SqlNode;

/**
 * pg_shard's SQL API, called as {@code SELECT f(...)} through a Spar connection.
 *
 * <p>Arguments are evaluated by the coordinator, so any PostgreSQL expression or parameter
 * works as an argument, with PostgreSQL's own casts and errors.
 */
public final class SqlApiFunctions {
  /** Names of the functions this class carries out. */
  public static final Set<String> NAMES = Set.of("master_add_node",
      "master_create_distributed_table", "master_create_worker_shards",
      "master_create_empty_shard", "get_shard_id_for_distribution_column",
      "master_copy_shard_placement", "master_append_table_to_shard",
      "master_move_shard_placement");

  private final DistributionOperations operations;
  private final CoordinatorExecutor coordinator;
  private final SessionConnections connections;
  private final Supplier<DistributedTransaction> transaction;
  private final Runnable catalogChanged;

  /**
   * Creates the functions over an engine's operations and a session's coordinator; functions
   * that change placements and the catalog together do it in the transaction
   * {@code transaction} returns, and call {@code catalogChanged} so that the session's cache
   * drops the catalog when it commits.
   */
  public SqlApiFunctions(DistributionOperations operations, CoordinatorExecutor coordinator,
      SessionConnections connections, Supplier<DistributedTransaction> transaction,
      Runnable catalogChanged) {
    this.operations = operations;
    this.coordinator = coordinator;
    this.connections = connections;
    this.transaction = transaction;
    this.catalogChanged = catalogChanged;
  }

  /** Carries out {@code call}, whose arguments are text of {@code splicer}'s statement. */
  public StatementResult execute(SqlApiCall call, ShardSqlSplicer splicer, List<Object> parameters)
      throws SQLException {
    Object[] args = evaluate(call.arguments(), splicer, parameters);
    return switch (call.function()) {
      case "master_add_node" -> {
        arity(call, args, 2, 2);
        operations.addNode(coordinatorConnection(), new NodeAddress(text(args[0]), integer(args[1])));
        yield voidResult(call.function());
      }
      case "master_create_distributed_table" -> {
        arity(call, args, 3, 3);
        operations.createDistributedTable(coordinatorConnection(), text(args[0]), text(args[1]),
            text(args[2]));
        yield voidResult(call.function());
      }
      case "master_create_worker_shards" -> {
        arity(call, args, 2, 4);
        operations.createWorkerShards(coordinatorConnection(), text(args[0]), integer(args[1]),
            args.length > 2 ? integer(args[2]) : 2, args.length > 3 && bool(args[3]));
        yield voidResult(call.function());
      }
      case "master_create_empty_shard" -> {
        arity(call, args, 1, 2);
        long id = operations.createEmptyShard(coordinatorConnection(), text(args[0]),
            args.length > 1 ? integer(args[1]) : 1);
        yield bigintResult(call.function(), id);
      }
      case "master_copy_shard_placement" -> copyShardPlacement(call, args);
      case "master_move_shard_placement" -> {
        arity(call, args, 5, 6);
        requireArguments(call, args, 5);
        operations.moveShardPlacement(transaction.get(), bigint(args[0]),
            new NodeAddress(text(args[1]), integer(args[2])),
            new NodeAddress(text(args[3]), integer(args[4])),
            args.length > 5 ? text(args[5]) : null);
        catalogChanged.run();
        yield voidResult(call.function());
      }
      case "master_append_table_to_shard" -> {
        arity(call, args, 4, 4);
        if (args[3] == null) {
          throw SparErrors.error(SparErrors.INVALID_PARAMETER_VALUE,
              "arguments of " + call.function() + " must not be NULL");
        }
        Object[] fill = operations.appendTableToShard(transaction.get(), bigint(args[0]),
            text(args[1]), new NodeAddress(text(args[2]), integer(args[3])));
        catalogChanged.run();
        // A session that reads PostgreSQL's text forms gets the ratio as PostgreSQL prints it.
        yield StatementResult.ofRows(new RowSet(List.of(resultColumn(call.function())),
            rowOf(connections.valueForm() == ValueForm.TEXT ? fill[1] : fill[0])));
      }
      default -> {
        arity(call, args, 2, 2);
        yield bigintResult(call.function(),
            operations.shardIdForValue(coordinatorConnection(), text(args[0]), args[1]).orElse(null));
      }
    };
  }

  private StatementResult copyShardPlacement(SqlApiCall call, Object[] args)
      throws SQLException {
    arity(call, args, 5, 5);
    requireArguments(call, args, 5);
    operations.copyShardPlacement(coordinatorConnection(), bigint(args[0]),
        new NodeAddress(text(args[1]), integer(args[2])),
        new NodeAddress(text(args[3]), integer(args[4])));
    return voidResult(call.function());
  }

  /** Refuses NULL among the first {@code count} arguments (arity checks only three). */
  private static void requireArguments(SqlApiCall call, Object[] args, int count)
      throws SQLException {
    for (int i = 3; i < count; i++) {
      if (args[i] == null) {
        throw SparErrors.error(SparErrors.INVALID_PARAMETER_VALUE,
            "arguments of " + call.function() + " must not be NULL");
      }
    }
  }

  private Object[] evaluate(List<SqlNode> arguments, ShardSqlSplicer splicer,
      List<Object> parameters) throws SQLException {
    if (arguments.isEmpty()) {
      return new Object[0];
    }
    List<String> texts = new ArrayList<>();
    List<Object> bound = new ArrayList<>();
    for (SqlNode each : arguments) {
      SplicedSql argument = splicer.text(each);
      texts.add(argument.sql());
      bound.addAll(argument.bind(parameters));
    }
    return coordinator.firstRow("SELECT " + String.join(", ", texts), bound);
  }

  private static void arity(SqlApiCall call, Object[] args, int min, int max) throws SQLException {
    if (args.length < min || args.length > max) {
      throw SparErrors.error("42883", "function " + call.function() + " with " + args.length
          + " arguments does not exist", null,
          "No function matches the given name and argument types.");
    }
    for (Object each : Arrays.asList(args).subList(0, Math.min(args.length, 3))) {
      if (each == null) {
        throw SparErrors.error(SparErrors.INVALID_PARAMETER_VALUE,
            "arguments of " + call.function() + " must not be NULL");
      }
    }
  }

  private static String text(Object value) {
    return value.toString();
  }

  private static int integer(Object value) throws SQLException {
    if (value instanceof Number number) {
      return number.intValue();
    }
    try {
      return Integer.parseInt(value.toString().trim());
    } catch (NumberFormatException e) {
      throw SparErrors.error(SparErrors.INVALID_TEXT_REPRESENTATION,
          "invalid input syntax for type integer: \"" + value + "\"");
    }
  }

  private static long bigint(Object value) throws SQLException {
    if (value instanceof Number number) {
      return number.longValue();
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw SparErrors.error(SparErrors.INVALID_TEXT_REPRESENTATION,
          "invalid input syntax for type bigint: \"" + value + "\"");
    }
  }

  private static boolean bool(Object value) {
    return value instanceof Boolean b ? b : Set.of("t", "true", "on", "yes", "1")
        .contains(value.toString().trim().toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * Returns the one column a call of {@code function} answers with, as PostgreSQL would
   * describe the call before running it: {@code bigint} for the functions that return a shard
   * id, {@code real} for an append's fill ratio, {@code void} for the others.
   */
  public static ColumnInfo resultColumn(String function) {
    return switch (function) {
      case "master_create_empty_shard", "get_shard_id_for_distribution_column" ->
          new ColumnInfo(function, Types.BIGINT, "int8", 19, 0, 1, "java.lang.Long");
      case "master_append_table_to_shard" ->
          new ColumnInfo(function, Types.REAL, "float4", 8, 8, 1, "java.lang.Float");
      default -> new ColumnInfo(function, Types.OTHER, "void", 0, 0, 1, "java.lang.String");
    };
  }

  private static StatementResult voidResult(String function) {
    return StatementResult.ofRows(new RowSet(List.of(resultColumn(function)), rowOf("")));
  }

  private static StatementResult bigintResult(String function, Long value) {
    return StatementResult.ofRows(new RowSet(List.of(resultColumn(function)), rowOf(value)));
  }

  private static List<Object[]> rowOf(Object value) {
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {value});
    return rows;
  }

  private Connection coordinatorConnection() throws SQLException {
    return connections.coordinator();
  }
}
