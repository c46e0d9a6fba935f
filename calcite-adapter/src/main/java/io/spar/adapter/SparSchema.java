package io.spar.adapter;

import io.spar.planner.exec.ScanSource;
import io.spar.engine.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/**
 * Schema over one PostgreSQL schema of the coordinator: every table, view and partitioned table
 * in it, with columns read from {@code pg_attribute}.
 *
 * <p>Tables are served from a map of this class's own, rebuilt when the engine's metadata
 * generation changes (on any catalog change or DDL), so Calcite's schema is never mutated.
 */
final class SparSchema extends AbstractSchema {
  private static final String COLUMNS_SQL = "SELECT c.relname, a.attname, t.typname,"
      + " a.atttypmod, a.attnotnull"
      + " FROM pg_catalog.pg_class c"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
      + "  AND a.attnum > 0 AND NOT a.attisdropped"
      + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
      + " WHERE n.nspname = ? AND c.relkind IN ('r', 'v', 'm', 'p', 'f')"
      + " ORDER BY c.relname, a.attnum";

  /** Tables loaded at one metadata generation. */
  private record Loaded(long generation, long namesEpoch, Map<String, Table> tables) {
  }

  private final String name;
  private final ScanSource source;
  private final CatalogConnection catalog;
  private volatile Loaded loaded;

  /** Creates the schema {@code name}, reading the catalog through {@code catalog}. */
  SparSchema(String name, ScanSource source, CatalogConnection catalog) {
    this.name = name;
    this.source = source;
    this.catalog = catalog;
  }

  /** Supplier of the coordinator connection that catalog queries use. */
  @FunctionalInterface
  interface CatalogConnection {
    /** Returns the connection; the caller does not close it. */
    Connection get() throws SQLException;
  }

  @Override
  protected Map<String, Table> getTableMap() {
    // Any DDL may have made or changed tables, including DDL that keeps the catalog generation.
    long generation = source.engine().metadata().generation();
    long namesEpoch = source.engine().metadata().namesEpoch();
    Loaded current = loaded;
    if (current == null || current.generation() != generation
        || current.namesEpoch() != namesEpoch) {
      current = new Loaded(generation, namesEpoch, load());
      loaded = current;
    }
    return current.tables();
  }

  /** Drops the loaded tables so that the next lookup reads the catalog again. */
  void refresh() {
    loaded = null;
  }

  private Map<String, Table> load() {
    Map<String, List<PgColumn>> columns = new LinkedHashMap<>();
    try (PreparedStatement statement = catalog.get().prepareStatement(COLUMNS_SQL)) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new PgColumn(
              rs.getString(2), rs.getString(3), rs.getInt(4), rs.getBoolean(5)));
        }
      }
    } catch (SQLException e) {
      throw new CatalogReadException(e);
    }
    Map<String, Table> result = new LinkedHashMap<>();
    columns.forEach((table, list) ->
        result.put(table, new SparTable(new TableName(name, table), list, source)));
    return Map.copyOf(result);
  }

  /** Unchecked carrier of a failed catalog query through Calcite's schema lookups. */
  static final class CatalogReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CatalogReadException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
