package io.spar.copy;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.operations.ShardDdl;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.outcome.SparErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.PGConnection;

/**
 * COPY of one session, to and from the client: of a distributed table through its shards
 * ({@link CopyIn}, and the shards' own COPY output concatenated), of anything else on the
 * coordinator as written.
 */
public final class CopyCommands {
  private static final int BINARY_HEADER = 19;
  private static final int BINARY_TRAILER = 2;

  private final SessionConnections connections;
  private final StatementLog log;

  /** Creates the COPY handler of a session with {@code connections}. */
  public CopyCommands(SessionConnections connections, StatementLog log) {
    this.connections = connections;
    this.log = log;
  }

  /**
   * Runs {@code COPY … FROM STDIN} {@code sql} with the rows of {@code in} in
   * {@code transaction}, and returns the number of rows copied.
   */
  public long copyIn(String sql, InputStream in, DistributedTransaction transaction,
      CatalogSnapshot catalog) throws SQLException {
    CopyStatement statement = read(sql, true);
    Optional<DistributedTable> table = distributed(statement, transaction, catalog);
    if (table.isEmpty()) {
      return onCoordinator(transaction, pg -> pg.getCopyAPI().copyIn(sql, in));
    }
    List<String> columns = columns(statement, table.get(), transaction);
    return new CopyIn(table.get(), statement, columns, transaction, log).run(in);
  }

  /**
   * Keeps a query's rows in a temporary table of the coordinator for the rest of the
   * statement, filled through Spar.
   */
  public interface Materializer {
    /** Returns the temporary table (quoted) that holds the rows of {@code query}. */
    String materialize(String query) throws SQLException;

    /** Drops the temporary table {@code table}. */
    void drop(String table) throws SQLException;
  }

  /**
   * Runs {@code COPY … TO STDOUT} {@code sql} in {@code transaction}, writing to {@code out},
   * and returns the number of rows copied; {@code readsDistributed} says whether its text names
   * distributed tables, whose query {@code materializer} then runs through Spar, so that the
   * coordinator's COPY writes its rows in PostgreSQL's own text.
   */
  public long copyOut(String sql, OutputStream out, DistributedTransaction transaction,
      CatalogSnapshot catalog, boolean readsDistributed, Materializer materializer)
      throws SQLException {
    CopyStatement statement = read(sql, false);
    Optional<DistributedTable> table = statement.query() != null ? Optional.empty()
        : distributed(statement, transaction, catalog);
    if (table.isEmpty()) {
      if (statement.query() != null && readsDistributed) {
        String rows = materializer.materialize(statement.query());
        try {
          return onCoordinator(transaction, pg -> pg.getCopyAPI().copyOut(statement.of(rows),
              out));
        } finally {
          materializer.drop(rows);
        }
      }
      return onCoordinator(transaction, pg -> pg.getCopyAPI().copyOut(sql, out));
    }
    List<String> columns = columns(statement, table.get(), transaction);
    boolean binary = statement.format() == CopyStatement.Format.BINARY;
    long count = 0;
    List<Shard> shards = table.get().shards();
    try {
      if (statement.header() && !binary) {
        // The first shard's output carries the header; the others are asked without one.
        out.write(headerLine(statement, columns));
      }
      for (int i = 0; i < shards.size(); i++) {
        Shard shard = shards.get(i);
        ShardPlacement placement = shard.finalizedPlacements().stream().findFirst().orElseThrow(
            () -> SparErrors.error("XX000", "could not find any healthy placement for shard "
                + shard.id()));
        String shardSql = statement.forShard(shard.shardName().quoted(), columns);
        log.record(placement.node(), shard.id(), shardSql);
        PGConnection pg = transaction.join(placement.node()).unwrap(PGConnection.class);
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        count += pg.getCopyAPI().copyOut(shardSql, rows);
        byte[] bytes = rows.toByteArray();
        int from = binary && i > 0 ? BINARY_HEADER : 0;
        int to = binary && i < shards.size() - 1 ? bytes.length - BINARY_TRAILER : bytes.length;
        out.write(bytes, from, to - from);
      }
      out.flush();
    } catch (IOException e) {
      throw SparErrors.error("58030", "could not write COPY data: " + e.getMessage());
    }
    return count;
  }

  private static CopyStatement read(String sql, boolean from) throws SQLException {
    Optional<CopyStatement> statement = CopyStatement.parse(sql);
    if (statement.isEmpty() || statement.get().from() != from) {
      throw SparErrors.error("42601", from ? "copyIn needs COPY … FROM STDIN"
          : "copyOut needs COPY … TO STDOUT");
    }
    return statement.get();
  }

  private Optional<DistributedTable> distributed(CopyStatement statement,
      DistributedTransaction transaction, CatalogSnapshot catalog) throws SQLException {
    if (statement.table() == null) {
      return Optional.empty();
    }
    try (PreparedStatement ps = transaction.coordinatorForStatement().prepareStatement(
        "SELECT pg_catalog.to_regclass(?)::oid::bigint")) {
      ps.setString(1, statement.table());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long oid = rs.getLong(1);
        return rs.wasNull() ? Optional.empty() : catalog.table(oid);
      }
    }
  }

  /**
   * Returns the columns the COPY names, or all the table's columns COPY takes when it names
   * none, refusing a COPY FROM that leaves out a column whose default Spar evaluates at the
   * coordinator (the shards would store NULL) or the distribution column.
   */
  private List<String> columns(CopyStatement statement, DistributedTable table,
      DistributedTransaction transaction) throws SQLException {
    List<String> all = new ArrayList<>();
    List<String> coordinatorDefaults = new ArrayList<>();
    try (PreparedStatement ps = transaction.coordinatorForStatement().prepareStatement(
        ShardDdl.COLUMNS)) {
      ps.setLong(1, table.relationId());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean(5)) {
            continue; // generated: COPY neither takes nor gives it
          }
          all.add(rs.getString(1));
          if (rs.getString(3) != null && !rs.getBoolean(4)) {
            coordinatorDefaults.add(rs.getString(1));
          }
        }
      }
    }
    List<String> columns = statement.columns().isEmpty() ? all : statement.columns();
    if (statement.from()) {
      for (String each : coordinatorDefaults) {
        if (!columns.contains(each)) {
          throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "COPY into distributed"
              + " table \"" + table.name().name() + "\" must give column \"" + each + "\"",
              "Its default is evaluated at the coordinator, and COPY's rows go straight to the"
                  + " shards.", "List the column in the COPY and give its values.");
        }
      }
      if (table.hasPartitionColumn() && !columns.contains(table.partitionColumn())) {
        throw SparErrors.error("23502", "null value in column \"" + table.partitionColumn()
            + "\" of relation \"" + table.name().name() + "\" violates not-null constraint",
            "The distribution column decides each row's shard.", null);
      }
    }
    return columns;
  }

  private static byte[] headerLine(CopyStatement statement, List<String> columns)
      throws SQLException {
    byte delimiter = statement.singleByte("delimiter",
        statement.format() == CopyStatement.Format.CSV ? ',' : '\t');
    byte quote = statement.singleByte("quote", '"');
    StringBuilder line = new StringBuilder();
    for (String each : columns) {
      if (line.length() > 0) {
        line.append((char) delimiter);
      }
      boolean quoted = each.indexOf(delimiter) >= 0 || each.indexOf(quote) >= 0
          || each.contains("\n") || each.contains("\r");
      line.append(quoted ? (char) quote + each.replace(String.valueOf((char) quote),
          String.valueOf((char) quote) + (char) quote) + (char) quote : each);
    }
    return (line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Work on the coordinator's pgjdbc connection. */
  private interface CoordinatorCopy {
    long run(PGConnection connection) throws SQLException, IOException;
  }

  private long onCoordinator(DistributedTransaction transaction, CoordinatorCopy copy)
      throws SQLException {
    Connection connection = transaction.coordinatorForStatement();
    try {
      return copy.run(connection.unwrap(PGConnection.class));
    } catch (IOException e) {
      throw SparErrors.error("58030", "COPY data could not be transferred: " + e.getMessage());
    }
  }
}
