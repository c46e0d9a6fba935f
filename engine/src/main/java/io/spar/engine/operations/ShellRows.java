package io.spar.engine.operations;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.hashing.PartitionType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.postgresql.PGConnection;

/**
 * The rows a table held in the coordinator before it was distributed, moved into its shards
 * when they are created, as Citus's {@code create_distributed_table} moves them.
 *
 * <p>The coordinator's table of a distributed table (its "shell") must hold no rows: Spar never
 * reads it, and a trigger refuses writes that reach it without Spar's routing. The rows are read
 * once in the caller's coordinator transaction, with {@code ONLY} so that inheritance children
 * keep theirs, spooled per shard to temporary files (a connection runs one COPY at a time, and
 * a node holds many shards), written to every placement with COPY in worker transactions that
 * commit first, and deleted from the shell in the coordinator transaction, whose commit makes
 * the move and the new shards' metadata visible together. A failure before that commit leaves the shell as it
 * was (the caller drops the new shard tables).
 */
public final class ShellRows {
  /** The setting that lets Spar's own statements past the shell's guard trigger. */
  static final String BYPASS = "SELECT set_config('spar.shell_write', 'on', true)";
  private static final int FETCH_SIZE = 1000;

  /**
   * One shard that receives rows.
   *
   * @param shardName the shard table
   * @param nodes the nodes of its placements
   */
  public record Target(TableName shardName, List<NodeAddress> nodes) {
  }

  /** The connection a node's rows are written on, in a transaction its caller ends. */
  @FunctionalInterface
  public interface Writer {
    /** Returns the connection to {@code node}. */
    Connection connection(NodeAddress node) throws SQLException;
  }

  private final NodePools pools;
  private final StatementLog log;

  ShellRows(NodePools pools, StatementLog log) {
    this.pools = pools;
    this.log = log;
  }

  /**
   * Moves the rows of {@code table}'s shell into the {@code targets}: each row goes to the
   * target that {@code route} picks for its partition value (read as text into
   * {@code partitionType}), or the first target if there is no partition column (a reference
   * table); returns the number of rows moved.
   *
   * @throws OperationException 23502 if a row has no partition value
   */
  long move(Connection coordinator, long relationId, TableName table, String partitionColumn,
      PartitionType partitionType, List<Target> targets, ToIntFunction<Object> route)
      throws SQLException {
    return move(coordinator, relationId, table, partitionColumn, partitionType, targets, route,
        null);
  }

  /**
   * Moves the rows as {@link #move} does, but written on the connections {@code writer} gives,
   * in the caller's distributed transaction, which commits them with the shards that receive
   * them and the deletion from the shell (DDL that attaches a table with rows to a
   * distributed one).
   */
  public static long moveInTransaction(Connection coordinator, long relationId,
      TableName table, String partitionColumn, PartitionType partitionType,
      List<Target> targets, ToIntFunction<Object> route, Writer writer, StatementLog log)
      throws SQLException {
    return new ShellRows(null, log).move(coordinator, relationId, table, partitionColumn,
        partitionType, targets, route, writer);
  }

  private long move(Connection coordinator, long relationId, TableName table,
      String partitionColumn, PartitionType partitionType, List<Target> targets,
      ToIntFunction<Object> route, Writer writer) throws SQLException {
    List<String> columns = columns(coordinator, relationId);
    String columnList = String.join(", ", columns.stream().map(SqlQuoting::identifier).toList());
    // One COPY at a time per connection, one connection per node: the rows are read once and
    // spooled per shard, then copied shard by shard.
    Path spool = createSpool();
    Map<NodeAddress, Connection> connections = new LinkedHashMap<>();
    try {
      long rows = spoolRows(coordinator, table, columns, columns.indexOf(partitionColumn),
          partitionType, targets.size(), route, spool);
      for (int i = 0; i < targets.size(); i++) {
        Path file = spool.resolve(Integer.toString(i));
        if (!Files.exists(file)) {
          continue;
        }
        Target target = targets.get(i);
        String copy = "COPY " + target.shardName().quoted() + " (" + columnList + ") FROM STDIN";
        for (NodeAddress node : target.nodes()) {
          Connection worker = writer != null ? writer.connection(node) : connections.get(node);
          if (worker == null) {
            worker = pools.borrow(node);
            worker.setAutoCommit(false);
            connections.put(node, worker);
          }
          log.record(node, null, copy);
          try (InputStream in = Files.newInputStream(file)) {
            worker.unwrap(PGConnection.class).getCopyAPI().copyIn(copy, in);
          }
        }
      }
      for (Connection each : connections.values()) {
        each.commit();
      }
      try (Statement statement = coordinator.createStatement()) {
        statement.execute(BYPASS);
        statement.execute("DELETE FROM ONLY " + table.quoted());
        // Only this deletion passes the guard, not the rest of the transaction.
        statement.execute("SELECT set_config('spar.shell_write', 'off', true)");
      }
      return rows;
    } catch (IOException e) {
      throw new SQLException("could not spool the rows of " + table + ": " + e.getMessage(),
          "58030", e);
    } finally {
      for (Connection each : connections.values()) {
        if (!each.getAutoCommit()) {
          each.rollback();
          each.setAutoCommit(true);
        }
        each.close();
      }
      deleteSpool(spool);
    }
  }

  private static Path createSpool() throws SQLException {
    try {
      return Files.createTempDirectory("spar-shell-rows");
    } catch (IOException e) {
      throw new SQLException("could not create a spool directory: " + e.getMessage(), "58030",
          e);
    }
  }

  private static void deleteSpool(Path spool) {
    try (Stream<Path> files = Files.list(spool)) {
      for (Path each : files.toList()) {
        Files.deleteIfExists(each);
      }
      Files.deleteIfExists(spool);
    } catch (IOException e) {
      // A leftover file in the temporary directory is harmless.
    }
  }

  /** Reads the shell's rows once and writes each to the spool file of its target. */
  private long spoolRows(Connection coordinator, TableName table, List<String> columns,
      int partitionIndex, PartitionType partitionType, int targets, ToIntFunction<Object> route,
      Path spool) throws SQLException, IOException {
    StringBuilder select = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      select.append(i == 0 ? "" : ", ").append(SqlQuoting.identifier(columns.get(i)))
          .append("::text");
    }
    select.append(" FROM ONLY ").append(table.quoted());
    OutputStream[] outs = new OutputStream[targets];
    long rows = 0;
    // A cursor (the coordinator connection is in a transaction) keeps memory flat.
    try (Statement statement = coordinator.createStatement()) {
      statement.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = statement.executeQuery(select.toString())) {
        while (rs.next()) {
          // A reference table (no partition column) has one target.
          int target = 0;
          if (partitionIndex >= 0) {
            String partitionValue = rs.getString(partitionIndex + 1);
            if (partitionValue == null) {
              throw new OperationException("23502", "cannot distribute a row with NULL value"
                  + " in partition column \"" + columns.get(partitionIndex) + "\"", null,
                  "Delete or fix the row in table \"" + table.name() + "\" first.");
            }
            target = route.applyAsInt(partitionType.parseText(partitionValue));
          }
          if (outs[target] == null) {
            outs[target] = new BufferedOutputStream(
                Files.newOutputStream(spool.resolve(Integer.toString(target))));
          }
          outs[target].write(copyLine(rs, columns.size()));
          rows++;
        }
      }
    } finally {
      for (OutputStream each : outs) {
        if (each != null) {
          each.close();
        }
      }
    }
    return rows;
  }

  /** Returns the current row in COPY's text format. */
  private static byte[] copyLine(ResultSet rs, int width) throws SQLException {
    StringBuilder line = new StringBuilder();
    for (int i = 1; i <= width; i++) {
      if (i > 1) {
        line.append('\t');
      }
      String value = rs.getString(i);
      if (value == null) {
        line.append("\\N");
        continue;
      }
      for (int c = 0; c < value.length(); c++) {
        char ch = value.charAt(c);
        switch (ch) {
          case '\\' -> line.append("\\\\");
          case '\t' -> line.append("\\t");
          case '\n' -> line.append("\\n");
          case '\r' -> line.append("\\r");
          default -> line.append(ch);
        }
      }
    }
    return line.append('\n').toString().getBytes(StandardCharsets.UTF_8);
  }

  static List<String> columns(Connection coordinator, long relationId)
      throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT attname FROM pg_attribute"
        + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped AND attgenerated = ''"
        + " ORDER BY attnum")) {
      ps.setLong(1, relationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
    }
    return columns;
  }

  /**
   * Returns the text forms of the smallest and largest partition value in {@code table}'s
   * shell, the interval of a range or append shard that takes all of its rows.
   */
  static String[] bounds(Connection coordinator, TableName table, String partitionColumn)
      throws SQLException {
    String column = SqlQuoting.identifier(partitionColumn);
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT min(" + column + ")::text, max(" + column
            + ")::text FROM ONLY " + table.quoted())) {
      rs.next();
      return new String[] {rs.getString(1), rs.getString(2)};
    }
  }
}
