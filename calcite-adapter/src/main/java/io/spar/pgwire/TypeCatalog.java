package io.spar.pgwire;

import io.spar.session.SparSession;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OIDs and lengths of the types result columns have, by the names pgjdbc reports for them:
 * built-in types from {@link PgTypes}, others (enums, domains, extension types such as hll)
 * from the coordinator's {@code pg_type}, where the shell tables' types live, remembered for
 * the server's lifetime.
 */
final class TypeCatalog {
  /** A type's OID and {@code typlen}. */
  record Type(int oid, short length) {
  }

  private static final Type UNKNOWN = new Type(705, (short) -2);
  private final Map<String, Type> byName = new ConcurrentHashMap<>();

  /** Returns the type called {@code name}, asking the coordinator through {@code session}. */
  Type type(String name, SparSession session) throws SQLException {
    Type known = byName.get(name);
    if (known != null) {
      return known;
    }
    int builtIn = PgTypes.oid(name);
    if (builtIn != 0) {
      Type type = new Type(builtIn, PgTypes.length(builtIn));
      byName.put(name, type);
      return type;
    }
    Type found = session.lookup(coordinator -> {
      try (PreparedStatement statement = coordinator.prepareStatement("SELECT t.oid::int,"
          + " t.typlen FROM pg_catalog.pg_type t WHERE t.oid = pg_catalog.to_regtype(?)")) {
        statement.setString(1, name);
        try (ResultSet rs = statement.executeQuery()) {
          return rs.next() ? new Type(rs.getInt(1), rs.getShort(2)) : UNKNOWN;
        }
      }
    });
    byName.put(name, found);
    return found;
  }
}
