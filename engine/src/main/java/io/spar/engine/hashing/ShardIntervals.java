package io.spar.engine.hashing;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.List;

/**
 * Hash-space layout of hash-distributed tables, computed exactly as pg_shard and Citus do: {@code shardCount} equal
 * slices of the int32 range, the last one absorbing the remainder.
 */
public final class ShardIntervals {

  private static final long HASH_SPACE = 1L << 32;

  /**
   * One shard's inclusive range of hash values.
   *
   * @param min the smallest hash value of the shard
   * @param max the largest hash value of the shard
   */
  public record HashInterval(int min, int max) {

    /** Validates that the interval is not empty. */
    public HashInterval {
      Preconditions.checkArgument(min <= max, "empty hash interval [%s, %s]", min, max);
    }

    /**
     * Tells whether a hash value falls into this interval.
     *
     * @param hash a hash value
     * @return true if {@code min <= hash <= max}
     */
    public boolean contains(int hash) {
      return hash >= min && hash <= max;
    }
  }

  private ShardIntervals() {
  }

  /**
   * Splits the int32 hash space into {@code shardCount} intervals in shard index order.
   *
   * @param shardCount number of shards, at least 1
   * @return the intervals; for 8 shards -2147483648..-1610612737, ..., 1610612736..2147483647
   */
  public static List<HashInterval> split(int shardCount) {
    long increment = increment(shardCount);
    List<HashInterval> intervals = new ArrayList<>(shardCount);
    for (int i = 0; i < shardCount; i++) {
      long min = Integer.MIN_VALUE + i * increment;
      long max = i == shardCount - 1 ? Integer.MAX_VALUE : min + increment - 1;
      intervals.add(new HashInterval((int) min, (int) max));
    }
    return List.copyOf(intervals);
  }

  /**
   * Finds the index of the shard whose interval in {@link #split(int)} contains the hash, without building the list.
   *
   * @param hash a hash value
   * @param shardCount number of shards, at least 1
   * @return the shard index in {@code [0, shardCount)}
   */
  public static int shardIndexForHash(int hash, int shardCount) {
    long increment = increment(shardCount);
    long index = ((long) hash - Integer.MIN_VALUE) / increment;
    // The last shard also holds the remainder of 2^32 / shardCount, which would otherwise yield index shardCount.
    return (int) Math.min(index, shardCount - 1);
  }

  private static long increment(int shardCount) {
    Preconditions.checkArgument(shardCount >= 1, "shard count must be positive: %s", shardCount);
    return HASH_SPACE / shardCount;
  }
}
