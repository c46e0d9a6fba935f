package io.spar.commands;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.ValueForm;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.engine.operations.DistributionOperations;
import io.spar.engine.operations.RebalancePlanner;
import io.spar.engine.operations.Rebalancer;
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
import java.util.Optional;
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
      "master_move_shard_placement", "rebalance_table_shards", "get_rebalance_table_shards_plan",
      "master_drain_node", "master_remove_node", "create_reference_table",
      "spar_schema_move", "spar_schema_distribute", "spar_schema_undistribute",
      "spar_schemas");

  private final DistributionOperations operations;
  private final CoordinatorExecutor coordinator;
  private final SessionConnections connections;
  private final Supplier<DistributedTransaction> transaction;
  private final Runnable catalogChanged;
  private final Runnable placementsChanged;
  private final Rebalancer.Mover mover;

  /**
   * Creates the functions over an engine's operations and a session's coordinator; functions
   * that change placements and the catalog together do it in the transaction
   * {@code transaction} returns, and call {@code catalogChanged} so that the session's cache
   * drops the catalog when it commits, or {@code placementsChanged} if they changed placements
   * only (then sessions keep their plans). Functions that move several shards run each move
   * with {@code mover}, as a statement of its own.
   */
  public SqlApiFunctions(DistributionOperations operations, CoordinatorExecutor coordinator,
      SessionConnections connections, Supplier<DistributedTransaction> transaction,
      Runnable catalogChanged, Runnable placementsChanged, Rebalancer.Mover mover) {
    this.operations = operations;
    this.coordinator = coordinator;
    this.connections = connections;
    this.transaction = transaction;
    this.catalogChanged = catalogChanged;
    this.placementsChanged = placementsChanged;
    this.mover = mover;
  }

  /** Carries out {@code call}, whose arguments are text of {@code splicer}'s statement. */
  public StatementResult execute(SqlApiCall call, ShardSqlSplicer splicer, List<Object> parameters)
      throws SQLException {
    Object[] args = evaluate(call.arguments(), splicer, parameters);
    if (call.function().equals("master_create_distributed_table")) {
      return createDistributedTable(call, args);
    }
    if (call.argumentNames().stream().anyMatch(java.util.Objects::nonNull)) {
      throw SparErrors.error("42883", "function " + call.function() + " does not take"
          + " arguments by name", null, "Give its arguments by position.");
    }
    return switch (call.function()) {
      case "master_add_node" -> {
        arity(call, args, 2, 2);
        operations.addNode(coordinatorConnection(), new NodeAddress(text(args[0]), integer(args[1])));
        yield voidResult(call);
      }
      case "create_reference_table" -> {
        arity(call, args, 1, 1);
        operations.createReferenceTable(coordinatorConnection(), text(args[0]));
        yield voidResult(call);
      }
      case "master_create_worker_shards" -> {
        arity(call, args, 2, 4);
        operations.createWorkerShards(coordinatorConnection(), text(args[0]), integer(args[1]),
            args.length > 2 ? integer(args[2]) : 2, args.length > 3 && bool(args[3]));
        yield voidResult(call);
      }
      case "master_create_empty_shard" -> {
        arity(call, args, 1, 2);
        long id = operations.createEmptyShard(coordinatorConnection(), text(args[0]),
            args.length > 1 ? integer(args[1]) : 1);
        yield bigintResult(call, id);
      }
      case "master_copy_shard_placement" -> copyShardPlacement(call, args);
      case "master_move_shard_placement" -> {
        arity(call, args, 5, 6);
        requireArguments(call, args, 5);
        operations.moveShardPlacement(transaction.get(), bigint(args[0]),
            new NodeAddress(text(args[1]), integer(args[2])),
            new NodeAddress(text(args[3]), integer(args[4])),
            args.length > 5 ? optionalText(args[5]) : null);
        placementsChanged.run();
        yield voidResult(call);
      }
      case "spar_schema_distribute" -> {
        arity(call, args, 1, 1);
        requireNoBlock(call); // it commits on the coordinator as it goes
        operations.distributeSchema(coordinatorConnection(), text(args[0]));
        yield voidResult(call);
      }
      case "spar_schema_undistribute" -> {
        arity(call, args, 1, 1);
        operations.undistributeSchema(transaction.get(), text(args[0]));
        catalogChanged.run();
        yield voidResult(call);
      }
      case "spar_schema_move" -> {
        arity(call, args, 3, 4);
        requireArguments(call, args, 3);
        operations.moveSchema(transaction.get(), text(args[0]),
            new NodeAddress(text(args[1]), integer(args[2])),
            args.length > 3 ? optionalText(args[3]) : null);
        placementsChanged.run();
        yield voidResult(call);
      }
      case "rebalance_table_shards" -> {
        count(call, args, 0, 3);
        requireNoBlock(call);
        operations.rebalance(connections.coordinatorNode(), relation(args, 0),
            args.length > 1 && args[1] != null ? integer(args[1]) : Integer.MAX_VALUE,
            args.length > 2 ? optionalText(args[2]) : null, mover);
        placementsChanged.run();
        yield voidResult(call);
      }
      case "spar_schemas" -> {
        count(call, args, 0, 0);
        requireInFrom(call);
        yield StatementResult.ofRows(new RowSet(resultColumns(call), schemaRows()));
      }
      case "get_rebalance_table_shards_plan" -> {
        count(call, args, 0, 1);
        requireInFrom(call);
        List<Object[]> rows = new ArrayList<>();
        for (RebalancePlanner.Move each : operations.rebalancePlan(connections.coordinatorNode(),
            relation(args, 0))) {
          rows.add(new Object[] {each.table().toString(), each.shardId(), each.source().host(),
              each.source().port(), each.target().host(), each.target().port()});
        }
        yield StatementResult.ofRows(new RowSet(resultColumns(call), rows));
      }
      case "master_drain_node" -> {
        arity(call, args, 2, 3);
        requireNoBlock(call);
        operations.drainNode(connections.coordinatorNode(),
            new NodeAddress(text(args[0]), integer(args[1])),
            args.length > 2 ? optionalText(args[2]) : null, mover);
        placementsChanged.run();
        yield voidResult(call);
      }
      case "master_remove_node" -> {
        arity(call, args, 2, 2);
        operations.removeNode(coordinatorConnection(),
            new NodeAddress(text(args[0]), integer(args[1])));
        catalogChanged.run();
        yield voidResult(call);
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
        yield StatementResult.ofRows(new RowSet(resultColumns(call),
            rowOf(connections.valueForm() == ValueForm.TEXT ? fill[1] : fill[0])));
      }
      default -> {
        arity(call, args, 2, 2);
        yield bigintResult(call,
            operations.shardIdForValue(coordinatorConnection(), text(args[0]), args[1]).orElse(null));
      }
    };
  }

  /**
   * pg_shard's three arguments, and Citus's {@code colocate_with} as a fourth, given by
   * position or by name ({@code colocate_with => 'other_table'}).
   */
  private StatementResult createDistributedTable(SqlApiCall call, Object[] args)
      throws SQLException {
    List<String> names = call.argumentNames();
    if (names.subList(0, Math.min(3, names.size())).stream().anyMatch(n -> n != null)
        || names.size() > 3 && names.get(3) != null && !names.get(3).equals("colocate_with")) {
      throw SparErrors.error("42883", "function " + call.function() + " has no such named"
          + " argument", null, "Only colocate_with may be given by name.");
    }
    arity(call, args, 3, 4);
    operations.createDistributedTable(coordinatorConnection(), text(args[0]), text(args[1]),
        text(args[2]), args.length > 3 ? optionalText(args[3]) : null);
    return voidResult(call);
  }

  private StatementResult copyShardPlacement(SqlApiCall call, Object[] args)
      throws SQLException {
    arity(call, args, 5, 5);
    requireArguments(call, args, 5);
    operations.copyShardPlacement(coordinatorConnection(), bigint(args[0]),
        new NodeAddress(text(args[1]), integer(args[2])),
        new NodeAddress(text(args[3]), integer(args[4])));
    return voidResult(call);
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
      SplicedSql argument = splicer.text(SqlApiCall.value(each));
      texts.add(argument.sql());
      bound.addAll(argument.bind(parameters));
    }
    return coordinator.firstRow("SELECT " + String.join(", ", texts), bound);
  }

  private static void arity(SqlApiCall call, Object[] args, int min, int max) throws SQLException {
    count(call, args, min, max);
    for (Object each : Arrays.asList(args).subList(0, Math.min(args.length, 3))) {
      if (each == null) {
        throw SparErrors.error(SparErrors.INVALID_PARAMETER_VALUE,
            "arguments of " + call.function() + " must not be NULL");
      }
    }
  }

  private static void count(SqlApiCall call, Object[] args, int min, int max)
      throws SQLException {
    if (args.length < min || args.length > max) {
      throw SparErrors.error("42883", "function " + call.function() + " with " + args.length
          + " arguments does not exist", null,
          "No function matches the given name and argument types.");
    }
  }

  /** Refuses a set-returning function called other than in FROM. */
  private static void requireInFrom(SqlApiCall call) throws SQLException {
    if (!call.inFrom()) {
      // PostgreSQL would return each row as one composite value.
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, call.function()
          + " must be called as SELECT * FROM " + call.function() + "(…)");
    }
  }

  /** Refuses a function that commits as it goes (one move at a time) in a transaction block. */
  private void requireNoBlock(SqlApiCall call) throws SQLException {
    if (transaction.get().isBlock()) {
      throw SparErrors.error("25001", call.function() + " cannot run inside a transaction block");
    }
  }

  /** Returns the distributed table named by argument {@code index}, if given and not NULL. */
  private Optional<Long> relation(Object[] args, int index) throws SQLException {
    if (args.length <= index || args[index] == null) {
      return Optional.empty();
    }
    return Optional.of(operations.distributedTable(coordinatorConnection(), text(args[index]))
        .relationId());
  }

  private static String optionalText(Object value) {
    return value == null ? null : value.toString();
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
   * Returns a row per distributed schema, as {@code spar_schemas} lists them: its name, its
   * node's host and port, its number of tables and their bytes on the node.
   */
  public List<Object[]> schemaRows() throws SQLException {
    return operations.schemas(coordinatorConnection());
  }

  /**
   * Returns the one column a call of {@code function} answers with, as PostgreSQL would
   * describe the call before running it: {@code bigint} for the functions that return a shard
   * id, {@code real} for an append's fill ratio, {@code void} for the others.
   */
  public static List<ColumnInfo> resultColumns(SqlApiCall call) {
    List<ColumnInfo> columns = resultColumns(call.function());
    if (columns.size() != 1) {
      return columns;
    }
    ColumnInfo only = columns.get(0);
    return List.of(new ColumnInfo(call.label(), only.jdbcType(), only.typeName(),
        only.precision(), only.scale(), only.nullable(), only.className()));
  }

  private static List<ColumnInfo> resultColumns(String function) {
    if (function.equals("get_rebalance_table_shards_plan")) {
      return List.of(textColumn("table_name"), bigintColumn("shardid"),
          textColumn("sourcename"), integerColumn("sourceport"), textColumn("targetname"),
          integerColumn("targetport"));
    }
    if (function.equals("spar_schemas")) {
      return List.of(textColumn("schema_name"), textColumn("node_name"),
          integerColumn("node_port"), bigintColumn("tables"), bigintColumn("bytes"));
    }
    return List.of(switch (function) {
      case "master_create_empty_shard", "get_shard_id_for_distribution_column" ->
          bigintColumn(function);
      case "master_append_table_to_shard" ->
          new ColumnInfo(function, Types.REAL, "float4", 8, 8, 1, "java.lang.Float");
      default -> new ColumnInfo(function, Types.OTHER, "void", 0, 0, 1, "java.lang.String");
    });
  }

  private static ColumnInfo textColumn(String name) {
    return new ColumnInfo(name, Types.VARCHAR, "text", Integer.MAX_VALUE, 0, 1,
        "java.lang.String");
  }

  private static ColumnInfo bigintColumn(String name) {
    return new ColumnInfo(name, Types.BIGINT, "int8", 19, 0, 1, "java.lang.Long");
  }

  private static ColumnInfo integerColumn(String name) {
    return new ColumnInfo(name, Types.INTEGER, "int4", 10, 0, 1, "java.lang.Integer");
  }

  private static StatementResult voidResult(SqlApiCall call) {
    return StatementResult.ofRows(new RowSet(resultColumns(call), rowOf("")));
  }

  private static StatementResult bigintResult(SqlApiCall call, Long value) {
    return StatementResult.ofRows(new RowSet(resultColumns(call), rowOf(value)));
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
