package io.spar.engine.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.hashing.ShardIntervals.HashInterval;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Checks the pg_shard/Citus hash interval layout. */
class ShardIntervalsTest {

  @Test
  void splitsEightShardsLikeCitus() {
    List<HashInterval> intervals = ShardIntervals.split(8);
    assertEquals(8, intervals.size());
    assertEquals(new HashInterval(-2147483648, -1610612737), intervals.get(0));
    assertEquals(new HashInterval(-1610612736, -1073741825), intervals.get(1));
    assertEquals(new HashInterval(-1073741824, -536870913), intervals.get(2));
    assertEquals(new HashInterval(-536870912, -1), intervals.get(3));
    assertEquals(new HashInterval(0, 536870911), intervals.get(4));
    assertEquals(new HashInterval(1610612736, 2147483647), intervals.get(7));
  }

  @Test
  void givesTheRemainderToTheLastShard() {
    List<HashInterval> intervals = ShardIntervals.split(3);
    assertEquals(new HashInterval(-2147483648, -715827884), intervals.get(0));
    assertEquals(new HashInterval(-715827883, 715827881), intervals.get(1));
    assertEquals(new HashInterval(715827882, 2147483647), intervals.get(2));
    assertEquals(List.of(new HashInterval(Integer.MIN_VALUE, Integer.MAX_VALUE)), ShardIntervals.split(1));
  }

  @Test
  void coversTheWholeHashSpaceWithoutGaps() {
    for (int count : new int[] {1, 2, 3, 7, 8, 32, 1000, 65536}) {
      List<HashInterval> intervals = ShardIntervals.split(count);
      assertEquals(Integer.MIN_VALUE, intervals.get(0).min());
      assertEquals(Integer.MAX_VALUE, intervals.get(count - 1).max());
      for (int i = 1; i < count; i++) {
        assertEquals(intervals.get(i - 1).max() + 1, intervals.get(i).min());
      }
    }
  }

  @Test
  void findsTheShardIndexOfAHash() {
    Random random = new Random(1);
    for (int count : new int[] {1, 3, 7, 8, 32, 1000}) {
      List<HashInterval> intervals = ShardIntervals.split(count);
      int[] hashes = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, random.nextInt(), random.nextInt()};
      for (int hash : hashes) {
        int index = ShardIntervals.shardIndexForHash(hash, count);
        assertTrue(intervals.get(index).contains(hash), hash + " in shard " + index + " of " + count);
      }
      for (HashInterval interval : intervals) {
        assertEquals(intervals.indexOf(interval), ShardIntervals.shardIndexForHash(interval.max(), count));
      }
    }
  }

  @Test
  void containsIsInclusive() {
    HashInterval interval = new HashInterval(-5, 5);
    assertTrue(interval.contains(-5));
    assertTrue(interval.contains(5));
    assertFalse(interval.contains(6));
  }

  @Test
  void rejectsNonPositiveShardCounts() {
    assertThrows(IllegalArgumentException.class, () -> ShardIntervals.split(0));
    assertThrows(IllegalArgumentException.class, () -> ShardIntervals.shardIndexForHash(1, -1));
  }
}
