package io.spar.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT and then lets the caller shut down in order.
 *
 * <p>Shutdown hooks are not enough: the JVM runs all hooks at once, so the local cluster's own
 * hook would stop PostgreSQL while the server is still closing its connections. Handling the
 * signals ourselves runs the steps in order before the JVM starts to exit. A shutdown hook
 * still runs the same steps if the JVM exits for another reason.
 */
final class OrderlyShutdown {
  private final CountDownLatch signalled = new CountDownLatch(1);
  private final Runnable steps;
  private boolean done;

  /** Prepares to run {@code steps} once, whatever triggers it. */
  OrderlyShutdown(Runnable steps) {
    this.steps = steps;
    Signal.handle(new Signal("TERM"), signal -> signalled.countDown());
    Signal.handle(new Signal("INT"), signal -> signalled.countDown());
    Runtime.getRuntime().addShutdownHook(new Thread(this::run, "spar-shutdown"));
  }

  /** Blocks until SIGTERM or SIGINT arrives, then runs the steps. */
  void awaitSignalAndRun() throws InterruptedException {
    signalled.await();
    run();
  }

  private synchronized void run() {
    if (!done) {
      done = true;
      steps.run();
    }
  }
}
