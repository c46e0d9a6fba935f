package io.spar.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.parser.SqlParsing;
import io.spar.router.FunctionVolatility.Volatility;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8: column defaults that the shards do not keep, and strings that name a
 * moment, are computed once at the coordinator, so that the placements of a replicated shard
 * store the same values; where that cannot be done right, the statement is refused.
 */
class CoordinatorValuesTest {
  private static final FunctionVolatility JUDGE =
      FunctionVolatilityTest.judge(List.of("pg_catalog", "public"), Set.of());
  private static final String TIMESTAMPTZ = "timestamp with time zone";

  private static final TargetColumns COLUMNS;

  static {
    try {
      COLUMNS = new TargetColumns(ColumnDefaults.fromRows(List.of(
          column("id", "bigint", "nextval('t_id_seq'::regclass)", false),
          column("tenant", "integer", "1", true),
          column("created_at", TIMESTAMPTZ, "clock_timestamp()", false),
          column("updated_at", TIMESTAMPTZ, "now()", false),
          column("token", "uuid", "gen_random_uuid()", false),
          column("n", "integer", "7", true),
          column("note", "text", null, false),
          column("day", "date", null, false),
          column("tags", "text[]", "'{}'::text[]", true),
          new Object[] {"g", "integer", "(n * 2)", false, true, false}), JUDGE),
          ColumnTypes.of(Map.ofEntries(type("id", "int8"), type("tenant", "int4"),
              type("created_at", "timestamptz"), type("updated_at", "timestamptz"),
              type("token", "uuid"), type("n", "int4"), type("note", "text"),
              type("day", "date"), type("tags", "_text"), type("g", "int4"))),
          "tenant");
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Test
  void defaultsThatShardsKeepStayWithThem() {
    ColumnDefaults defaults = COLUMNS.defaults();
    assertTrue(defaults.column("id").orElseThrow().evaluatedAtCoordinator());
    assertTrue(defaults.column("updated_at").orElseThrow().evaluatedAtCoordinator());
    assertFalse(defaults.column("n").orElseThrow().evaluatedAtCoordinator());
    assertFalse(defaults.column("g").orElseThrow().evaluatedAtCoordinator());
    // Spar's parser cannot read '{}'::text[]; PostgreSQL proved it IMMUTABLE, so shards keep it.
    assertFalse(defaults.column("tags").orElseThrow().evaluatedAtCoordinator());
    assertEquals(Volatility.STABLE, defaults.column("updated_at").orElseThrow().volatility());
  }

  @Test
  void insertsNameEveryColumnTheCoordinatorFills() throws SQLException {
    assertEquals("INSERT INTO t (tenant, note, \"id\", \"created_at\", \"updated_at\", \"token\")"
        + " VALUES (1, 'a', DEFAULT, DEFAULT, DEFAULT, DEFAULT),"
        + " ((1 + 2), $1 , DEFAULT, DEFAULT, DEFAULT, DEFAULT)",
        complete("INSERT INTO t (tenant, note) VALUES (1, 'a'), ((1 + 2), $1 )"));
    assertEquals("INSERT INTO t VALUES (5, 1, DEFAULT, DEFAULT, DEFAULT) RETURNING id",
        complete("INSERT INTO t VALUES (5, 1) RETURNING id"));
    assertEquals("INSERT INTO t AS x VALUES (DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT)",
        complete("INSERT INTO t AS x DEFAULT VALUES"));
    String complete = "INSERT INTO t (token, updated_at, created_at, tenant, id)"
        + " VALUES (?, ?, ?, ?, ?)";
    assertEquals(complete, complete(complete));
    String wide = "INSERT INTO t VALUES (1, 2, now(), now(), NULL, 7)";
    assertEquals(wide, complete(wide));
    PSQLException e = assertThrows(PSQLException.class,
        () -> complete("INSERT INTO t (n) DEFAULT VALUES"));
    assertEquals("42601", e.getSQLState());
  }

  @Test
  void defaultsInValuesComeFromTheCoordinatorOncePerRow() throws SQLException {
    List<CoordinatorValue> values = analyze(complete(
        "INSERT INTO t (tenant, n, note) VALUES (DEFAULT, DEFAULT, 'a'), (2, 3, 'b')"));
    assertEquals(List.of("1 integer", "nextval('t_id_seq'::regclass) bigint",
        "clock_timestamp() " + TIMESTAMPTZ, "now() " + TIMESTAMPTZ,
        "gen_random_uuid() uuid", "nextval('t_id_seq'::regclass) bigint",
        "clock_timestamp() " + TIMESTAMPTZ, "now() " + TIMESTAMPTZ, "gen_random_uuid() uuid"),
        values.stream().map(each -> each.expression() + " " + each.type()).toList());
  }

  @Test
  void updatesSetStableDefaultsOnceAndRefuseVolatileOnes() throws SQLException {
    List<CoordinatorValue> values = analyze(
        "UPDATE t SET updated_at = DEFAULT, n = DEFAULT WHERE tenant = 1");
    assertEquals(1, values.size());
    assertEquals("now()", values.get(0).expression());
    PSQLException e = assertThrows(PSQLException.class,
        () -> analyze("UPDATE t SET created_at = DEFAULT WHERE tenant = 1"));
    assertEquals("0A000", e.getSQLState());
    assertEquals("The default of column \"created_at\" is VOLATILE: clock_timestamp().",
        e.getServerErrorMessage().getDetail());
    assertThrows(PSQLException.class, () -> analyze("INSERT INTO t (tenant) VALUES (1)"
        + " ON CONFLICT (tenant) DO UPDATE SET id = DEFAULT"));
  }

  @Test
  void stringsThatNameAMomentAreReadOnceAsTheirColumnsType() throws SQLException {
    assertEquals(List.of("'now' " + TIMESTAMPTZ, "' Tomorrow ' date"), typed(analyze(
        "INSERT INTO t (tenant, created_at, note, day) VALUES (1, 'now', 'today', ' Tomorrow ')")));
    assertEquals(List.of("'yesterday' date", "'today' " + TIMESTAMPTZ,
        "'now' " + TIMESTAMPTZ, "'today' date", "'tomorrow' date"), typed(analyze(
        "UPDATE t SET day = 'yesterday', note = 'now' WHERE 'today' < created_at"
            + " AND created_at BETWEEN '2020-01-01' AND 'now' AND day IN ('today', 'tomorrow')"
            + " AND note LIKE '%today%'")));
    List<CoordinatorValue> nested = analyze("INSERT INTO t (tenant, note) VALUES (1, 'today' || '!')");
    assertEquals(1, nested.size());
    assertEquals(null, nested.get(0).type(), "evaluated whole, as PostgreSQL types it");
  }

  @Test
  void stringsThatNameAMomentWhereTheirTypeIsUnknownAreRefused() {
    for (String sql : List.of("DELETE FROM t WHERE day + 1 > 'today'",
        "UPDATE t SET note = 'x' WHERE coalesce(day, 'today') = day",
        "UPDATE t SET updated_at = greatest(updated_at, 'now') WHERE tenant = 1")) {
      PSQLException e = assertThrows(PSQLException.class, () -> analyze(sql), sql);
      assertEquals("0A000", e.getSQLState(), sql);
      assertTrue(e.getMessage().contains("strings that name a moment must have a known type"),
          e.getMessage());
    }
  }

  @Test
  void parametersAreReadOnceOnlyWhenBoundToAMoment() throws SQLException {
    List<CoordinatorValue> values = analyze(
        "UPDATE t SET created_at = ? WHERE day = ? AND note = ? AND id = ?");
    assertEquals(2, values.size());
    assertEquals(TIMESTAMPTZ, values.get(0).type());
    assertEquals("date", values.get(1).type());
    List<Object> bound = Arrays.asList("now", "2024-01-01", "today", 5L);
    assertTrue(values.get(0).needed(bound));
    assertFalse(values.get(1).needed(bound));
    assertTrue(values.get(1).needed(Arrays.asList(null, "TODAY", "x", 5L)));
  }

  private static List<String> typed(List<CoordinatorValue> values) {
    return values.stream().map(each -> each.node() + " " + each.type()).toList();
  }

  private static List<CoordinatorValue> analyze(String sql) throws SQLException {
    return ModificationAnalysis.coordinatorEvaluated(SqlParsing.parse(sql), JUDGE, COLUMNS);
  }

  private static String complete(String sql) throws SQLException {
    SqlNode statement = SqlParsing.parse(sql);
    return InsertCompletion.complete(sql, (SqlInsert) statement,
        new ShardSqlSplicer(sql, statement), COLUMNS.defaults(), COLUMNS.partitionColumn());
  }

  private static Object[] column(String name, String type, String expression, boolean kept) {
    return new Object[] {name, type, expression, kept, false, false};
  }

  private static Map.Entry<String, ColumnTypes.Type> type(String column, String name) {
    return Map.entry(column, new ColumnTypes.Type("pg_catalog", name, null,
        ColumnTypes.Type.UNCONSTRAINED));
  }
}
