package io.spar.engine.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * The functions installed on the coordinator, read from {@code pg_proc} by name, and the
 * operators whose functions are VOLATILE.
 *
 * <p>Because the catalog is the source, functions of any installed extension are known without
 * a hard-coded list. Overloads are cached per name and dropped when the metadata generation
 * changes, which happens on every DDL statement Spar runs (CREATE EXTENSION, CREATE FUNCTION)
 * and on catalog notifications. Thread-safe.
 */
public final class PgFunctions {
  private static final String OVERLOADS_SQL = "SELECT n.nspname, p.proname,"
      + " ARRAY(SELECT t.typname::text FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY"
      + "   AS a(type, position) JOIN pg_catalog.pg_type t ON t.oid = a.type"
      + "   ORDER BY a.position) AS arguments,"
      + " r.typname, p.provolatile, p.prokind, p.provariadic <> 0, p.pronargdefaults,"
      + " pg_catalog.pg_function_is_visible(p.oid)"
      + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_type r ON r.oid = p.prorettype"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
      + " WHERE p.proname = ? ORDER BY p.oid";

  private static final String VOLATILE_OPERATORS_SQL = "SELECT DISTINCT o.oprname"
      + " FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode"
      + " WHERE p.provolatile = 'v'";

  /** The overloads of one name: in every schema, and those visible on the default path. */
  private record Overloads(List<PgFunction> all, List<PgFunction> visible) {
  }

  /** Overloads and volatile operators loaded at one metadata generation. */
  private static final class Cache {
    final long generation;
    final Map<String, Overloads> byName = new ConcurrentHashMap<>();
    volatile Set<String> volatileOperators;

    Cache(long generation) {
      this.generation = generation;
    }
  }

  private final DataSource coordinator;
  private final LongSupplier generation;
  private volatile Cache cache = new Cache(-1);

  /**
   * Creates a catalog of the functions on {@code coordinator}, invalidated whenever
   * {@code generation} returns a new value.
   */
  public PgFunctions(DataSource coordinator, LongSupplier generation) {
    this.coordinator = coordinator;
    this.generation = generation;
  }

  /**
   * Returns the overloads of {@code name} (exact, already folded as PostgreSQL folds
   * identifiers) that are visible on the coordinator's default {@code search_path}, as an
   * unqualified call would resolve them, in {@code pg_proc} order; empty if there is none.
   *
   * @throws CatalogReadException if the coordinator cannot be queried
   */
  public List<PgFunction> lookup(String name) {
    return overloadsOf(name).visible();
  }

  /**
   * Returns the overloads of {@code name} in every schema, in {@code pg_proc} order, for
   * callers that resolve names against a session's own search path or a schema.
   *
   * @throws CatalogReadException if the coordinator cannot be queried
   */
  public List<PgFunction> overloads(String name) {
    return overloadsOf(name).all();
  }

  /** Returns whether some overload of function {@code name}, in any schema, is an aggregate. */
  public boolean isAggregate(String name) {
    return overloads(name).stream().anyMatch(each -> each.kind() == 'a');
  }

  /**
   * Returns the names of the operators ({@code pg_operator.oprname}) implemented by a
   * VOLATILE function in any schema.
   *
   * @throws CatalogReadException if the coordinator cannot be queried
   */
  public Set<String> volatileOperators() {
    Cache current = current();
    Set<String> names = current.volatileOperators;
    if (names == null) {
      names = loadVolatileOperators();
      current.volatileOperators = names;
    }
    return names;
  }

  /** Drops every cached overload, so that the next lookup reads the catalog again. */
  public void invalidate() {
    cache = new Cache(-1);
  }

  private Overloads overloadsOf(String name) {
    return current().byName.computeIfAbsent(name, this::load);
  }

  private Cache current() {
    long now = generation.getAsLong();
    Cache current = cache;
    if (current.generation != now) {
      current = new Cache(now);
      cache = current;
    }
    return current;
  }

  private Overloads load(String name) {
    List<PgFunction> all = new ArrayList<>();
    List<PgFunction> visible = new ArrayList<>();
    try (Connection connection = coordinator.getConnection();
        PreparedStatement statement = connection.prepareStatement(OVERLOADS_SQL)) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          PgFunction function = new PgFunction(rs.getString(1), rs.getString(2),
              textArray(rs.getArray(3)), rs.getString(4), rs.getString(5).charAt(0),
              rs.getString(6).charAt(0), rs.getBoolean(7), rs.getInt(8));
          all.add(function);
          if (rs.getBoolean(9)) {
            visible.add(function);
          }
        }
      }
    } catch (SQLException e) {
      throw new CatalogReadException(e);
    }
    return new Overloads(List.copyOf(all), List.copyOf(visible));
  }

  private Set<String> loadVolatileOperators() {
    Set<String> names = new HashSet<>();
    try (Connection connection = coordinator.getConnection();
        PreparedStatement statement = connection.prepareStatement(VOLATILE_OPERATORS_SQL);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new CatalogReadException(e);
    }
    return Set.copyOf(names);
  }

  private static List<String> textArray(Array array) throws SQLException {
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }

  /** Unchecked carrier of a failed {@code pg_proc} query through callers such as Calcite. */
  public static final class CatalogReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates a carrier of {@code cause}, keeping its message and SQLState in the chain. */
    public CatalogReadException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
