package io.spar.engine.transactions;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Identity of one distributed transaction on the nodes it spans, as the key of a shared
 * transaction-level advisory lock that each of its node transactions holds.
 *
 * <p>PostgreSQL knows nothing of distributed transactions; the tag lock is what lets the
 * {@link DeadlockDetector} see that backends on different nodes belong to one transaction.
 * In {@code pg_locks} the lock shows as locktype {@code advisory}, {@code objsubid = 1},
 * {@code classid} the upper and {@code objid} the lower 32 bits of the key.
 *
 * <p>A tag is {@code 0x5350} ("SP") in its top 16 bits, then 16 random bits chosen once per JVM,
 * then a JVM-wide 32-bit counter. The counter starts at a random value as well, so that two
 * engines that happened to draw the same 16 bits still only collide if their counters meet.
 */
public final class TransactionTag {
  private static final long MARKER = 0x5350L;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long JVM_BITS = (long) (RANDOM.nextInt() & 0xffff) << 32;
  private static final AtomicInteger COUNTER = new AtomicInteger(RANDOM.nextInt());

  private final long value;

  private TransactionTag(long value) {
    this.value = value;
  }

  /** Returns a new tag, distinct from every other tag of this JVM until the counter wraps. */
  public static TransactionTag next() {
    long counter = Integer.toUnsignedLong(COUNTER.getAndIncrement());
    return new TransactionTag(MARKER << 48 | JVM_BITS | counter);
  }

  /** Returns the tag whose lock key is {@code key}, which must satisfy {@link #isTag}. */
  public static TransactionTag of(long key) {
    if (!isTag(key)) {
      throw new IllegalArgumentException("not a transaction tag: " + Long.toHexString(key));
    }
    return new TransactionTag(key);
  }

  /** Returns whether the advisory lock key {@code key} is a transaction tag. */
  public static boolean isTag(long key) {
    return key >>> 48 == MARKER;
  }

  /** Returns the advisory lock key. */
  public long value() {
    return value;
  }

  /** Returns the statement that takes this tag's lock in the current node transaction. */
  public String lockStatement() {
    return "SELECT pg_advisory_xact_lock_shared(" + value + ")";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TransactionTag tag && tag.value == value;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(value);
  }

  @Override
  public String toString() {
    return String.format("%016x", value);
  }
}
