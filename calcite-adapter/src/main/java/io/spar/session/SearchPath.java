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
 * The session's schema search path, used to resolve unqualified table names as PostgreSQL
 * would; refreshed after statements that may change it.
 */
final class SearchPath {
  private final SessionConnections connections;
  private List<String> schemas;

  SearchPath(SessionConnections connections) {
    this.connections = connections;
  }

  /** Forgets the path, so that the next resolution reads it again. */
  void refresh() {
    schemas = null;
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
      schemas = load();
    }
    return schemas;
  }

  private List<String> load() {
    List<String> result = new ArrayList<>();
    try (PreparedStatement ps =
            connections.coordinator().prepareStatement("SELECT current_schemas(false)");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        Array array = rs.getArray(1);
        for (Object each : (Object[]) array.getArray()) {
          result.add((String) each);
        }
      }
    } catch (SQLException e) {
      result.add("public");
    }
    return result;
  }
}
