package io.spar.session;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.SessionConnections;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The session's schema search path, used to resolve unqualified table and function names as
 * PostgreSQL would; refreshed after statements that may change it.
 */
final class SearchPath {
  private final SessionConnections connections;
  private List<String> schemas;
  private List<String> functionSchemas;

  SearchPath(SessionConnections connections) {
    this.connections = connections;
  }

  /** Forgets the path, so that the next resolution reads it again. */
  void refresh() {
    schemas = null;
    functionSchemas = null;
  }

  /**
   * Returns the schemas an unqualified function call searches, in order: the path with
   * {@code pg_catalog} first unless it is listed, and without the temporary schema, which
   * PostgreSQL never searches for functions.
   */
  List<String> functionSchemas() {
    if (functionSchemas == null) {
      load();
    }
    return functionSchemas;
  }

  /** Returns the table that name parts {@code names} denote among {@code snapshot}'s tables. */
  TableName resolve(List<String> names, CatalogSnapshot snapshot) {
    int size = names.size();
    if (size >= 2) {
      return new TableName(names.get(size - 2), names.get(size - 1));
    }
    List<String> path = schemas();
    for (String each : path) {
      TableName candidate = new TableName(each, names.get(0));
      if (snapshot.table(candidate).isPresent() || snapshot.view(candidate).isPresent()) {
        return candidate;
      }
    }
    return new TableName(path.isEmpty() ? "public" : path.get(0), names.get(0));
  }

  private List<String> schemas() {
    if (schemas == null) {
      load();
    }
    return schemas;
  }

  private void load() {
    List<String> tables = new ArrayList<>();
    List<String> functions = new ArrayList<>();
    try (PreparedStatement ps = connections.coordinator().prepareStatement("SELECT"
            + " current_schemas(false), current_schemas(true), pg_my_temp_schema()::regnamespace");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        tables.addAll(strings(rs.getArray(1)));
        functions.addAll(strings(rs.getArray(2)));
        functions.remove(rs.getString(3));
      }
    } catch (SQLException e) {
      tables.add("public");
      functions.addAll(List.of("pg_catalog", "public"));
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
