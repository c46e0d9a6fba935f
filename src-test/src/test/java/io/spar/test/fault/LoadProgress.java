package io.spar.test.fault;

import java.util.Arrays;

/**
 * Counts of the writes that each writer thread of a load test finished, acknowledged or failed,
 * per phase of the test, so that the test moves from phase to phase when the writers have made
 * enough progress rather than when a clock says so.
 */
final class LoadProgress {
  /** How long no writer may finish any write before waiting reports a hang. */
  private static final long HANG_MILLIS = 180_000;

  private final int[][] acknowledged;
  private final int[][] attempted;
  private final String[] names;
  private int phase;
  private long finished;
  private Throwable died;

  /** Creates the counts for {@code writers} writers over the phases called {@code names}. */
  LoadProgress(int writers, String... names) {
    this.names = names;
    this.acknowledged = new int[names.length][writers];
    this.attempted = new int[names.length][writers];
  }

  /** Records that {@code writer} finished a write, acknowledged or not, in the current phase. */
  synchronized void finished(int writer, boolean wasAcknowledged) {
    attempted[phase][writer]++;
    if (wasAcknowledged) {
      acknowledged[phase][writer]++;
    }
    finished++;
    notifyAll();
  }

  /** Records that a writer thread ended with {@code cause}. */
  synchronized void died(Throwable cause) {
    died = died == null ? cause : died;
    notifyAll();
  }

  /**
   * Waits until every writer has finished at least {@code writes} writes in the current phase;
   * fails if a writer thread died, or if no writer finished anything for {@link #HANG_MILLIS}.
   */
  synchronized void awaitWrites(int writes) throws InterruptedException {
    long quietSince = System.nanoTime();
    long seen = finished;
    while (Arrays.stream(attempted[phase]).min().orElse(0) < writes) {
      if (died != null) {
        throw new AssertionError("a writer thread died in phase " + names[phase], died);
      }
      if (finished != seen) {
        seen = finished;
        quietSince = System.nanoTime();
      }
      long remaining = HANG_MILLIS - (System.nanoTime() - quietSince) / 1_000_000;
      if (remaining <= 0) {
        throw new AssertionError("no writer finished a write for " + HANG_MILLIS + " ms in phase "
            + names[phase] + ": " + this);
      }
      wait(remaining);
    }
  }

  /** Starts the next phase; later writes count there. */
  synchronized void nextPhase() {
    phase++;
  }

  /** Returns the writes of {@code writer} acknowledged in phase {@code index}. */
  synchronized int acknowledged(int index, int writer) {
    return acknowledged[index][writer];
  }

  /** Returns the writes of all writers acknowledged in phase {@code index}. */
  synchronized int acknowledged(int index) {
    return Arrays.stream(acknowledged[index]).sum();
  }

  /** Returns the writes of all writers acknowledged in every phase. */
  synchronized int acknowledged() {
    int sum = 0;
    for (int i = 0; i < names.length; i++) {
      sum += acknowledged(i);
    }
    return sum;
  }

  /** Returns the first failure that ended a writer thread, or null if none did. */
  synchronized Throwable died() {
    return died;
  }

  @Override
  public synchronized String toString() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      text.append(i == 0 ? "" : "; ").append(names[i]).append(": acknowledged ")
          .append(Arrays.toString(acknowledged[i])).append(" of ")
          .append(Arrays.toString(attempted[i]));
    }
    return text.toString();
  }
}
