package io.spar.session;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributedView;
import io.spar.parser.SqlTokens;
import java.util.HashSet;
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
    for (SqlTokens.Token each : SqlTokens.of(sql)) {
      String name = each.name();
      if (name != null && names.contains(name)) {
        return Optional.of(name);
      }
    }
    return Optional.empty();
  }
}
