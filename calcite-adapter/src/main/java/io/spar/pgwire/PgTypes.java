package io.spar.pgwire;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Facts about PostgreSQL's built-in types (those of {@code pg_catalog} that PostgreSQL 15
 * creates at initdb, with fixed OIDs): OID, name, {@code typlen} and array element type.
 *
 * <p>Other types (extensions, domains, enums, composite types) have OIDs that differ from
 * database to database: for them {@link #oid(String)} returns 0 and the caller asks the
 * coordinator's {@code pg_type}.
 */
public final class PgTypes {
  /*
   * "name oid typlen arrayOid" of every built-in type that is not itself an array, as
   * pg_type of PostgreSQL 15 has them; each array type is "_" + its element's name, with
   * typlen -1. BinaryFormatTest checks this table against a real server's pg_type.
   */
  private static final String TABLE = ""
      + "bool 16 1 1000, bytea 17 -1 1001, char 18 1 1002, name 19 64 1003, "
      + "int8 20 8 1016, int2 21 2 1005, int2vector 22 -1 1006, int4 23 4 1007, "
      + "regproc 24 4 1008, text 25 -1 1009, oid 26 4 1028, tid 27 6 1010, "
      + "xid 28 4 1011, cid 29 4 1012, oidvector 30 -1 1013, pg_ddl_command 32 8 0, "
      + "json 114 -1 199, xml 142 -1 143, pg_node_tree 194 -1 0, "
      + "table_am_handler 269 4 0, index_am_handler 325 4 0, point 600 16 1017, "
      + "lseg 601 32 1018, path 602 -1 1019, box 603 32 1020, polygon 604 -1 1027, "
      + "line 628 24 629, cidr 650 -1 651, float4 700 4 1021, float8 701 8 1022, "
      + "unknown 705 -2 0, circle 718 24 719, macaddr8 774 8 775, money 790 8 791, "
      + "macaddr 829 6 1040, inet 869 -1 1041, aclitem 1033 12 1034, "
      + "bpchar 1042 -1 1014, varchar 1043 -1 1015, date 1082 4 1182, time 1083 8 1183, "
      + "timestamp 1114 8 1115, timestamptz 1184 8 1185, interval 1186 16 1187, "
      + "timetz 1266 12 1270, bit 1560 -1 1561, varbit 1562 -1 1563, "
      + "numeric 1700 -1 1231, refcursor 1790 -1 2201, regprocedure 2202 4 2207, "
      + "regoper 2203 4 2208, regoperator 2204 4 2209, regclass 2205 4 2210, "
      + "regtype 2206 4 2211, record 2249 -1 2287, cstring 2275 -2 1263, any 2276 4 0, "
      + "anyarray 2277 -1 0, void 2278 4 0, trigger 2279 4 0, language_handler 2280 4 0, "
      + "internal 2281 8 0, anyelement 2283 4 0, anynonarray 2776 4 0, "
      + "uuid 2950 16 2951, txid_snapshot 2970 -1 2949, fdw_handler 3115 4 0, "
      + "pg_lsn 3220 8 3221, tsm_handler 3310 4 0, pg_ndistinct 3361 -1 0, "
      + "pg_dependencies 3402 -1 0, anyenum 3500 4 0, tsvector 3614 -1 3643, "
      + "tsquery 3615 -1 3645, gtsvector 3642 -1 3644, regconfig 3734 4 3735, "
      + "regdictionary 3769 4 3770, jsonb 3802 -1 3807, anyrange 3831 -1 0, "
      + "event_trigger 3838 4 0, int4range 3904 -1 3905, numrange 3906 -1 3907, "
      + "tsrange 3908 -1 3909, tstzrange 3910 -1 3911, daterange 3912 -1 3913, "
      + "int8range 3926 -1 3927, jsonpath 4072 -1 4073, regnamespace 4089 4 4090, "
      + "regrole 4096 4 4097, regcollation 4191 4 4192, int4multirange 4451 -1 6150, "
      + "nummultirange 4532 -1 6151, tsmultirange 4533 -1 6152, "
      + "tstzmultirange 4534 -1 6153, datemultirange 4535 -1 6155, "
      + "int8multirange 4536 -1 6157, anymultirange 4537 -1 0, "
      + "anycompatiblemultirange 4538 -1 0, pg_brin_bloom_summary 4600 -1 0, "
      + "pg_brin_minmax_multi_summary 4601 -1 0, pg_mcv_list 5017 -1 0, "
      + "pg_snapshot 5038 -1 5039, xid8 5069 8 271, anycompatible 5077 4 0, "
      + "anycompatiblearray 5078 -1 0, anycompatiblenonarray 5079 4 0, "
      + "anycompatiblerange 5080 -1 0";

  private static final Map<String, Integer> OIDS = new HashMap<>();
  private static final Map<Integer, String> NAMES = new HashMap<>();
  private static final Map<Integer, Short> LENGTHS = new HashMap<>();
  private static final Map<Integer, Integer> ELEMENTS = new HashMap<>();

  /** The SQL spellings that name built-in types, besides their pg_type names. */
  private static final Map<String, String> ALIASES = Map.ofEntries(
      Map.entry("\"char\"", "char"),
      Map.entry("smallint", "int2"),
      Map.entry("integer", "int4"),
      Map.entry("int", "int4"),
      Map.entry("bigint", "int8"),
      Map.entry("real", "float4"),
      Map.entry("float", "float8"),
      Map.entry("double precision", "float8"),
      Map.entry("boolean", "bool"),
      Map.entry("decimal", "numeric"),
      Map.entry("dec", "numeric"),
      Map.entry("character", "bpchar"),
      Map.entry("char", "char"),
      Map.entry("character varying", "varchar"),
      Map.entry("bit varying", "varbit"),
      Map.entry("time without time zone", "time"),
      Map.entry("time with time zone", "timetz"),
      Map.entry("timestamp without time zone", "timestamp"),
      Map.entry("timestamp with time zone", "timestamptz"));

  static {
    for (String entry : TABLE.split(", ")) {
      String[] fields = entry.split(" ");
      int oid = Integer.parseInt(fields[1]);
      int arrayOid = Integer.parseInt(fields[3]);
      add(fields[0], oid, Short.parseShort(fields[2]), 0);
      if (arrayOid != 0) {
        add("_" + fields[0], arrayOid, (short) -1, oid);
      }
    }
  }

  private PgTypes() {
  }

  private static void add(String name, int oid, short length, int element) {
    OIDS.put(name, oid);
    NAMES.put(oid, name);
    LENGTHS.put(oid, length);
    if (element != 0) {
      ELEMENTS.put(oid, element);
    }
  }

  /**
   * Returns the OID of the built-in type {@code typeName}, or 0 if it names no built-in type.
   *
   * <p>Takes the names pgjdbc's {@code ResultSetMetaData.getColumnTypeName} returns
   * ({@code int4}, {@code _int4}, {@code bpchar}, {@code "char"} or {@code char} for the
   * one-byte type), and also SQL's spellings ({@code integer}, {@code character varying},
   * {@code timestamp with time zone}, {@code int4[]}, {@code pg_catalog.int4}); a type
   * modifier such as {@code (10,2)} is ignored. Unquoted names are folded to lower case, as
   * PostgreSQL folds them.
   */
  public static int oid(String typeName) {
    if (typeName == null) {
      return 0;
    }
    String name = typeName.trim();
    boolean array = false;
    while (name.endsWith("[]")) {
      // One element type has one array type, whatever the number of brackets.
      array = true;
      name = name.substring(0, name.length() - 2).trim();
    }
    if (name.startsWith("pg_catalog.")) {
      name = name.substring("pg_catalog.".length());
    } else if (name.startsWith("\"pg_catalog\".")) {
      name = name.substring("\"pg_catalog\".".length());
    }
    int modifier = name.indexOf('(');
    int close = modifier > 0 ? name.indexOf(')', modifier) : -1;
    if (close > 0) {
      // "timestamp(3) with time zone" keeps its words around the modifier.
      name = (name.substring(0, modifier).trim() + " " + name.substring(close + 1).trim())
          .trim();
    }
    Integer oid;
    if (name.length() > 2 && name.startsWith("\"") && name.endsWith("\"")
        && !name.equals("\"char\"")) {
      // A quoted name is the pg_type name itself, never one of SQL's spellings.
      oid = OIDS.get(name.substring(1, name.length() - 1));
    } else {
      name = name.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
      oid = OIDS.get(ALIASES.getOrDefault(name, name));
    }
    if (oid == null) {
      return 0;
    }
    if (!array) {
      return oid;
    }
    String arrayName = "_" + NAMES.get(oid);
    return ELEMENTS.containsKey(oid) ? 0 : OIDS.getOrDefault(arrayName, 0);
  }

  /**
   * Returns the {@code typlen} of built-in type {@code oid}: its size in bytes if it has a
   * fixed one, -1 for types of variable length, -2 for C strings ({@code unknown},
   * {@code cstring}); -1 for types that are not built in, whose length is not known here.
   */
  public static short length(int oid) {
    return LENGTHS.getOrDefault(oid, (short) -1);
  }

  /**
   * Returns the element type of the built-in array type {@code arrayOid} (the one whose text
   * form is an array literal such as <code>{1,2}</code>), or 0 if it is not one.
   * {@code int2vector} and {@code oidvector}, whose text is a list separated by spaces, are
   * not arrays in this sense.
   */
  public static int arrayElement(int arrayOid) {
    return ELEMENTS.getOrDefault(arrayOid, 0);
  }

  /**
   * Returns the pg_type name of built-in type {@code oid} ({@code int4}, {@code _text},
   * {@code char} for the one-byte type), or null if it is not built in.
   */
  public static String name(int oid) {
    return NAMES.get(oid);
  }
}
