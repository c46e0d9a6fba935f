package io.spar.test.multishard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hand-written differential test of multi-shard SELECTs against plain PostgreSQL over the
 * {@link ShopFixture} tables: every strategy (pushdown, merge, partial aggregation, the
 * coordinator), joins, subqueries, CTEs, windows, set operations, hll, views and errors. A
 * query written {@code "o:..."} has a total ORDER BY and is compared in order.
 */
class MultiShardQueriesTest {
  private static Connection spar;
  private static Connection reference;

  static List<String> queries() {
    List<String> q = new ArrayList<>();
    // Pushdown: rows never span shards.
    q.add("SELECT * FROM ms_orders");
    q.add("SELECT order_id, amount FROM ms_orders WHERE amount > 500");
    q.add("SELECT order_id, tags FROM ms_orders WHERE 'y' = ANY (tags)");
    q.add("SELECT order_id, amount::int AS rounded, price::int AS p FROM ms_orders");
    q.add("SELECT order_id, extract(dow FROM ordered_on) AS dow, extract(isodow FROM ordered_on)"
        + " AS isodow, extract(doy FROM ordered_at) AS doy FROM ms_orders");
    q.add("SELECT order_id, tags, array_length(tags, 1) AS n, tags || 'new'::text AS more,"
        + " ARRAY[qty, 2] AS pair FROM ms_orders");
    q.add("SELECT event_id, payload, payload[1] AS first, cardinality(payload) AS c FROM ms_events");
    q.add("SELECT order_id, paid IS NOT TRUE AS unpaid, coalesce(status, 'none') AS status"
        + " FROM ms_orders WHERE paid IS DISTINCT FROM true");
    q.add("SELECT order_id, amount / 3 AS third, amount * qty AS total, price / 3 AS fp"
        + " FROM ms_orders");
    q.add("SELECT order_id, date_trunc('month', ordered_at) AS m, ordered_at + interval '1 day'"
        + " AS later, age(ordered_on, DATE '2024-01-01') AS since FROM ms_orders");
    q.add("SELECT c.customer_id, upper(c.name) AS n, c.score FROM ms_customers c"
        + " WHERE c.country IN ('NL', 'DE')");
    q.add("SELECT customer_id, name FROM ms_customers WHERE name LIKE 'customer 1%'"
        + " OR name ~ '5$'");
    q.add("SELECT order_id, x FROM ms_orders, unnest(tags) AS x");
    q.add("SELECT order_id, t.x FROM ms_orders CROSS JOIN LATERAL unnest(tags) AS t(x)"
        + " WHERE t.x <> 'gift'");
    q.add("SELECT event_id, kind, happened_at, to_char(happened_at, 'YYYY-MM-DD') AS d"
        + " FROM ms_events WHERE kind IS NOT NULL");
    q.add("SELECT order_id, CASE WHEN amount > 100 THEN 'big' WHEN amount IS NULL THEN NULL"
        + " ELSE 'small' END AS size FROM ms_orders");
    q.add("SELECT order_id, note, length(note) AS l, note || '!' AS loud FROM ms_orders");
    q.add("SELECT order_id FROM ms_orders WHERE customer_id = 3 OR customer_id = 4");
    q.add("SELECT customer_id, signup, vip FROM ms_customers WHERE signup > DATE '2023-06-01'");
    q.add("SELECT order_id, round(amount, 1) AS r, trunc(price) AS t, abs(qty) AS a"
        + " FROM ms_orders WHERE qty < 0");
    // Merge: ORDER BY, LIMIT, OFFSET, DISTINCT at the coordinator.
    q.add("o:SELECT order_id, amount FROM ms_orders ORDER BY order_id");
    q.add("o:SELECT order_id, amount FROM ms_orders ORDER BY amount DESC NULLS LAST, order_id"
        + " LIMIT 10");
    q.add("o:SELECT order_id, amount FROM ms_orders ORDER BY amount NULLS FIRST, order_id"
        + " LIMIT 7 OFFSET 3");
    q.add("o:SELECT order_id FROM ms_orders ORDER BY order_id OFFSET 590");
    q.add("o:SELECT name, customer_id FROM ms_customers ORDER BY name, customer_id");
    q.add("o:SELECT name, customer_id FROM ms_customers ORDER BY name DESC, customer_id LIMIT 5");
    q.add("o:SELECT order_id, price FROM ms_orders ORDER BY price * -1, order_id LIMIT 12");
    q.add("o:SELECT order_id FROM ms_orders ORDER BY ordered_at DESC NULLS LAST, order_id"
        + " FETCH FIRST 4 ROWS ONLY");
    q.add("o:SELECT order_id, amount AS a FROM ms_orders ORDER BY a, 1 LIMIT 20");
    q.add("o:SELECT * FROM ms_orders ORDER BY order_id DESC LIMIT 3");
    q.add("o:SELECT order_id, tags FROM ms_orders ORDER BY tags, order_id LIMIT 15");
    q.add("SELECT DISTINCT status FROM ms_orders");
    q.add("SELECT DISTINCT country, vip FROM ms_customers");
    q.add("o:SELECT DISTINCT country FROM ms_customers ORDER BY country NULLS FIRST");
    q.add("o:SELECT DISTINCT qty FROM ms_orders ORDER BY qty LIMIT 5");
    q.add("o:SELECT event_id, kind FROM ms_events ORDER BY kind COLLATE \"C\", event_id LIMIT 8");
    q.add("o:SELECT event_id, happened_at FROM ms_events ORDER BY happened_at, event_id LIMIT 9");
    q.add("o:SELECT order_id FROM ms_orders WHERE amount IS NULL ORDER BY order_id LIMIT 0");
    // Partial aggregation.
    q.add("SELECT count(*) FROM ms_orders");
    q.add("SELECT count(*), count(amount), count(DISTINCT status) FROM ms_orders");
    q.add("SELECT sum(qty), sum(amount), sum(price), sum(order_id) FROM ms_orders");
    q.add("SELECT avg(qty), avg(amount), avg(price), avg(order_id) FROM ms_orders");
    q.add("SELECT min(amount), max(amount), min(status), max(ordered_at), min(tags) FROM ms_orders");
    q.add("SELECT stddev(qty), variance(qty), stddev_pop(amount), var_pop(amount),"
        + " stddev_samp(order_id), var_samp(amount) FROM ms_orders");
    q.add("SELECT stddev(price), variance(price) FROM ms_orders");
    q.add("SELECT bool_and(paid), bool_or(paid), every(vip IS NULL) FROM ms_orders,"
        + " (SELECT NULL::boolean AS vip) v");
    q.add("SELECT bit_and(qty), bit_or(qty), bit_xor(qty) FROM ms_orders");
    q.add("SELECT status, count(*), sum(amount), avg(amount) FROM ms_orders GROUP BY status");
    q.add("o:SELECT status, count(*) AS n FROM ms_orders GROUP BY status ORDER BY n DESC, status");
    q.add("SELECT status, paid, count(*) FROM ms_orders GROUP BY status, paid");
    q.add("SELECT status, count(*) FROM ms_orders GROUP BY status HAVING count(*) > 100");
    q.add("SELECT status FROM ms_orders GROUP BY status HAVING avg(qty) > 7");
    q.add("SELECT status, sum(qty) FILTER (WHERE paid) AS paid_qty, count(*) FILTER (WHERE"
        + " amount > 100) AS big, avg(amount) FILTER (WHERE qty > 0) AS a FROM ms_orders"
        + " GROUP BY status");
    q.add("SELECT date_trunc('month', ordered_at) AS m, count(*) FROM ms_orders GROUP BY 1");
    q.add("SELECT extract(year FROM ordered_on) AS y, extract(month FROM ordered_on) AS mo,"
        + " sum(amount) FROM ms_orders GROUP BY 1, 2");
    q.add("SELECT upper(status) AS s, count(*) * 2 AS twice, sum(qty) + 1 AS plus FROM ms_orders"
        + " GROUP BY upper(status)");
    q.add("SELECT status, paid, count(*) FROM ms_orders GROUP BY ROLLUP (status, paid)");
    q.add("SELECT status, paid, sum(amount) FROM ms_orders GROUP BY CUBE (status, paid)");
    q.add("SELECT status, paid, count(*), grouping(status, paid) FROM ms_orders"
        + " GROUP BY GROUPING SETS ((status), (paid), ())");
    q.add("SELECT status, count(*) FROM ms_orders WHERE order_id < 0 GROUP BY ROLLUP (status)");
    q.add("SELECT count(*), sum(amount), avg(qty), max(status) FROM ms_orders WHERE order_id < 0");
    q.add("SELECT count(*) FROM ms_orders WHERE customer_id = 1 AND customer_id = 2");
    q.add("SELECT status, count(*) FROM ms_orders WHERE order_id < 0 GROUP BY status");
    q.add("o:SELECT status, avg(amount) AS a FROM ms_orders GROUP BY status ORDER BY a NULLS FIRST"
        + " LIMIT 2");
    q.add("SELECT tags, count(*) FROM ms_orders GROUP BY tags");
    q.add("SELECT paid, min(ordered_on), max(ordered_at) - min(ordered_at) AS span"
        + " FROM ms_orders GROUP BY paid");
    q.add("SELECT count(*) AS n, sum(qty)::float8 / count(*) AS ratio FROM ms_orders");
    q.add("SELECT qty % 3 AS bucket, count(*), sum(price) FROM ms_orders GROUP BY qty % 3");
    q.add("SELECT country, count(*), avg(score), stddev(score) FROM ms_customers GROUP BY country");
    q.add("SELECT vip, sum(score), min(signup) FROM ms_customers GROUP BY vip HAVING sum(score)"
        + " IS NOT NULL");
    q.add("SELECT kind, count(*), min(happened_at) FROM ms_events GROUP BY kind");
    q.add("SELECT DISTINCT count(*) FROM ms_orders GROUP BY status");
    q.add("SELECT count(DISTINCT customer_id), count(DISTINCT tags) FROM ms_orders");
    q.add("SELECT status, count(DISTINCT customer_id) FROM ms_orders GROUP BY status");
    q.add("SELECT sum(DISTINCT qty), avg(DISTINCT qty) FROM ms_orders");
    // Whole aggregation per shard: GROUP BY the distribution column.
    q.add("SELECT customer_id, count(*), sum(amount), avg(price) FROM ms_orders"
        + " GROUP BY customer_id");
    q.add("o:SELECT customer_id, count(*) AS n FROM ms_orders GROUP BY customer_id"
        + " ORDER BY n DESC, customer_id LIMIT 5");
    q.add("SELECT customer_id, status, count(*) FROM ms_orders GROUP BY customer_id, status"
        + " HAVING count(*) > 1");
    q.add("SELECT customer_id, string_agg(status, ',' ORDER BY order_id) AS s,"
        + " array_agg(order_id ORDER BY order_id) AS ids FROM ms_orders GROUP BY customer_id");
    q.add("SELECT customer_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS median,"
        + " mode() WITHIN GROUP (ORDER BY status) AS m FROM ms_orders GROUP BY customer_id");
    q.add("SELECT customer_id, count(DISTINCT status) FROM ms_orders GROUP BY customer_id");
    q.add("SELECT o.customer_id, sum(o.qty) FROM ms_orders o GROUP BY o.customer_id"
        + " HAVING sum(o.qty) > 40");
    q.add("SELECT DISTINCT customer_id FROM ms_orders");
    // Aggregates the coordinator computes from the shards' rows.
    q.add("SELECT string_agg(DISTINCT status, ',' ORDER BY status) FROM ms_orders");
    q.add("SELECT array_agg(order_id ORDER BY order_id) FROM ms_orders WHERE qty = 5");
    q.add("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount),"
        + " percentile_disc(0.9) WITHIN GROUP (ORDER BY qty) FROM ms_orders");
    q.add("SELECT mode() WITHIN GROUP (ORDER BY status) FROM ms_orders");
    q.add("SELECT status, string_agg(note, '/' ORDER BY order_id) FROM ms_orders"
        + " GROUP BY status");
    q.add("SELECT json_agg(order_id ORDER BY order_id)::text FROM ms_orders WHERE qty = 2");
    q.add("SELECT corr(qty, amount), regr_slope(amount, qty) FROM ms_orders");
    // Windows.
    q.add("SELECT order_id, customer_id, row_number() OVER (PARTITION BY customer_id"
        + " ORDER BY order_id) FROM ms_orders");
    q.add("SELECT order_id, sum(amount) OVER (PARTITION BY customer_id ORDER BY order_id"
        + " ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM ms_orders");
    q.add("SELECT order_id, rank() OVER (ORDER BY amount DESC NULLS LAST, order_id) FROM ms_orders");
    q.add("SELECT order_id, sum(qty) OVER (ORDER BY order_id RANGE BETWEEN 2 PRECEDING"
        + " AND 2 FOLLOWING) FROM ms_orders");
    q.add("SELECT order_id, lag(amount) OVER w, lead(amount, 2) OVER w FROM ms_orders"
        + " WINDOW w AS (PARTITION BY customer_id ORDER BY order_id)");
    q.add("SELECT status, count(*), sum(count(*)) OVER () FROM ms_orders GROUP BY status");
    q.add("o:SELECT customer_id, count(*), rank() OVER (ORDER BY count(*) DESC, customer_id)"
        + " AS r FROM ms_orders GROUP BY customer_id ORDER BY r LIMIT 6");
    q.add("SELECT order_id, first_value(order_id) OVER (PARTITION BY status ORDER BY order_id)"
        + " FROM ms_orders");
    // DISTINCT ON.
    q.add("o:SELECT DISTINCT ON (customer_id) customer_id, order_id, amount FROM ms_orders"
        + " ORDER BY customer_id, order_id DESC");
    q.add("o:SELECT DISTINCT ON (status) status, order_id FROM ms_orders"
        + " ORDER BY status NULLS FIRST, amount DESC NULLS LAST, order_id");
    // Joins.
    q.add("SELECT c.customer_id, c.name, o.order_id, o.amount FROM ms_customers c"
        + " JOIN ms_orders o ON o.customer_id = c.customer_id");
    q.add("SELECT c.country, count(*), sum(o.amount) FROM ms_customers c JOIN ms_orders o"
        + " USING (customer_id) GROUP BY c.country");
    q.add("SELECT c.customer_id, count(o.order_id) FROM ms_customers c LEFT JOIN ms_orders o"
        + " ON o.customer_id = c.customer_id GROUP BY c.customer_id");
    q.add("SELECT o.order_id, c.name FROM ms_orders o LEFT JOIN ms_customers c"
        + " ON c.customer_id = o.customer_id WHERE c.customer_id IS NULL");
    q.add("SELECT o.order_id, e.event_id FROM ms_orders o JOIN ms_events e"
        + " ON e.customer_id = o.customer_id WHERE o.order_id < 40 AND e.kind = 'buy'");
    q.add("SELECT e.kind, count(*) FROM ms_events e JOIN ms_customers c"
        + " ON c.customer_id = e.customer_id GROUP BY e.kind");
    q.add("SELECT c.customer_id, r.region FROM ms_customers c JOIN ms_regions r"
        + " ON r.country = c.country");
    q.add("SELECT r.region, count(o.order_id), sum(o.amount) FROM ms_regions r"
        + " LEFT JOIN ms_customers c ON c.country = r.country LEFT JOIN ms_orders o"
        + " ON o.customer_id = c.customer_id GROUP BY r.region");
    q.add("SELECT c.customer_id, o.order_id FROM ms_customers c FULL JOIN ms_orders o"
        + " ON o.customer_id = c.customer_id AND o.qty > 15");
    q.add("SELECT a.order_id, b.order_id FROM ms_orders a JOIN ms_orders b"
        + " ON a.customer_id = b.customer_id AND a.order_id < b.order_id WHERE a.qty = 7");
    q.add("SELECT count(*) FROM ms_orders a, ms_orders b WHERE a.status = b.status"
        + " AND a.order_id < 30 AND b.order_id < 30");
    q.add("SELECT c.name, e.kind FROM ms_customers c CROSS JOIN ms_events e"
        + " WHERE c.customer_id = 5 AND e.event_id < -900");
    q.add("SELECT c.customer_id, o.order_id FROM ms_customers c FULL JOIN ms_orders o"
        + " ON o.customer_id = c.customer_id");
    q.add("o:SELECT c.customer_id, count(o.order_id) AS n FROM ms_customers c LEFT JOIN ms_orders o"
        + " ON o.customer_id = c.customer_id GROUP BY c.customer_id ORDER BY n DESC,"
        + " c.customer_id LIMIT 5");
    q.add("SELECT c.country, avg(o.amount) FROM ms_customers c JOIN ms_orders o"
        + " ON o.customer_id = c.customer_id WHERE c.customer_id = 5 GROUP BY c.country");
    q.add("SELECT o.customer_id, count(*) FROM ms_customers c RIGHT JOIN ms_orders o"
        + " ON o.customer_id = c.customer_id GROUP BY o.customer_id");
    q.add("SELECT c.customer_id, sum(o.qty) OVER (PARTITION BY c.customer_id ORDER BY"
        + " o.order_id) FROM ms_customers c JOIN ms_orders o ON o.customer_id = c.customer_id");
    q.add("SELECT DISTINCT c.country FROM ms_customers c JOIN ms_orders o"
        + " ON o.customer_id = c.customer_id AND o.paid");
    // Subqueries and CTEs.
    q.add("SELECT g FROM generate_series(1, 60) g WHERE EXISTS (SELECT 1 FROM ms_orders o"
        + " WHERE o.customer_id = g)");
    q.add("SELECT (SELECT count(*) FROM ms_orders) AS n, (SELECT max(amount) FROM ms_orders)");
    q.add("SELECT order_id FROM ms_orders WHERE amount > (SELECT avg(amount) FROM ms_orders)");
    q.add("SELECT customer_id, name FROM ms_customers c WHERE EXISTS (SELECT 1 FROM ms_orders o"
        + " WHERE o.customer_id = c.customer_id AND o.qty > 15)");
    q.add("SELECT customer_id FROM ms_customers WHERE customer_id NOT IN (SELECT customer_id"
        + " FROM ms_orders WHERE customer_id IS NOT NULL)");
    q.add("SELECT order_id, (SELECT name FROM ms_customers c WHERE c.customer_id ="
        + " o.customer_id) AS name FROM ms_orders o WHERE order_id < 50");
    q.add("SELECT s.status, s.n FROM (SELECT status, count(*) AS n FROM ms_orders"
        + " GROUP BY status) s WHERE s.n > 100");
    q.add("WITH big AS (SELECT * FROM ms_orders WHERE amount > 800) SELECT status, count(*)"
        + " FROM big GROUP BY status");
    q.add("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5)"
        + " SELECT n.i, count(o.order_id) FROM n LEFT JOIN ms_orders o ON o.qty = n.i"
        + " GROUP BY n.i");
    q.add("WITH c AS MATERIALIZED (SELECT customer_id FROM ms_customers WHERE vip)"
        + " SELECT count(*) FROM ms_orders WHERE customer_id IN (SELECT customer_id FROM c)");
    q.add("SELECT c.customer_id, l.order_id FROM ms_customers c, LATERAL (SELECT order_id"
        + " FROM ms_orders o WHERE o.customer_id = c.customer_id ORDER BY order_id DESC"
        + " LIMIT 2) l");
    q.add("SELECT max(n) FROM (SELECT customer_id, count(*) AS n FROM ms_orders"
        + " GROUP BY customer_id) per_customer");
    q.add("SELECT * FROM ms_orders WHERE order_id IN (1, 2, 3, 500)");
    q.add("SELECT * FROM ONLY ms_customers WHERE customer_id < 3");
    // Set operations.
    q.add("SELECT customer_id FROM ms_orders UNION SELECT customer_id FROM ms_customers");
    q.add("SELECT customer_id FROM ms_orders UNION ALL SELECT customer_id FROM ms_customers");
    q.add("SELECT customer_id FROM ms_customers EXCEPT SELECT customer_id FROM ms_orders");
    q.add("SELECT status FROM ms_orders INTERSECT SELECT kind FROM ms_events");
    q.add("o:SELECT country FROM ms_customers UNION SELECT country FROM ms_regions"
        + " ORDER BY 1 NULLS LAST LIMIT 4");
    // hll.
    q.add("SELECT hll_cardinality(hll_union_agg(users)) FROM ms_events");
    q.add("SELECT kind, hll_cardinality(hll_union_agg(users)) FROM ms_events GROUP BY kind");
    q.add("SELECT hll_cardinality(hll_add_agg(hll_hash_integer(customer_id))) FROM ms_orders");
    q.add("SELECT status, hll_cardinality(hll_add_agg(hll_hash_bigint(order_id)))::bigint"
        + " FROM ms_orders GROUP BY status");
    q.add("SELECT hll_union_agg(users) = hll_union_agg(users) FROM ms_events");
    q.add("SELECT event_id, hll_cardinality(users) FROM ms_events WHERE event_id < -950");
    // Casts, NULLs, numerics, text forms.
    q.add("SELECT amount::int, amount::bigint, price::numeric(10,1), qty::text FROM ms_orders");
    q.add("SELECT sum(amount)::int AS s, avg(qty)::numeric(10,3) AS a FROM ms_orders");
    q.add("SELECT avg(amount) * 2, round(avg(price)::numeric, 4) FROM ms_orders");
    q.add("SELECT 1.0 * sum(qty) / count(*) FROM ms_orders");
    q.add("SELECT order_id, NULLIF(qty, 0), GREATEST(qty, 3), LEAST(amount, 10) FROM ms_orders");
    q.add("SELECT order_id, ordered_at::date, ordered_on::timestamp,"
        + " extract(epoch FROM ordered_at) FROM ms_orders");
    q.add("SELECT count(*) FROM ms_orders WHERE ordered_at BETWEEN '2024-03-01' AND '2024-06-30'");
    q.add("SELECT order_id, tags @> ARRAY['x'] AS has_x, tags && ARRAY['y','z'] AS overlap"
        + " FROM ms_orders");
    q.add("SELECT order_id, row(order_id, status) AS r FROM ms_orders WHERE order_id < 10");
    q.add("SELECT order_id FROM ms_orders WHERE (customer_id, qty) IN ((3, 4), (5, 6))");
    q.add("SELECT order_id, status IS NULL, amount IS NOT NULL FROM ms_orders");
    q.add("SELECT customer_id, score, score * score, -score, score % 7 FROM ms_customers");
    q.add("SELECT order_id, 'Order ' || order_id || ': ' || coalesce(status, '?') FROM ms_orders");
    q.add("SELECT order_id, format('%s-%s', customer_id, qty), md5(order_id::text) FROM ms_orders");
    q.add("SELECT count(*) FILTER (WHERE paid) AS p, count(*) FILTER (WHERE NOT paid) AS np"
        + " FROM ms_orders");
    q.add("SELECT sum(qty * 1000000000) FROM ms_orders");
    q.add("SELECT customer_id, generate_series(1, 2) AS g FROM ms_customers WHERE customer_id < 5");
    // Views.
    q.add("SELECT * FROM ms_paid_orders");
    q.add("SELECT status, count(*) FROM ms_paid_orders GROUP BY status");
    q.add("o:SELECT order_id, amount FROM ms_paid_orders ORDER BY amount DESC NULLS LAST,"
        + " order_id LIMIT 5");
    q.add("SELECT * FROM ms_customer_totals WHERE total > 1000");
    q.add("SELECT count(*), sum(total) FROM ms_customer_totals");
    // Errors: PostgreSQL's own.
    q.add("SELECT order_id / 0 FROM ms_orders");
    q.add("SELECT sum(qty) / 0 FROM ms_orders");
    q.add("SELECT count(*) / (count(*) - count(*)) FROM ms_orders");
    q.add("SELECT 2147483647::int + qty FROM ms_orders WHERE qty > 0");
    q.add("SELECT no_such_column FROM ms_orders");
    q.add("SELECT status, qty FROM ms_orders GROUP BY status");
    q.add("SELECT no_such_function(qty) FROM ms_orders");
    q.add("SELECT 'abc'::int FROM ms_orders");
    q.add("SELECT sum(status) FROM ms_orders");
    return q;
  }

  static Stream<String> queryStream() {
    return queries().stream();
  }

  @BeforeAll
  static void load() throws SQLException {
    SparTestCluster.cluster();
    spar = SparTestCluster.spar();
    reference = ShopFixture.reference();
    ShopFixture.load(spar, reference);
    String paid = "CREATE VIEW ms_paid_orders AS SELECT order_id, customer_id, status, amount"
        + " FROM ms_orders WHERE paid";
    String totals = "CREATE VIEW ms_customer_totals AS SELECT customer_id, sum(amount) AS total"
        + " FROM ms_orders GROUP BY customer_id";
    for (Connection each : List.of(spar, reference)) {
      try (Statement s = each.createStatement()) {
        s.execute(paid);
        s.execute(totals);
      }
    }
  }

  @AfterAll
  static void close() throws SQLException {
    if (reference != null) {
      ShopFixture.dropReference(reference);
      reference.close();
    }
    if (spar != null) {
      try (Statement s = spar.createStatement()) {
        s.execute("DROP VIEW IF EXISTS ms_paid_orders, ms_customer_totals");
      }
      spar.close();
    }
  }

  @Test
  void limitAndOffsetTakeParameters() throws java.sql.SQLException {
    for (String sql : List.of("SELECT order_id FROM ms_orders ORDER BY order_id LIMIT ? OFFSET ?",
        "SELECT order_id FROM ms_orders ORDER BY order_id LIMIT $1 OFFSET $2",
        "SELECT customer_id, count(*) FROM ms_orders GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?"
            + " OFFSET ?")) {
      List<List<String>> answers = new ArrayList<>();
      for (Connection each : List.of(reference, spar)) {
        // pgjdbc takes ? only; Spar takes PostgreSQL's $n too.
        String text = each == reference ? sql.replace("$1", "?").replace("$2", "?") : sql;
        try (java.sql.PreparedStatement statement = each.prepareStatement(text)) {
          statement.setInt(1, 5);
          statement.setLong(2, 3);
          List<String> rows = new ArrayList<>();
          try (java.sql.ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
              rows.add(rs.getString(1));
            }
          }
          answers.add(rows);
        }
      }
      assertEquals(answers.get(0), answers.get(1), sql);
      assertEquals(5, answers.get(1).size(), sql);
    }
  }

  @Test
  void coversMoreThan150Queries() {
    assertTrue(queries().size() > 150, "queries: " + queries().size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("queryStream")
  void sameAsPostgres(String query) {
    boolean ordered = query.startsWith("o:");
    String sql = ordered ? query.substring(2) : query;
    Differential.Outcome expected = Differential.run(reference, sql);
    Differential.Outcome actual = Differential.run(spar, sql);
    assertNull(Differential.difference(expected, actual, ordered), sql);
  }
}
