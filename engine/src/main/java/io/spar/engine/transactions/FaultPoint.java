package io.spar.engine.transactions;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points of the commit path where the fault-injection tests stop the coordinator
 * process.
 *
 * <p>Off unless the JVM runs with {@code -Dspar.fault.point=NAME} (and optionally
 * {@code -Dspar.fault.skip=N} to pass the point N times first). When the point is reached, the
 * process prints {@code SPAR-FAULT-POINT NAME} on standard output and blocks, so that the test
 * harness kills it with SIGKILL exactly there.
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
  AFTER_FIRST_COMMIT_PREPARED;

  private static final FaultPoint ARMED = armed();
  private static final AtomicInteger SKIP =
      new AtomicInteger(Integer.getInteger("spar.fault.skip", 0));

  /** Returns the property value that arms this point. */
  public String propertyValue() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Blocks forever if this point is armed and its skip count is used up. */
  public void reach() {
    if (this != ARMED || SKIP.getAndDecrement() > 0) {
      return;
    }
    PrintStream out = System.out;
    out.println("SPAR-FAULT-POINT " + propertyValue());
    out.flush();
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // Only SIGKILL ends this process now.
      }
    }
  }

  private static FaultPoint armed() {
    String value = System.getProperty("spar.fault.point");
    for (FaultPoint each : values()) {
      if (each.propertyValue().equals(value)) {
        return each;
      }
    }
    return null;
  }
}
