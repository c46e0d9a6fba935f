package io.spar.pgwire;

import io.netty.channel.ManualIoEventLoop;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop of one client connection, driven by a thread of its own that also runs the
 * connection's statements, as a PostgreSQL backend process reads, executes and writes: a
 * request is read, run and answered on one thread, with no crossing between threads.
 *
 * <p>Between statements the thread waits for the socket in the loop. Handlers running in the
 * loop only queue what they read; the queued work runs after the loop returns, outside it, so
 * that a statement that must wait on the client (for its COPY data, or for it to read a large
 * result) can {@link #pump} the loop without reentering it.
 */
final class ConnectionLoop extends ManualIoEventLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLoop.class);

  /** What the connection does on its thread; set once the channel is active. */
  interface Work {
    /** Runs what the loop's handlers queued. */
    void runQueued();

    /** Releases the connection's resources, once the loop has ended. */
    void release();
  }

  private volatile Work work;

  ConnectionLoop(String threadName) {
    super(null, null, Transport.ioHandler());
    // A FastThreadLocalThread, so that Netty's per-thread state (the executor, the allocator's
    // caches) is an array slot rather than a ThreadLocal lookup on every event.
    Thread thread = new FastThreadLocalThread(this::drive, threadName);
    thread.setDaemon(true);
    setOwningThread(thread);
    thread.start();
  }

  /** Sets the connection's work; called on the loop's thread. */
  void work(Work connection) {
    this.work = connection;
  }

  /**
   * Processes the connection's I/O for at most {@code timeoutMillis} while a statement waits on
   * the client; called on the loop's thread, outside the loop.
   */
  void pump(long timeoutMillis) {
    run(TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
  }

  private void drive() {
    try {
      while (!isTerminated()) {
        try {
          run(0);
          Work connection = work;
          if (connection != null && !isShuttingDown()) {
            connection.runQueued();
          }
        } catch (RuntimeException e) {
          // The connection's own failures end it in WireSession; this is Netty's or a bug's.
          LOG.warn("A PostgreSQL connection's loop failed", e);
        }
      }
    } finally {
      Work connection = work;
      if (connection != null) {
        connection.release();
      }
    }
  }
}
