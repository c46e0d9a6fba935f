package io.spar.copy;

import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.PgErrors;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.hashing.PartitionType;
import io.spar.engine.routing.ShardPruner;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.outcome.SparErrors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * {@code COPY table FROM STDIN} of a distributed table: each row goes, as the input has it, to
 * the shard its distribution column's value hashes to. Rows collect per shard and go to every
 * placement of the shard in chunks, each chunk one {@code COPY} of the shard inside the
 * session's distributed transaction; every node has a thread of its own that sends its chunks,
 * so nodes load in parallel while the input is read. A bad row fails the whole COPY with
 * PostgreSQL's error and the row's line in the input, and the transaction's rollback leaves
 * nothing written.
 */
final class CopyIn {
  /** Bytes of rows collected for a shard before they are sent. */
  private static final int CHUNK = 1 << 18;
  private static final Pattern SHARD_LINE = Pattern.compile("^COPY [^,]+, line (\\d+)");

  /** Rows collected for one shard, with their lines in the input. */
  private static final class Pending {
    private byte[] rows = new byte[64 * 1024];
    private int size;
    private long[] lines = new long[1024];
    private int count;

    void add(byte[] row, int length, long line) {
      if (size + length > rows.length) {
        rows = Arrays.copyOf(rows, Math.max(rows.length * 2, size + length));
      }
      System.arraycopy(row, 0, rows, size, length);
      size += length;
      if (count == lines.length) {
        lines = Arrays.copyOf(lines, count * 2);
      }
      lines[count++] = line;
    }
  }

  private final DistributedTable table;
  private final CopyStatement statement;
  private final List<String> columns;
  private final int partitionField;
  private final DistributedTransaction transaction;
  private final StatementLog log;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Map<NodeAddress, ExecutorService> senders = new LinkedHashMap<>();
  private final List<Future<?>> sent = new ArrayList<>();
  private CopyRows rows;

  CopyIn(DistributedTable table, CopyStatement statement, List<String> columns,
      DistributedTransaction transaction, StatementLog log) {
    this.table = table;
    this.statement = statement;
    this.columns = columns;
    this.partitionField = columns.indexOf(table.partitionColumn());
    this.transaction = transaction;
    this.log = log;
  }

  /** Loads {@code in} and returns the number of rows. */
  long run(InputStream in) throws SQLException {
    PartitionType type = table.partitionType();
    boolean integers = type == PartitionType.INT2 || type == PartitionType.INT4
        || type == PartitionType.INT8;
    if (statement.format() == CopyStatement.Format.BINARY && !integers
        && table.hasPartitionColumn() && type != PartitionType.TEXT
        && type != PartitionType.VARCHAR) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "binary COPY into a table"
          + " distributed by a column of type " + type.typeName() + " is not supported");
    }
    if (type == PartitionType.TIMESTAMPTZ) {
      // Its text depends on the session's TimeZone, which Spar's hashing does not know.
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "COPY into a table distributed"
          + " by a timestamptz column is not supported");
    }
    long count = 0;
    try {
      rows = CopyRows.of(statement, in, integers);
      String column = table.partitionColumn();
      while (rows.next()) {
        // The one shard of a table without a partition column takes every row.
        Shard shard = !table.hasPartitionColumn() ? table.shards().get(0)
            : shardFor(rows.field(partitionField, column));
        Pending chunk = pending.computeIfAbsent(shard.id(), k -> new Pending());
        chunk.add(rows.row(), rows.length(), rows.line());
        count++;
        if (chunk.size >= CHUNK) {
          send(shard, pending.remove(shard.id()));
          checkSent(false);
        }
      }
      for (Shard shard : table.shards()) {
        Pending chunk = pending.remove(shard.id());
        if (chunk != null) {
          send(shard, chunk);
        }
      }
      checkSent(true);
      return count;
    } catch (IOException e) {
      drain();
      throw SparErrors.error("58030", "could not read COPY data: " + e.getMessage());
    } catch (SQLException e) {
      drain();
      throw withLine(e, rows == null ? 0 : rows.line());
    } finally {
      senders.values().forEach(ExecutorService::shutdown);
    }
  }

  /**
   * Waits for every chunk still being sent after a failure, so that the transaction's rollback
   * never meets a connection in the middle of a COPY.
   */
  private void drain() {
    for (Future<?> each : sent) {
      try {
        each.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException e) {
        // The first failure is the one reported.
      }
    }
    sent.clear();
  }

  private Shard shardFor(String value) throws SQLException {
    if (value == null) {
      throw SparErrors.error("23502", "null value in column \"" + table.partitionColumn()
          + "\" of relation \"" + table.name().name() + "\" violates not-null constraint",
          "The distribution column decides each row's shard.", null);
    }
    Object canonical;
    try {
      canonical = table.partitionType().parseText(value);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw SparErrors.error(message.contains("out of range") ? "22003" : "22P02", message);
    }
    Optional<Shard> shard = table.method() == DistributionMethod.HASH
        ? table.shardForHash(table.partitionType().hash(canonical))
        : ShardPruner.shardForValue(table, canonical);
    if (shard.isEmpty()) {
      throw SparErrors.error("XX000", "could not find the shard of value " + value
          + " of distributed table \"" + table.name().name() + "\"");
    }
    return shard.get();
  }

  /** Sends {@code chunk} to every placement of {@code shard}, each by its node's thread. */
  private void send(Shard shard, Pending chunk) throws SQLException {
    String sql = statement.forShard(shard.shardName().quoted(), columns);
    byte[] data = chunk.rows;
    int size = chunk.size;
    for (ShardPlacement placement : shard.finalizedPlacements()) {
      // The transaction's bookkeeping stays on this thread; the connection's use moves.
      Connection connection = transaction.connection(placement);
      transaction.written(shard, placement, true);
      log.record(placement.node(), shard.id(), sql);
      PGConnection pg = connection.unwrap(PGConnection.class);
      ExecutorService sender = senders.computeIfAbsent(placement.node(),
          node -> Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "spar-copy-" + node);
            thread.setDaemon(true);
            return thread;
          }));
      sent.add(sender.submit(() -> {
        try {
          pg.getCopyAPI().copyIn(sql, new SequenceInputStream(
              new SequenceInputStream(new ByteArrayInputStream(rows.prologue()),
                  new ByteArrayInputStream(data, 0, size)),
              new ByteArrayInputStream(rows.epilogue())));
        } catch (SQLException e) {
          throw inInput(e, chunk.lines);
        }
        return null;
      }));
    }
  }

  /** Rethrows the first failure of a chunk sent; with {@code all}, waits for every chunk. */
  private void checkSent(boolean all) throws SQLException {
    List<Future<?>> still = new ArrayList<>();
    for (Future<?> each : sent) {
      if (!all && !each.isDone()) {
        still.add(each);
        continue;
      }
      try {
        each.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw SparErrors.error("57014", "canceling statement due to user request");
      } catch (ExecutionException e) {
        sent.removeIf(Future::isDone);
        Throwable cause = e.getCause();
        if (cause instanceof SQLException sql) {
          throw sql;
        }
        throw new SQLException("COPY to a shard failed: " + cause, "XX000", cause);
      }
    }
    sent.clear();
    sent.addAll(still);
  }

  /**
   * Returns a shard's COPY error with the line of the failed row in the user's input, where
   * the shard reported its line in the chunk.
   */
  private SQLException inInput(SQLException e, long[] lines) {
    ServerErrorMessage m = e instanceof PSQLException psql ? psql.getServerErrorMessage()
        : null;
    if (m == null || m.getWhere() == null) {
      return e;
    }
    Matcher matcher = SHARD_LINE.matcher(m.getWhere());
    String where = m.getWhere();
    if (matcher.find()) {
      int line = Integer.parseInt(matcher.group(1));
      long original = line >= 1 && line <= lines.length ? lines[line - 1] : line;
      where = "COPY " + table.name().name() + ", line " + original
          + where.substring(matcher.end());
    }
    PSQLException mapped = PgErrors.error(m.getSQLState(), m.getMessage(), m.getDetail(),
        m.getHint(), where);
    mapped.initCause(e);
    return mapped;
  }

  /** Returns an error Spar found in row {@code line} with COPY's context, as PostgreSQL has it. */
  private SQLException withLine(SQLException e, long line) {
    if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null
        && psql.getServerErrorMessage().getWhere() == null && e.getCause() == null
        && !"0A000".equals(e.getSQLState())) {
      ServerErrorMessage m = psql.getServerErrorMessage();
      return PgErrors.error(m.getSQLState(), m.getMessage(), m.getDetail(), m.getHint(),
          "COPY " + table.name().name() + ", line " + line);
    }
    return e;
  }
}
