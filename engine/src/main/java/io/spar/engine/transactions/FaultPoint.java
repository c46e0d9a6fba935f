package io.spar.engine.transactions;

import java.util.Objects;

/**
 * Named points of the commit path, of a shard move and of a replicated write, where the
 * fault-injection tests stop the coordinator process or a thread.
 *
 * <p>Reaching a point does nothing unless a test injected a {@link Hook} with
 * {@link #inject}; no setting or property of a production process can make a point block its
 * commits. The tests' coordinator child injects one that prints the point and blocks, so that
 * the harness kills it with SIGKILL exactly there.
 */
public enum FaultPoint {
  /** Every write ran, nothing is prepared yet. */
  BEFORE_PREPARE,
  /** The first node has prepared. */
  AFTER_FIRST_PREPARE,
  /** Every node has prepared; no commit record yet. */
  AFTER_ALL_PREPARES,
  /** The commit record is committed in the coordinator; no node has committed. */
  AFTER_COMMIT_RECORD,
  /** The first node has committed its prepared transaction. */
  AFTER_FIRST_COMMIT_PREPARED,
  /** A logical shard move's initial copy is done; writes are not blocked yet. */
  MOVE_COPIED,
  /** A shard move holds its tables' write lock on the source; the switch has not begun. */
  MOVE_WRITES_BLOCKED,
  /**
   * A write in a distributed transaction is routed to a placement and about to run there
   * (first taking the shard's lock, if the shard is replicated).
   */
  BEFORE_SHARD_WRITE;

  /** What a test does when the commit path reaches a point. */
  @FunctionalInterface
  public interface Hook {
    /** Called on the committing thread when it reaches {@code point}. */
    void reached(FaultPoint point);
  }

  private static volatile Hook hook = point -> { };
  private static volatile boolean injected;

  /** Returns the points of the commit path, in the order a commit reaches them. */
  public static java.util.List<FaultPoint> commitPath() {
    return java.util.List.of(BEFORE_PREPARE, AFTER_FIRST_PREPARE, AFTER_ALL_PREPARES,
        AFTER_COMMIT_RECORD, AFTER_FIRST_COMMIT_PREPARED);
  }

  /** Returns the point's name as the tests write it, such as {@code after-first-prepare}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** Makes every point call {@code injected} when reached; for fault-injection tests only. */
  public static void inject(Hook injected) {
    hook = Objects.requireNonNull(injected);
    FaultPoint.injected = true;
  }

  /**
   * Returns whether a test injected a hook, in which case the commit path sends PREPARE and
   * COMMIT PREPARED to one node after another rather than to all at once, so that "the first
   * node has prepared" is a state the test can stop in and see.
   */
  public static boolean stepwise() {
    return injected;
  }

  /** Calls the injected hook, if any, with this point. */
  public void reach() {
    hook.reached(this);
  }
}
