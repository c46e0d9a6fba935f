package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Record of the statements sent to nodes, for tests, EXPLAIN ANALYZE-style checks and
 * {@code log_distributed_statements}.
 *
 * <p>It keeps a sequence number per statement and the most recent entries, so a caller can ask
 * which statements ran since a mark it took.
 */
public final class StatementLog {
  private static final Logger LOG = LoggerFactory.getLogger(StatementLog.class);
  private static final int RETAINED = 10_000;

  private final AtomicLong sequence = new AtomicLong();
  private final Deque<Entry> recent = new ArrayDeque<>();
  /** Rows returned by the retained reads that counted them, by sequence number. */
  private final Map<Long, Long> rowCounts = new HashMap<>();
  private volatile boolean logStatements;

  /**
   * One statement sent to one node; {@code shardId} is null for coordinator statements, and
   * {@code rows} the number of rows a read returned, or -1 if none were counted.
   */
  public record Entry(long sequence, NodeAddress node, Long shardId, String sql, long rows) {
  }

  /** Records a statement about to be sent and returns its sequence number. */
  public long record(NodeAddress node, Long shardId, String sql) {
    Entry entry = new Entry(sequence.incrementAndGet(), node, shardId, sql, -1);
    if (logStatements) {
      LOG.info("distributed statement on {} shard {}: {}", node, shardId, sql);
    }
    synchronized (recent) {
      recent.addLast(entry);
      if (recent.size() > RETAINED) {
        rowCounts.remove(recent.removeFirst().sequence());
      }
    }
    return entry.sequence();
  }

  /** Records that the read recorded as {@code statement} returned {@code rows} rows. */
  public void rowsRead(long statement, long rows) {
    synchronized (recent) {
      if (!recent.isEmpty() && recent.peekFirst().sequence() <= statement) {
        rowCounts.put(statement, rows);
      }
    }
  }

  /** Returns a mark for {@link #since(long)}. */
  public long mark() {
    return sequence.get();
  }

  /** Returns the retained entries recorded after {@code mark}, oldest first. */
  public List<Entry> since(long mark) {
    synchronized (recent) {
      return recent.stream().filter(e -> e.sequence() > mark)
          .map(e -> new Entry(e.sequence(), e.node(), e.shardId(), e.sql(),
              rowCounts.getOrDefault(e.sequence(), -1L)))
          .toList();
    }
  }

  /** Returns whether every statement is logged through SLF4J. */
  public boolean logsStatements() {
    return logStatements;
  }

  /** Turns logging of every statement through SLF4J on or off. */
  public void setLogStatements(boolean on) {
    this.logStatements = on;
  }
}
