package io.spar.session;

import io.spar.engine.catalog.MetadataCache;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Per-session cache of statement plans keyed by SQL text, valid for one catalog generation.
 *
 * <p>A catalog change that drops every plan (through any process), or a change of the search
 * path, clears it, since a plan records which tables are distributed. DDL that only made
 * objects invalidates just the plans whose text names one of them (see the engine's
 * {@code DdlInvalidation}); each plan keeps the identifiers of its text for that.
 */
final class PlanCache {
  private static final int CAPACITY = 256;

  /** A plan, the identifiers its text holds, and the names epoch it was last known valid in. */
  private static final class Entry {
    final StatementPlan plan;
    final Set<String> names;
    long namesEpoch;

    Entry(StatementPlan plan, Set<String> names, long namesEpoch) {
      this.plan = plan;
      this.names = names;
      this.namesEpoch = namesEpoch;
    }
  }

  private final Map<String, Entry> plans = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > CAPACITY;
    }
  };
  private long generation = -1;

  /**
   * Returns the plan of {@code sql} if it was prepared in catalog generation {@code current}
   * and no DDL since changed a name its text holds.
   */
  StatementPlan get(String sql, long current, MetadataCache metadata) {
    if (current != generation) {
      plans.clear();
      generation = current;
      return null;
    }
    Entry entry = plans.get(sql);
    if (entry == null) {
      return null;
    }
    long epoch = metadata.namesEpoch();
    if (entry.namesEpoch != epoch) {
      if (metadata.namesChangedSince(entry.names, entry.namesEpoch)) {
        plans.remove(sql);
        return null;
      }
      entry.namesEpoch = epoch;
    }
    return entry.plan;
  }

  /**
   * Stores the plan of {@code sql}, prepared in catalog generation {@code current} and names
   * epoch {@code namesEpoch}, both read before it was prepared.
   */
  void put(String sql, long current, long namesEpoch, StatementPlan plan) {
    if (current == generation) {
      plans.put(sql, new Entry(plan, identifiers(sql), namesEpoch));
    }
  }

  /** Drops every plan. */
  void clear() {
    plans.clear();
  }

  /**
   * Returns the identifiers {@code sql} may name objects by: its words in lower case, as
   * PostgreSQL folds them, and its double-quoted identifiers as written. Words of string
   * literals and comments come too; they only make a plan's invalidation more likely.
   */
  static Set<String> identifiers(String sql) {
    Set<String> names = new HashSet<>();
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '"') {
        StringBuilder quoted = new StringBuilder();
        i++;
        while (i < sql.length()) {
          if (sql.charAt(i) == '"') {
            if (i + 1 < sql.length() && sql.charAt(i + 1) == '"') {
              quoted.append('"');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          quoted.append(sql.charAt(i++));
        }
        names.add(quoted.toString());
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i))
            || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
          i++;
        }
        names.add(sql.substring(start, i).toLowerCase(Locale.ROOT));
      } else {
        i++;
      }
    }
    return names;
  }
}
