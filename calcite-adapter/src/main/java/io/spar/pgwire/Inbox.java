package io.spar.pgwire;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Predicate;

/**
 * The messages a connection has read and not yet handled, in order. The connection's loop
 * queues them and its thread handles them after the loop returns; both on the one thread of
 * the connection ({@link ConnectionLoop}), so nothing here is shared.
 */
final class Inbox {
  private final Deque<FrontendMessage> queue = new ArrayDeque<>();

  void add(FrontendMessage message) {
    queue.add(message);
  }

  /** Returns the oldest message, or null if none waits. */
  FrontendMessage poll() {
    return queue.poll();
  }

  /** Returns how many messages wait. */
  int waiting() {
    return queue.size();
  }

  /**
   * Returns whether the first waiting message that {@code skip} does not skip is of
   * {@code type}; false if no such message has arrived yet.
   */
  boolean nextIs(byte type, Predicate<FrontendMessage> skip) {
    for (FrontendMessage each : queue) {
      if (!skip.test(each)) {
        return each.type() == type;
      }
    }
    return false;
  }
}
