package io.spar.server;

import io.spar.jdbc.SparMeta;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Periodically closes the remote connections of a {@link SparMeta} that have been idle. */
final class IdleConnectionReaper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IdleConnectionReaper.class);
  private static final long MAX_PERIOD_SECONDS = 30;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread thread = new Thread(runnable, "spar-idle-connection-reaper");
        thread.setDaemon(true);
        return thread;
      });

  /**
   * Starts checking {@code meta} several times per {@code idleTimeout}, so a connection is
   * closed at most a fraction of the timeout late.
   */
  IdleConnectionReaper(SparMeta meta, Duration idleTimeout) {
    long period = Math.max(1, Math.min(MAX_PERIOD_SECONDS, idleTimeout.toSeconds() / 4));
    timer.scheduleWithFixedDelay(() -> evict(meta), period, period, TimeUnit.SECONDS);
  }

  private static void evict(SparMeta meta) {
    try {
      meta.evictIdle();
    } catch (RuntimeException e) {
      // A failure to close one connection must not stop the reaper for good.
      LOG.warn("Could not close idle remote connections", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
