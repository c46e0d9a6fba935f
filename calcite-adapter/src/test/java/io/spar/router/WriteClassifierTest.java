package io.spar.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.execution.WriteClass;
import io.spar.parser.SqlParsing;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Test case for issue 8: write classes follow column types and operators, so that only
 * assignments whose order cannot matter ({@code n = n + 1} on an integer, hll's {@code ||})
 * are commutative, and text or array concatenation is not; plain inserts are a class of their
 * own, the only one that shares the shard lock.
 */
class WriteClassifierTest {
  private static final ColumnTypes.Type INT4 = builtin("int4");
  private static final ColumnTypes TYPES = ColumnTypes.of(Map.ofEntries(
      Map.entry("id", builtin("int8")),
      Map.entry("n", INT4),
      Map.entry("m", builtin("int2")),
      Map.entry("big", builtin("int8")),
      Map.entry("amount", builtin("numeric")),
      Map.entry("price", new ColumnTypes.Type("pg_catalog", "numeric", null, 2)),
      Map.entry("hundreds", new ColumnTypes.Type("pg_catalog", "numeric", null, -2)),
      Map.entry("ratio", builtin("float8")),
      Map.entry("real4", builtin("float4")),
      Map.entry("cash", builtin("money")),
      Map.entry("span", builtin("interval")),
      Map.entry("at", builtin("timestamptz")),
      Map.entry("day", builtin("date")),
      Map.entry("name", builtin("text")),
      Map.entry("label", builtin("varchar")),
      Map.entry("raw", builtin("bytea")),
      Map.entry("tags", builtin("_text")),
      Map.entry("doc", builtin("jsonb")),
      Map.entry("users", new ColumnTypes.Type("public", "hll", "hll", Integer.MAX_VALUE)),
      Map.entry("fake", new ColumnTypes.Type("public", "hll", null, Integer.MAX_VALUE)),
      Map.entry("int4", new ColumnTypes.Type("public", "int4", null, Integer.MAX_VALUE))));

  private static final String C = "COMMUTATIVE";
  private static final String I = "IDEMPOTENT";
  private static final String N = "NON_COMMUTATIVE";

  static Stream<Arguments> assignments() {
    return Stream.of(
        // || is commutative only for hll's union.
        row("name = name || 'x'", N),
        row("label = label || 'x'", N),
        row("name = 'x' || name", N),
        row("tags = tags || ARRAY['a']", N),
        row("tags = ARRAY['a'] || tags", N),
        row("raw = raw || 'x'", N),
        row("doc = doc || '{\"a\": 1}'", N),
        row("users = users || hll_hash_text('foobar')", C),
        row("users = hll_hash_text('foobar') || users", C),
        row("users = users || hll_hash_text('a') || hll_hash_text('b')", C),
        row("users = users || hll_hash_text(name)", N),
        row("fake = fake || 'x'", N),
        // + and - on exact integer and numeric types.
        row("n = n + 1", C),
        row("n = 1 + n", C),
        row("n = n - 2", C),
        row("n = n + 1 + 2", C),
        row("n = n + -3", C),
        row("n = n + (2 * 3)", C),
        row("n = n + 2.0", C),
        row("n = n + 1.5", N),
        row("n = n + 0.5 + 0.5", N),
        row("n = n + '7'", C),
        row("n = n + NULL", C),
        row("n = n + 1::int8", C),
        row("n = n + CAST(2.5 AS integer)", C),
        row("n = n + 2.5::float8", N),
        row("n = n * 2", N),
        row("n = 2 - n", N),
        row("n = n + m", N),
        row("n = m + 1", N),
        row("n = n + (SELECT 1)", N),
        row("n = t.n + 1", C),
        row("m = m - 1, big = big + 10", C),
        row("amount = amount - 0.125", C),
        row("amount = amount + 1e3", C),
        row("amount = amount + 2.5::numeric", C),
        row("amount = amount + 2.5::float8", N),
        row("amount = amount + 2.5::float8::numeric", C),
        row("price = price + 0.01", C),
        row("price = price + 1", C),
        row("price = price + 0.005", N),
        row("price = price + 0.0100", C),
        row("price = price + 2.5::numeric(4, 1)", C),
        row("price = price + 2.5::numeric", C),
        row("price = price + 2.555::numeric", N),
        row("hundreds = hundreds + 1", N),
        // Float, money, intervals and time are not commutative.
        row("ratio = ratio + 1", N),
        row("real4 = real4 + 1", N),
        row("cash = cash + 1", N),
        row("span = span + interval '1 day'", N),
        row("at = at + interval '1 day'", N),
        row("day = day + 1", N),
        row("int4 = int4 + 1", N),
        row("missing = missing + 1", N),
        // Values that read no column are idempotent; mixtures are neither.
        row("name = 'x'", I),
        row("n = 5, name = 'x'", I),
        row("at = current_timestamp", I),
        row("n = n + 1, name = 'x'", N),
        row("n = m", N));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("assignments")
  void classifiesAssignmentsByColumnTypeAndOperator(String set, String expected)
      throws SQLException {
    assertEquals(WriteClass.valueOf(expected),
        classify("UPDATE t SET " + set + " WHERE id = 1", List.of()), set);
  }

  @Test
  void parametersCommuteOnlyWithExactValues() throws SQLException {
    String increment = "UPDATE t SET n = n + ? WHERE id = ?";
    assertEquals(WriteClass.COMMUTATIVE, classify(increment, List.of(5, 1L)));
    assertEquals(WriteClass.COMMUTATIVE, classify(increment, List.of(5L, 1L)));
    assertEquals(WriteClass.COMMUTATIVE, classify(increment, Arrays.asList(null, 1L)));
    assertEquals(WriteClass.COMMUTATIVE, classify(increment, List.of(new BigDecimal("2.00"), 1L)));
    assertEquals(WriteClass.NON_COMMUTATIVE, classify(increment, List.of(0.5, 1L)));
    assertEquals(WriteClass.NON_COMMUTATIVE, classify(increment, List.of(1.0, 1L)));
    assertEquals(WriteClass.NON_COMMUTATIVE,
        classify(increment, List.of(new BigDecimal("0.5"), 1L)));
    assertEquals(WriteClass.NON_COMMUTATIVE, classify(increment, List.of()),
        "a parameter without a value may be anything");
    assertEquals(WriteClass.COMMUTATIVE, classify("UPDATE t SET n = n + $1::int WHERE id = $2",
        List.of(0.5, 1L)));
    String price = "UPDATE t SET price = price - ? WHERE id = ?";
    assertEquals(WriteClass.COMMUTATIVE, classify(price, List.of(new BigDecimal("1.50"), 1L)));
    assertEquals(WriteClass.NON_COMMUTATIVE,
        classify(price, List.of(new BigDecimal("1.505"), 1L)));
    assertEquals(WriteClass.COMMUTATIVE, classify("UPDATE t SET amount = amount + ? WHERE id = 1",
        List.of(new BigDecimal("1.505"))));
    assertEquals(WriteClass.NON_COMMUTATIVE, classify(
        "UPDATE t SET amount = amount + ? WHERE id = 1", List.of(1.5)));
  }

  @Test
  void insertsDeletesAndUpsertsKeepTheirClasses() throws SQLException {
    assertEquals(WriteClass.INSERT, classify("INSERT INTO t (id, n) VALUES (1, 1)",
        List.of()));
    assertEquals(WriteClass.IDEMPOTENT, classify("DELETE FROM t WHERE id = 1", List.of()));
    assertEquals(WriteClass.IDEMPOTENT, classify(
        "INSERT INTO t (id, n) VALUES (1, 1) ON CONFLICT DO NOTHING", List.of()));
    assertEquals(WriteClass.NON_COMMUTATIVE, classify("INSERT INTO t (id, n) VALUES (1, 1)"
        + " ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n", List.of()));
    // Insert 1 or add 1, and insert 5 or add 1, give 2 or 6 depending on who comes first.
    assertEquals(WriteClass.NON_COMMUTATIVE, classify("INSERT INTO t AS c (id, n) VALUES (1, 5)"
        + " ON CONFLICT (id) DO UPDATE SET n = c.n + 1", List.of()));
  }

  @Test
  void readsColumnTypesWithDomainsAndNumericScales() {
    ColumnTypes types = ColumnTypes.fromRows(List.of(
        new Object[] {"a", "pg_catalog", "int8", null, ""},
        new Object[] {"b", "pg_catalog", "numeric", null, ""},
        new Object[] {"c", "pg_catalog", "numeric", null, "655366"},
        new Object[] {"d", "pg_catalog", "numeric", null, "786439,655366"},
        new Object[] {"e", "pg_catalog", "numeric", null, "329730"},
        new Object[] {"f", "public", "hll", "hll", ""}));
    assertEquals(new ColumnTypes.Type("pg_catalog", "int8", null, Integer.MAX_VALUE),
        types.type("a").orElseThrow());
    assertEquals(Integer.MAX_VALUE, types.type("b").orElseThrow().scale());
    assertEquals(2, types.type("c").orElseThrow().scale(), "numeric(10, 2)");
    assertEquals(2, types.type("d").orElseThrow().scale(), "numeric(12, 3) under numeric(10, 2)");
    assertEquals(-2, types.type("e").orElseThrow().scale(), "numeric(5, -2)");
    assertEquals(true, types.type("f").orElseThrow().isHll());
    assertEquals(true, types.type("g").isEmpty());
  }

  private static WriteClass classify(String sql, List<Object> parameters) throws SQLException {
    return WriteClassifier.classify(SqlParsing.parse(sql), TYPES, parameters);
  }

  private static ColumnTypes.Type builtin(String name) {
    return new ColumnTypes.Type("pg_catalog", name, null, Integer.MAX_VALUE);
  }

  private static Arguments row(String set, String expected) {
    return Arguments.of(set, expected);
  }
}
