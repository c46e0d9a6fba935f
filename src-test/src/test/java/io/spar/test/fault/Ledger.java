package io.spar.test.fault;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the harness knows about every key it ever tried to write to one table: whether the key
 * must be visible ({@link Fate#PRESENT}), must not be ({@link Fate#ABSENT}), or may go either
 * way for now ({@link Fate#UNDECIDED}, resolved by the test before the next check).
 */
final class Ledger {
  /** The outcome that the checks require of a key. */
  enum Fate {
    /** Acknowledged, or killed after the commit record: must be visible. */
    PRESENT,
    /** Failed, never run, or killed before the commit record: must not be visible. */
    ABSENT,
    /** Not checked yet; the test decides (e.g. all-or-none of a multi-shard DELETE). */
    UNDECIDED
  }

  /** What is expected of one key, and why (shown in violations). */
  record Entry(long key, Fate fate, String why) {
  }

  private final String table;
  private final Map<Long, Entry> entries = new ConcurrentHashMap<>();

  Ledger(String table) {
    this.table = table;
  }

  /** Returns the table this ledger describes. */
  String table() {
    return table;
  }

  /** Records (or replaces) what is expected of {@code key}. */
  void expect(long key, Fate fate, String why) {
    entries.put(key, new Entry(key, fate, why));
  }

  /** Returns the entry of {@code key}, or null if the harness never wrote it. */
  Entry get(long key) {
    return entries.get(key);
  }

  /** Returns every entry, keyed by key. */
  Map<Long, Entry> entries() {
    return entries;
  }

  /** Returns how many keys must be present. */
  long present() {
    return entries.values().stream().filter(e -> e.fate() == Fate.PRESENT).count();
  }
}
