package io.spar.multishard;

import io.spar.router.SplicedSql;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one table of aggregates that split into partial aggregates on the shards and a combining
 * aggregate at the coordinator, as Citus's worker/master aggregate split does.
 *
 * <p>Each row says which expressions a shard computes for one call (its {@link Partials}) and
 * how the coordinator combines those columns into the call's result. The coordinator runs the
 * combination in PostgreSQL, so a combination only has to be the same arithmetic PostgreSQL's
 * own final function does: {@code avg(numeric)} is {@code numeric_div(sum, count)} there too,
 * and the variance follows {@code numeric_stddev_internal}. The standard deviation has no row:
 * PostgreSQL's square root at the variance's scale is not always the correctly rounded one
 * that SQL's {@code sqrt} and {@code round} give, so the coordinator computes it from the
 * rows. A combination may decline
 * the partials' types (the variance of floating-point values, whose transition state
 * PostgreSQL keeps in a form a shard cannot return); the query then runs by another strategy.
 * An extension's aggregate that combines is one more row, as hll's are.
 */
final class AggregateCombinations {
  private static final Set<String> NUMERIC_SUMS = Set.of("int8", "numeric");
  private static final Set<String> FLOAT_SUMS = Set.of("float8", "interval");

  /** Which expressions a shard computes for one aggregate call. */
  enum Partials {
    /** The call itself, as written (with its FILTER). */
    CALL,
    /** {@code sum} and {@code count} of the argument. */
    SUM_COUNT,
    /** {@code count}, {@code sum} and the numeric sum of squares of the argument. */
    MOMENTS
  }

  /** How the coordinator combines partial columns, given their SQL and their type names. */
  @FunctionalInterface
  interface Combiner {
    /** Returns the combining expression, or empty if it cannot combine partials of these types. */
    Optional<String> combine(List<String> columns, List<String> types);
  }

  /** One row of the table. */
  record Combination(Partials partials, Combiner combiner) {

    /**
     * Returns the expressions a shard computes for a call written as {@code call}, whose
     * argument is {@code argument} and whose FILTER clause (with its keyword) is {@code filter}.
     */
    List<SplicedSql> shardExpressions(SplicedSql call, SplicedSql argument, SplicedSql filter) {
      return switch (partials) {
        case CALL -> List.of(call);
        case SUM_COUNT -> List.of(aggregate("sum", argument, filter),
            aggregate("count", argument, filter));
        case MOMENTS -> List.of(aggregate("count", argument, filter),
            aggregate("sum", argument, filter),
            SplicedSql.of("sum((").append(argument).append(")::numeric * (").append(argument)
                .append(")::numeric)").append(filter));
      };
    }

    private static SplicedSql aggregate(String name, SplicedSql argument, SplicedSql filter) {
      return SplicedSql.of(name + "(").append(argument).append(")").append(filter);
    }
  }

  private static final Map<String, Combination> TABLE = Map.ofEntries(
      Map.entry("count", same("COALESCE(sum(%s), 0)::int8")),
      Map.entry("sum", new Combination(Partials.CALL,
          (c, t) -> Optional.of("CAST(sum(" + c.get(0) + ") AS " + t.get(0) + ")"))),
      Map.entry("min", same("min(%s)")),
      Map.entry("max", same("max(%s)")),
      Map.entry("bool_and", same("bool_and(%s)")),
      Map.entry("every", same("bool_and(%s)")),
      Map.entry("bool_or", same("bool_or(%s)")),
      Map.entry("bit_and", same("bit_and(%s)")),
      Map.entry("bit_or", same("bit_or(%s)")),
      Map.entry("bit_xor", same("bit_xor(%s)")),
      Map.entry("avg", new Combination(Partials.SUM_COUNT, AggregateCombinations::average)),
      Map.entry("var_samp", moments(true)),
      Map.entry("variance", moments(true)),
      Map.entry("var_pop", moments(false)),
      // hll: a shard's union or sketch of its rows is itself an hll, and unions combine them.
      Map.entry("hll_union_agg", same("hll_union_agg(%s)")),
      Map.entry("hll_add_agg", same("hll_union_agg(%s)")));

  private AggregateCombinations() {
  }

  /** Returns the combination of aggregate {@code name} called with {@code arguments} values. */
  static Optional<Combination> of(String name, int arguments) {
    Combination combination = TABLE.get(name);
    if (combination == null || combination.partials() != Partials.CALL && arguments != 1) {
      return Optional.empty();
    }
    return Optional.of(combination);
  }

  /** Returns whether aggregate {@code name} has a row in the table. */
  static boolean contains(String name) {
    return TABLE.containsKey(name);
  }

  /** A combination that applies one aggregate to the shards' results of the call itself. */
  private static Combination same(String format) {
    return new Combination(Partials.CALL,
        (columns, types) -> Optional.of(String.format(format, columns.get(0))));
  }

  /** {@code avg}: PostgreSQL divides the sum by the count with its division operator. */
  private static Optional<String> average(List<String> columns, List<String> types) {
    String sum = "sum(" + columns.get(0) + ")";
    String count = "NULLIF(sum(" + columns.get(1) + "), 0)";
    if (NUMERIC_SUMS.contains(types.get(0))) {
      return Optional.of("(" + sum + "::numeric / " + count + "::numeric)");
    }
    if (FLOAT_SUMS.contains(types.get(0))) {
      return Optional.of("(" + sum + " / " + count + "::float8)");
    }
    return Optional.empty();
  }

  /**
   * The variance over integers and numerics, as {@code numeric_stddev_internal} computes it
   * from N, sum(x) and sum(x * x): zero when rounding leaves no spread.
   */
  private static Combination moments(boolean sample) {
    return new Combination(Partials.MOMENTS, (columns, types) -> {
      if (!NUMERIC_SUMS.contains(types.get(1))) {
        return Optional.empty();
      }
      String n = "COALESCE(sum(" + columns.get(0) + "), 0)";
      String s = "sum(" + columns.get(1) + ")::numeric";
      String q = "sum(" + columns.get(2) + ")";
      String spread = "(" + n + " * " + q + " - " + s + " * " + s + ")";
      String variance = "(" + spread + " / (" + n + (sample ? " * (" + n + " - 1))" : " * " + n + ")")
          + ")";
      return Optional.of("(CASE WHEN " + n + (sample ? " <= 1" : " = 0") + " THEN NULL"
          + " WHEN " + spread + " <= 0 THEN 0::numeric ELSE " + variance + " END)");
    });
  }
}
