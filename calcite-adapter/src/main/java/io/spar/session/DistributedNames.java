package io.spar.session;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributedView;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Check whether statement text names a distributed table or a view that reads one, used for
 * statements Spar does not parse: those may run on the coordinator only if they name neither,
 * or the coordinator would read the distributed tables' empty shells.
 */
final class DistributedNames {
  private DistributedNames() {
  }

  /** Returns whether any identifier in {@code sql} names a distributed table or such a view. */
  static boolean mentioned(String sql, CatalogSnapshot snapshot) {
    return firstMentioned(sql, snapshot).isPresent();
  }

  /** Returns the first identifier in {@code sql} that names a distributed table or such a view. */
  static Optional<String> firstMentioned(String sql, CatalogSnapshot snapshot) {
    Set<String> names = new HashSet<>();
    for (DistributedTable each : snapshot.tables()) {
      names.add(each.name().name());
    }
    for (DistributedView each : snapshot.views()) {
      names.add(each.name().name());
    }
    if (names.isEmpty()) {
      return Optional.empty();
    }
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\'') {
        // String literals name no table: skip to the closing quote ('' is an escaped quote).
        int end = sql.indexOf('\'', i + 1);
        while (end >= 0 && end + 1 < sql.length() && sql.charAt(end + 1) == '\'') {
          end = sql.indexOf('\'', end + 2);
        }
        i = end < 0 ? sql.length() : end + 1;
      } else if (c == '"') {
        int end = sql.indexOf('"', i + 1);
        end = end < 0 ? sql.length() : end;
        if (names.contains(sql.substring(i + 1, end))) {
          return Optional.of(sql.substring(i + 1, end));
        }
        i = end + 1;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
          i++;
        }
        String word = sql.substring(start, i).toLowerCase(Locale.ROOT);
        if (names.contains(word)) {
          return Optional.of(word);
        }
      } else {
        i++;
      }
    }
    return Optional.empty();
  }
}
