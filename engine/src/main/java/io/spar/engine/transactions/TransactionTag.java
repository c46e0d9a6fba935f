package io.spar.engine.transactions;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Identity of a distributed transaction on the nodes it spans: a bigint that the transaction
 * holds as a shared transaction-level advisory lock on every node where it is open, so that the
 * deadlock detector can tell which backends on different nodes belong to one transaction.
 *
 * <p>The top 16 bits are {@code 0x5350} ("SP"), the next 16 are chosen at random once per JVM,
 * and the low 32 count transactions in this JVM; tags of concurrently open transactions are
 * therefore distinct unless two JVMs draw the same 16 bits and reach the same count.
 */
public final class TransactionTag {
  private static final long PREFIX = 0x5350L << 48;
  private static final long JVM_BITS = (long) new SecureRandom().nextInt(1 << 16) << 32;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final long value;

  private TransactionTag(long value) {
    this.value = value;
  }

  /** Returns a new tag. */
  public static TransactionTag next() {
    return new TransactionTag(PREFIX | JVM_BITS | (COUNTER.incrementAndGet() & 0xffffffffL));
  }

  /** Returns the tag with {@code value}. */
  public static TransactionTag of(long value) {
    return new TransactionTag(value);
  }

  /** Returns whether advisory lock key {@code key} is a tag. */
  public static boolean isTag(long key) {
    return (key >>> 48) == 0x5350L;
  }

  /** Returns the tag's bigint value. */
  public long value() {
    return value;
  }

  /** Returns the statement that marks a node transaction as belonging to this tag. */
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
    return "tx-" + Long.toHexString(value);
  }
}
