package io.spar.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.catalog.PgFunction;
import io.spar.parser.SqlParsing;
import io.spar.router.FunctionVolatility.Volatility;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Test case for issue 8: functions resolve as PostgreSQL resolves them (schema-qualified
 * names, the session's path, argument counts with defaults and VARIADIC), and a call that
 * resolves to nothing is VOLATILE rather than IMMUTABLE.
 */
class FunctionVolatilityTest {
  static final List<PgFunction> FUNCTIONS = List.of(
      fn("pg_catalog", "now", 's', 0, false),
      fn("pg_catalog", "random", 'v', 0, false),
      fn("pg_catalog", "upper", 'i', 0, false, "text"),
      fn("pg_catalog", "date", 'i', 0, false, "timestamp"),
      fn("pg_catalog", "date", 's', 0, false, "timestamptz"),
      fn("pg_catalog", "concat", 's', 0, true, "any"),
      fn("pg_catalog", "substring", 'i', 0, false, "text", "int4", "int4"),
      fn("pg_catalog", "btrim", 'i', 0, false, "text"),
      fn("pg_catalog", "extract", 'i', 0, false, "text", "date"),
      fn("pg_catalog", "extract", 's', 0, false, "text", "timestamptz"),
      fn("pg_catalog", "g", 'i', 0, false, "int4"),
      new PgFunction("pg_catalog", "p", List.of(), "void", 'v', 'p', false, 0),
      fn("public", "hll_hash_text", 'i', 1, false, "text", "int4"),
      fn("public", "g", 'v', 0, false, "int4"),
      fn("public", "f", 'i', 0, false),
      fn("s", "f", 'v', 0, false),
      fn("s", "only_in_s", 'i', 0, false),
      fn("public", "Mixed", 'i', 0, false));

  private static final List<String> PATH = List.of("pg_catalog", "public");

  static Stream<Arguments> expressions() {
    return Stream.of(
        row("now()", Volatility.STABLE),
        row("pg_catalog.now()", Volatility.STABLE),
        row("random()", Volatility.VOLATILE),
        row("upper(name)", Volatility.IMMUTABLE),
        row("date('2015-01-08')", Volatility.STABLE),
        // Unknown names, wrong argument counts and other schemas resolve to nothing.
        row("no_such_function(n)", Volatility.VOLATILE),
        row("upper(name, name)", Volatility.VOLATILE),
        row("public.now()", Volatility.VOLATILE),
        row("only_in_s()", Volatility.VOLATILE),
        row("\"Upper\"(name)", Volatility.VOLATILE),
        row("p()", Volatility.VOLATILE),
        // Qualified names look in their schema only.
        row("f()", Volatility.IMMUTABLE),
        row("s.f()", Volatility.VOLATILE),
        row("s.only_in_s()", Volatility.IMMUTABLE),
        row("\"Mixed\"()", Volatility.IMMUTABLE),
        // Defaults and VARIADIC.
        row("hll_hash_text('x')", Volatility.IMMUTABLE),
        row("hll_hash_text('x', 1)", Volatility.IMMUTABLE),
        row("hll_hash_text()", Volatility.VOLATILE),
        row("hll_hash_text('x', 1, 2)", Volatility.VOLATILE),
        row("concat()", Volatility.VOLATILE),
        row("concat('a')", Volatility.STABLE),
        row("concat('a', 'b', 'c')", Volatility.STABLE),
        // pg_catalog, first on the path, hides public.g(int4).
        row("g(1)", Volatility.IMMUTABLE),
        // Syntax that is not a function call.
        row("coalesce(n, 1)", Volatility.IMMUTABLE),
        row("nullif(n, 1)", Volatility.IMMUTABLE),
        row("greatest(n, 1) + least(n, 2)", Volatility.IMMUTABLE),
        row("CASE WHEN n > 1 THEN 'a' ELSE 'b' END", Volatility.IMMUTABLE),
        row("CAST(n AS text)", Volatility.IMMUTABLE),
        row("n::text", Volatility.IMMUTABLE),
        row("ARRAY['a'] || tags", Volatility.IMMUTABLE),
        row("n + 1 - 2 * 3 / 4 % 5", Volatility.IMMUTABLE),
        row("name LIKE 'a%'", Volatility.IMMUTABLE),
        row("substring(name FROM 1 FOR 2)", Volatility.IMMUTABLE),
        row("trim(name)", Volatility.IMMUTABLE),
        row("extract(year FROM at)", Volatility.STABLE),
        row("coalesce(n, random())", Volatility.VOLATILE),
        // SQL value functions and literals that name the current time.
        row("current_timestamp", Volatility.STABLE),
        row("current_timestamp(3)", Volatility.STABLE),
        row("current_date", Volatility.STABLE),
        row("current_user", Volatility.STABLE),
        row("\"current_date\"", Volatility.IMMUTABLE),
        row("'now'::timestamptz", Volatility.STABLE),
        row("CAST('Today' AS date)", Volatility.STABLE),
        row("timestamp 'now'", Volatility.STABLE),
        row("date 'tomorrow'", Volatility.STABLE),
        row("'2015-01-08'::date", Volatility.IMMUTABLE),
        row("timestamp '2015-01-08 10:00'", Volatility.IMMUTABLE),
        row("'now'", Volatility.IMMUTABLE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void resolvesCallsAsPostgresDoes(String expression, Volatility expected) throws SQLException {
    assertEquals(expected, judge(PATH, Set.of()).of(value(expression)), expression);
  }

  @Test
  void followsTheSessionsPathInItsOrder() throws SQLException {
    assertEquals(Volatility.IMMUTABLE, judge(List.of("pg_catalog", "s"), Set.of())
        .of(value("only_in_s()")));
    assertEquals(Volatility.VOLATILE, judge(List.of("pg_catalog", "s", "public"), Set.of())
        .of(value("f()")));
    assertEquals(Volatility.VOLATILE, judge(List.of("public", "pg_catalog"), Set.of())
        .of(value("g(1)")), "public listed before pg_catalog hides pg_catalog.g(int4)");
  }

  @Test
  void operatorsCallingVolatileFunctionsAreVolatile() throws SQLException {
    FunctionVolatility judge = judge(PATH, Set.of("+", "~~"));
    assertEquals(Volatility.VOLATILE, judge.of(value("n + 1")));
    assertEquals(Volatility.VOLATILE, judge.of(value("name LIKE 'a%'")));
    assertEquals(Volatility.IMMUTABLE, judge.of(value("n - 1")));
  }

  @Test
  void namesTheCallsThatResolveToNothing() throws SQLException {
    assertEquals(List.of("no_such/1", "s.missing/0"), judge(PATH, Set.of())
        .unresolved(value("upper(no_such(n)) || s.missing() || now()")));
  }

  @Test
  void sqlValueFunctionsReadNoRows() throws SQLException {
    assertFalse(FunctionVolatility.readsRows(value("current_date + 1")));
    assertFalse(FunctionVolatility.readsRows(value("upper(current_user)")));
    assertTrue(FunctionVolatility.readsRows(value("\"current_date\" + 1")));
    assertTrue(FunctionVolatility.readsRows(value("upper(name)")));
  }

  static FunctionVolatility judge(List<String> path, Set<String> volatileOperators) {
    return new FunctionVolatility(new FunctionVolatility.Catalog() {
      @Override
      public List<PgFunction> overloads(String name) {
        return FUNCTIONS.stream().filter(each -> each.name().equals(name)).toList();
      }

      @Override
      public Set<String> volatileOperators() {
        return volatileOperators;
      }
    }, path);
  }

  private static SqlNode value(String expression) throws SQLException {
    SqlUpdate update = (SqlUpdate) SqlParsing.parse("UPDATE t SET x = " + expression);
    return update.getSourceExpressionList().get(0);
  }

  private static PgFunction fn(String schema, String name, char volatility, int defaults,
      boolean variadic, String... arguments) {
    return new PgFunction(schema, name, List.of(arguments), "int4", volatility, 'f', variadic,
        defaults);
  }

  private static Arguments row(String expression, Volatility expected) {
    return Arguments.of(expression, expected);
  }
}
