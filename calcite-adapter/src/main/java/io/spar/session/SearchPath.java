package io.spar.session;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.SessionConnections;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The session's schema search path, used to resolve unqualified table and function names as
 * PostgreSQL would; refreshed after statements that may change it.
 *
 * <p>An unqualified name that some distributed table or view carries is resolved by the
 * coordinator itself, on the session's own connection: any relation of that name earlier on
 * the path, a temporary table above all, hides the distributed one there, and the statement
 * must then not reach the shards. The answers are kept for one catalog snapshot and one names
 * epoch (which grows with DDL that makes relations, and may hide one), and until the session's
 * next refresh.
 */
final class SearchPath {
  private static final String RESOLVE = "SELECT name, n.nspname"
      + " FROM pg_catalog.unnest(?::text[]) AS name"
      + " LEFT JOIN pg_catalog.pg_class c"
      + " ON c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident(name))"
      + " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace";
  private final SessionConnections connections;
  private final LongSupplier namesEpoch;
  private List<String> schemas;
  private List<String> functionSchemas;
  private CatalogSnapshot resolvedIn;
  private long resolvedInEpoch;
  private Map<String, String> resolved;

  /** Creates the path of {@code connections}' session; {@code namesEpoch} is the engine's. */
  SearchPath(SessionConnections connections, LongSupplier namesEpoch) {
    this.connections = connections;
    this.namesEpoch = namesEpoch;
  }

  /** Forgets the path, so that the next resolution reads it again. */
  void refresh() {
    schemas = null;
    functionSchemas = null;
    resolved = null;
  }

  /**
   * Returns the schemas an unqualified function call searches, in order: the path with
   * {@code pg_catalog} first unless it is listed, and without the temporary schema, which
   * PostgreSQL never searches for functions.
   */
  List<String> functionSchemas() throws SQLException {
    if (functionSchemas == null) {
      load();
    }
    return functionSchemas;
  }

  /**
   * Returns the resolver of name parts to the relations they denote, as they resolve now: an
   * unqualified name of a distributed table or view to the relation PostgreSQL finds first on
   * the session's path.
   */
  Function<List<String>, TableName> resolver(CatalogSnapshot snapshot) throws SQLException {
    Map<String, String> found = resolved(snapshot);
    List<String> path = schemas();
    // A name no distributed relation carries runs on the coordinator whatever its schema.
    String first = path.isEmpty() ? "public" : path.get(0);
    return names -> {
      int size = names.size();
      if (size >= 2) {
        return new TableName(names.get(size - 2), names.get(size - 1));
      }
      return new TableName(found.getOrDefault(names.get(0), first), names.get(0));
    };
  }

  private Map<String, String> resolved(CatalogSnapshot snapshot) throws SQLException {
    long epoch = namesEpoch.getAsLong();
    if (resolved != null && resolvedIn == snapshot && resolvedInEpoch == epoch) {
      return resolved;
    }
    Set<String> names = new TreeSet<>();
    snapshot.tables().forEach(each -> names.add(each.name().name()));
    snapshot.views().forEach(each -> names.add(each.name().name()));
    Map<String, String> result = new HashMap<>();
    if (!names.isEmpty()) {
      Connection coordinator = connections.coordinatorForSpar();
      try (PreparedStatement ps = coordinator.prepareStatement(RESOLVE)) {
        ps.setArray(1, coordinator.createArrayOf("text", names.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getString(2) != null) {
              result.put(rs.getString(1), rs.getString(2));
            }
          }
        }
      }
    }
    resolved = result;
    resolvedIn = snapshot;
    resolvedInEpoch = epoch;
    return result;
  }

  private List<String> schemas() throws SQLException {
    if (schemas == null) {
      load();
    }
    return schemas;
  }

  private void load() throws SQLException {
    List<String> tables = new ArrayList<>();
    List<String> functions = new ArrayList<>();
    try (PreparedStatement ps = connections.coordinatorForSpar().prepareStatement("SELECT"
            + " current_schemas(false), current_schemas(true), pg_my_temp_schema()::regnamespace");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        tables.addAll(strings(rs.getArray(1)));
        functions.addAll(strings(rs.getArray(2)));
        functions.remove(rs.getString(3));
      }
    }
    schemas = tables;
    functionSchemas = functions;
  }

  private static List<String> strings(Array array) throws SQLException {
    List<String> result = new ArrayList<>();
    for (Object each : (Object[]) array.getArray()) {
      result.add((String) each);
    }
    return result;
  }
}
