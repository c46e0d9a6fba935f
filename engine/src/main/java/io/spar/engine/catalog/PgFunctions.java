package io.spar.engine.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * The functions installed on the coordinator, read from {@code pg_proc} by name.
 *
 * <p>Because the catalog is the source, functions of any installed extension are known without
 * a hard-coded list. Overloads are cached per name and dropped when the metadata generation
 * changes, which happens on every DDL statement Spar runs (CREATE EXTENSION, CREATE FUNCTION)
 * and on catalog notifications. Only functions visible on the coordinator's default
 * {@code search_path} are returned, as an unqualified call would resolve them. Thread-safe.
 */
public final class PgFunctions {
  private static final String OVERLOADS_SQL = "SELECT p.proname,"
      + " ARRAY(SELECT t.typname::text FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY"
      + "   AS a(type, position) JOIN pg_catalog.pg_type t ON t.oid = a.type"
      + "   ORDER BY a.position) AS arguments,"
      + " r.typname, p.provolatile, p.prokind, p.provariadic <> 0"
      + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_type r ON r.oid = p.prorettype"
      + " WHERE p.proname = ? AND pg_catalog.pg_function_is_visible(p.oid)"
      + " ORDER BY p.oid";

  /** Overloads loaded at one metadata generation. */
  private record Cache(long generation, Map<String, List<PgFunction>> byName) {
  }

  private final DataSource coordinator;
  private final LongSupplier generation;
  private volatile Cache cache = new Cache(-1, new ConcurrentHashMap<>());

  /**
   * Creates a catalog of the functions on {@code coordinator}, invalidated whenever
   * {@code generation} returns a new value.
   */
  public PgFunctions(DataSource coordinator, LongSupplier generation) {
    this.coordinator = coordinator;
    this.generation = generation;
  }

  /**
   * Returns every overload of {@code name} (exact, already folded as PostgreSQL folds
   * identifiers), in {@code pg_proc} order; empty if there is none.
   *
   * @throws CatalogReadException if the coordinator cannot be queried
   */
  public List<PgFunction> lookup(String name) {
    return current().byName().computeIfAbsent(name, this::load);
  }

  /**
   * Returns the most volatile volatility among the overloads of {@code name} ({@code 'v'} over
   * {@code 's'} over {@code 'i'}), or empty if no such function exists. Callers that must be
   * safe whichever overload PostgreSQL picks, such as the write path deciding whether a value
   * may be computed once and sent to every placement, use this.
   */
  public Optional<Character> volatility(String name) {
    return lookup(name).stream().map(PgFunction::volatility)
        .reduce((a, b) -> rank(a) >= rank(b) ? a : b);
  }

  /** Drops every cached overload, so that the next lookup reads the catalog again. */
  public void invalidate() {
    cache = new Cache(-1, new ConcurrentHashMap<>());
  }

  private static int rank(char volatility) {
    return switch (volatility) {
      case 'i' -> 0;
      case 's' -> 1;
      default -> 2;
    };
  }

  private Cache current() {
    long now = generation.getAsLong();
    Cache current = cache;
    if (current.generation() != now) {
      current = new Cache(now, new ConcurrentHashMap<>());
      cache = current;
    }
    return current;
  }

  private List<PgFunction> load(String name) {
    List<PgFunction> result = new ArrayList<>();
    try (Connection connection = coordinator.getConnection();
        PreparedStatement statement = connection.prepareStatement(OVERLOADS_SQL)) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          result.add(new PgFunction(rs.getString(1), textArray(rs.getArray(2)),
              rs.getString(3), rs.getString(4).charAt(0), rs.getString(5).charAt(0),
              rs.getBoolean(6)));
        }
      }
    } catch (SQLException e) {
      throw new CatalogReadException(e);
    }
    return List.copyOf(result);
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
