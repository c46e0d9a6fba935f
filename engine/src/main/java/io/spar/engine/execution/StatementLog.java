package io.spar.engine.execution;

import io.spar.engine.catalog.NodeAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Record of the statements sent to nodes, for tests and {@code log_distributed_statements}.
 *
 * <p>It numbers every statement. While something subscribes ({@link #subscribe}), it also keeps
 * the most recent entries, so that the subscriber can ask which statements ran since a mark it
 * took; with no subscriber it keeps nothing, and costs a statement one counter increment.
 */
public final class StatementLog {
  private static final Logger LOG = LoggerFactory.getLogger(StatementLog.class);
  private static final int RETAINED = 10_000;

  private final AtomicLong sequence = new AtomicLong();
  private final Deque<Entry> recent = new ArrayDeque<>();
  /** Rows returned by the retained reads that counted them, by sequence number. */
  private final Map<Long, Long> rowCounts = new HashMap<>();
  private volatile boolean logStatements;
  private final AtomicInteger subscribers = new AtomicInteger();

  /** A subscription, which keeps the log retaining entries until it is closed. */
  public final class Subscription implements AutoCloseable {
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Subscription() {
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false) && subscribers.decrementAndGet() == 0) {
        synchronized (recent) {
          recent.clear();
          rowCounts.clear();
        }
      }
    }
  }

  /** Starts keeping the most recent entries, until the returned subscription is closed. */
  public Subscription subscribe() {
    subscribers.incrementAndGet();
    return new Subscription();
  }

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
    if (subscribers.get() == 0) {
      return entry.sequence();
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
    if (subscribers.get() == 0) {
      return;
    }
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

  /**
   * Returns the retained entries recorded after {@code mark}, oldest first: those recorded while
   * a subscription was open.
   */
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
