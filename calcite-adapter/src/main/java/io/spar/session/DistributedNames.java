package io.spar.session;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Check whether statement text names a distributed table, used for statements Calcite's parser
 * cannot read: those may still run on the coordinator if they touch only local tables.
 */
final class DistributedNames {
  private DistributedNames() {
  }

  /** Returns whether any identifier in {@code sql} is the name of a distributed table. */
  static boolean mentioned(String sql, CatalogSnapshot snapshot) {
    Set<String> names = new HashSet<>();
    for (DistributedTable each : snapshot.tables()) {
      names.add(each.name().name());
    }
    if (names.isEmpty()) {
      return false;
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
          return true;
        }
        i = end + 1;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
          i++;
        }
        if (names.contains(sql.substring(start, i).toLowerCase(Locale.ROOT))) {
          return true;
        }
      } else {
        i++;
      }
    }
    return false;
  }
}
