package io.spar.router;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The types of a distributed table's columns as far as write classes need them: each column's
 * base type after domains are resolved, the extension that owns that type, and the smallest
 * numeric scale any type modifier along the way imposes.
 *
 * <p>Read from the coordinator's shell table with {@link #QUERY}; a plan keeps its table's
 * types for as long as it is cached, which ends when the catalog changes.
 */
public final class ColumnTypes {
  /**
   * The catalog query for a relation's column types; its one parameter is the relation's oid.
   * Each row holds the column name, the base type's schema and name, the owning extension's
   * name or null, and the type modifiers of the column and its domains, comma-separated.
   */
  public static final String QUERY = "WITH RECURSIVE chain(attname, type, typmod) AS ("
      + " SELECT a.attname, a.atttypid, a.atttypmod FROM pg_catalog.pg_attribute a"
      + " WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped"
      + " UNION ALL SELECT c.attname, t.typbasetype, t.typtypmod FROM chain c"
      + " JOIN pg_catalog.pg_type t ON t.oid = c.type WHERE t.typtype = 'd')"
      + " SELECT c.attname::text, n.nspname::text, t.typname::text,"
      + " (SELECT e.extname::text FROM pg_catalog.pg_depend d"
      + "  JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid"
      + "  WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid"
      + "  AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'),"
      + " array_to_string(ARRAY(SELECT m.typmod FROM chain m"
      + "  WHERE m.attname = c.attname AND m.typmod <> -1), ',')"
      + " FROM chain c JOIN pg_catalog.pg_type t ON t.oid = c.type"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype <> 'd'";

  /** The pg_catalog types whose input reads now, today, tomorrow and yesterday. */
  private static final Set<String> MOMENT_TYPES = Set.of("date", "time", "timetz", "timestamp",
      "timestamptz", "daterange", "tsrange", "tstzrange", "datemultirange", "tsmultirange",
      "tstzmultirange");

  /** Types of no column, for statements whose class does not depend on types. */
  public static final ColumnTypes NONE = new ColumnTypes(Map.of());

  /** Offset PostgreSQL adds to a declared numeric modifier (VARHDRSZ). */
  private static final int HEADER_SIZE = 4;

  /**
   * The base type of one column.
   *
   * @param schema the base type's schema, such as {@code pg_catalog}
   * @param name the base type's {@code pg_type.typname}, such as {@code int4}
   * @param extension the extension that owns the base type, or null
   * @param scale for numeric, the smallest scale a modifier imposes, or {@link #UNCONSTRAINED}
   */
  public record Type(String schema, String name, String extension, int scale) {
    /** Scale of a numeric without a declared scale anywhere along its domains. */
    public static final int UNCONSTRAINED = Integer.MAX_VALUE;

    /** Returns whether the type is smallint, integer or bigint. */
    public boolean isInteger() {
      return schema.equals("pg_catalog") && List.of("int2", "int4", "int8").contains(name);
    }

    /** Returns whether the type is numeric. */
    public boolean isNumeric() {
      return schema.equals("pg_catalog") && name.equals("numeric");
    }

    /**
     * Returns whether reading a string as this type may read the current moment: the date and
     * time types and their arrays and ranges ({@code 'today'}, {@code '{now}'},
     * {@code '[today,tomorrow)'}), and, since their input functions are not known here, every
     * type outside {@code pg_catalog}.
     */
    public boolean mayReadMoments() {
      String element = name.startsWith("_") ? name.substring(1) : name;
      return !schema.equals("pg_catalog") || MOMENT_TYPES.contains(element);
    }

    /** Returns whether the type is the hll extension's HyperLogLog. */
    public boolean isHll() {
      return "hll".equals(extension) && name.equals("hll");
    }
  }

  private final Map<String, Type> byColumn;

  private ColumnTypes(Map<String, Type> byColumn) {
    this.byColumn = Map.copyOf(byColumn);
  }

  /** Creates the types of the columns in {@code byColumn}. */
  public static ColumnTypes of(Map<String, Type> byColumn) {
    return new ColumnTypes(byColumn);
  }

  /** Creates the types from the rows {@link #QUERY} returned. */
  public static ColumnTypes fromRows(List<Object[]> rows) {
    Map<String, Type> byColumn = new HashMap<>();
    for (Object[] row : rows) {
      String name = (String) row[2];
      int scale = Type.UNCONSTRAINED;
      if (name.equals("numeric") && !((String) row[4]).isEmpty()) {
        for (String each : ((String) row[4]).split(",")) {
          scale = Math.min(scale, numericScale(Integer.parseInt(each)));
        }
      }
      byColumn.put((String) row[0], new Type((String) row[1], name, (String) row[3], scale));
    }
    return new ColumnTypes(byColumn);
  }

  /** Returns the type of {@code column}, if the table has it. */
  public Optional<Type> type(String column) {
    return Optional.ofNullable(byColumn.get(column));
  }

  /** Returns the scale in a numeric type modifier, which PostgreSQL 15 allows negative. */
  private static int numericScale(int typmod) {
    int packed = typmod - HEADER_SIZE;
    return ((packed & 0x7ff) ^ 1024) - 1024;
  }
}
