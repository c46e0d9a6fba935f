package io.spar.pgwire;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * Runs one connection's messages in order on a shared pool of threads, one at a time: a
 * session's statements block on JDBC, which must never happen on Netty's event loop, and a
 * thread per idle connection would be wasted.
 */
final class SerialWorker {
  /** What to do with one message. */
  interface Handler {
    void handle(FrontendMessage message);
  }

  private final Executor threads;
  private final Handler handler;
  private final Runnable caughtUp;
  private final Deque<FrontendMessage> queue = new ArrayDeque<>();
  private boolean running;

  /**
   * Creates the worker of one connection; {@code caughtUp} runs when it has worked its queue
   * down to half of {@link WireChannel#MAX_WAITING}, to read the socket again.
   */
  SerialWorker(Executor threads, Handler handler, Runnable caughtUp) {
    this.threads = threads;
    this.handler = handler;
    this.caughtUp = caughtUp;
  }

  /**
   * Queues {@code messages}, which arrived together, at once, and starts draining the queue if
   * nothing drains it: the worker then sees the Sync that a client sent with its Execute.
   */
  void submit(List<FrontendMessage> messages) {
    synchronized (queue) {
      queue.addAll(messages);
      if (running) {
        return;
      }
      running = true;
    }
    threads.execute(this::drain);
  }

  /** Returns how many messages wait. */
  int waiting() {
    synchronized (queue) {
      return queue.size();
    }
  }

  /**
   * Returns whether the first waiting message that {@code skip} does not skip is of
   * {@code type}; false if no such message has arrived yet.
   */
  boolean nextIs(byte type, Predicate<FrontendMessage> skip) {
    synchronized (queue) {
      for (FrontendMessage each : queue) {
        if (!skip.test(each)) {
          return each.type() == type;
        }
      }
      return false;
    }
  }

  private void drain() {
    while (true) {
      FrontendMessage next;
      boolean resume;
      synchronized (queue) {
        next = queue.poll();
        if (next == null) {
          running = false;
          return;
        }
        resume = queue.size() == WireChannel.MAX_WAITING / 2;
      }
      if (resume) {
        caughtUp.run();
      }
      handler.handle(next);
    }
  }
}
