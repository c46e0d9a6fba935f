package io.spar.multishard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.hashing.PartitionType;
import io.spar.parser.SqlParsing;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.TableReference;
import io.spar.router.TableReferenceCollector;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.sql.SqlNode;
import org.junit.jupiter.api.Test;

/**
 * Tests which strategy a multi-shard query takes, and the SQL its shards and the coordinator
 * receive: each strategy where it applies, and where it must not.
 */
class MultiShardPlannerTest {
  private static final NodeAddress WORKER = new NodeAddress("localhost", 5433);
  private static final TableName ORDERS = new TableName("public", "orders");
  private static final TableName CUSTOMERS = new TableName("public", "customers");
  private static final Set<String> AGGREGATES = Set.of("count", "sum", "avg", "min", "max",
      "string_agg", "percentile_cont", "stddev", "hll_union_agg", "my_agg");
  private static final CatalogSnapshot SNAPSHOT = new CatalogSnapshot(Map.of(
      ORDERS, table(ORDERS, 100), CUSTOMERS, table(CUSTOMERS, 200)), List.of(WORKER));

  private static DistributedTable table(TableName name, long firstShard) {
    return new DistributedTable(firstShard, name, DistributionMethod.HASH, "customer_id",
        PartitionType.INT4, List.of(
            new Shard(firstShard, name, "-2147483648", "-1", List.of(
                new ShardPlacement(firstShard, firstShard, PlacementState.FINALIZED, WORKER))),
            new Shard(firstShard + 1, name, "0", "2147483647", List.of(
                new ShardPlacement(firstShard + 1, firstShard + 1, PlacementState.FINALIZED,
                    WORKER)))));
  }

  /** Returns EXPLAIN's lines for {@code sql}, whose labels are {@code labels}. */
  static List<String> explain(String sql, String... labels) throws SQLException {
    SqlNode statement = SqlParsing.parse(sql);
    List<TableReference> references = TableReferenceCollector.collect(statement,
        parts -> new TableName("public", parts.get(parts.size() - 1)));
    List<TableReference> distributed = references.stream()
        .filter(each -> SNAPSHOT.table(each.table()).isPresent()).toList();
    MultiShardQuery plan = MultiShardPlanner.plan(statement, distributed, references.size(),
        new ShardSqlSplicer(sql, statement), SNAPSHOT, AGGREGATES::contains,
        () -> List.of(labels));
    return plan.explain(List.of(), SNAPSHOT);
  }

  private static String strategy(List<String> plan) {
    return plan.get(0);
  }

  private static String shardSql(List<String> plan) {
    String sent = plan.stream().filter(each -> each.startsWith("    Sent to")).findFirst()
        .orElseThrow();
    return sent.substring(sent.indexOf(": ") + 2);
  }

  private static String coordinatorSql(List<String> plan) {
    return plan.get(plan.size() - 1).substring(plan.get(plan.size() - 1).indexOf(": ") + 2);
  }

  @Test
  void rowsOfOneTablePushDown() throws SQLException {
    List<String> plan = explain("SELECT order_id, amount FROM orders WHERE amount > 5");
    assertTrue(strategy(plan).contains("Pushdown"), plan.toString());
    assertEquals("SELECT order_id, amount FROM \"public\".\"orders_100\" AS \"orders\""
        + " WHERE amount > 5", shardSql(plan));
  }

  @Test
  void groupsOfTheDistributionColumnPushDownWhole() throws SQLException {
    List<String> plan = explain("SELECT customer_id, string_agg(s, ',') FROM orders o"
        + " GROUP BY o.customer_id HAVING count(*) > 1");
    assertTrue(strategy(plan).contains("Pushdown"), plan.toString());
  }

  @Test
  void sortAndLimitMergeAtTheCoordinator() throws SQLException {
    List<String> plan = explain("SELECT order_id, amount AS a FROM orders"
        + " ORDER BY a DESC NULLS LAST, order_id LIMIT 10 OFFSET 5");
    assertTrue(strategy(plan).contains("Merge"), plan.toString());
    assertEquals("SELECT order_id, amount AS a FROM \"public\".\"orders_100\" AS \"orders\""
        + " ORDER BY a DESC NULLS LAST, order_id LIMIT (10) + (5) OFFSET 0", shardSql(plan));
    assertEquals("SELECT spar_rows.* FROM <rows from the shards> AS spar_rows ORDER BY"
        + " spar_rows.c2 DESC NULLS LAST, spar_rows.c1 LIMIT 10 OFFSET 5", coordinatorSql(plan));
  }

  @Test
  void groupsOfTheDistributionColumnSortAtTheCoordinator() throws SQLException {
    List<String> plan = explain("SELECT customer_id, count(*) AS n FROM orders"
        + " GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT 5");
    assertEquals("SELECT customer_id, count(*) AS n FROM \"public\".\"orders_100\" AS"
        + " \"orders\" GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT 5",
        shardSql(plan));
    assertEquals("SELECT spar_rows.* FROM <rows from the shards> AS spar_rows ORDER BY"
        + " spar_rows.c2 DESC, spar_rows.c1 LIMIT 5", coordinatorSql(plan));
  }

  @Test
  void sortKeysOutsideTheSelectListTravelAsExtraColumns() throws SQLException {
    List<String> plan = explain("SELECT order_id FROM orders ORDER BY amount * 2 LIMIT 3");
    assertEquals("SELECT order_id, amount * 2 AS spar_sort_1 FROM \"public\".\"orders_100\""
        + " AS \"orders\" ORDER BY amount * 2 LIMIT 3", shardSql(plan));
  }

  @Test
  void aggregatesCombineAtTheCoordinator() throws SQLException {
    List<String> plan = explain("SELECT status, count(*) AS n, avg(amount) FROM orders"
        + " WHERE paid GROUP BY status HAVING sum(qty) > 3 ORDER BY n DESC, status LIMIT 2",
        "status", "n", "avg");
    assertTrue(strategy(plan).contains("Partial aggregation"), plan.toString());
    assertEquals("SELECT status AS g1, count(*) AS p1, sum(amount) AS p2, count(amount) AS p3,"
        + " sum(qty) AS p4 FROM \"public\".\"orders_100\" AS \"orders\" WHERE paid GROUP BY 1",
        shardSql(plan));
    assertEquals("SELECT spar_partials.g1 AS \"status\", count(spar_partials.p1) AS \"n\","
        + " avg(spar_partials.p2..spar_partials.p3) AS \"avg\" FROM <partial rows from the"
        + " shards> AS spar_partials GROUP BY spar_partials.g1 HAVING sum(spar_partials.p4) > 3"
        + " ORDER BY n DESC, spar_partials.g1 LIMIT 2", coordinatorSql(plan));
  }

  @Test
  void aggregatesWithoutCombinationRunAtTheCoordinator() throws SQLException {
    for (String sql : List.of("SELECT string_agg(s, ',' ORDER BY s) FROM orders",
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FROM orders",
        "SELECT my_agg(amount) FROM orders GROUP BY status",
        "SELECT count(DISTINCT status) FROM orders",
        "SELECT status, qty FROM orders GROUP BY status",
        "SELECT count(*) FROM (SELECT DISTINCT status FROM orders) d",
        "SELECT s.n FROM (SELECT status, count(*) AS n FROM orders GROUP BY status) s",
        "SELECT g FROM generate_series(1, 3) g WHERE EXISTS (SELECT 1 FROM orders o"
            + " WHERE o.qty = g)",
        "SELECT (SELECT count(*) FROM orders) AS n")) {
      assertTrue(strategy(explain(sql, "x")).contains("Coordinator"), sql);
    }
  }

  @Test
  void coLocatedJoinsOnTheDistributionColumnRunShardByShard() throws SQLException {
    List<String> plan = explain("SELECT o.order_id, c.name FROM orders o JOIN customers c"
        + " ON c.customer_id = o.customer_id WHERE o.amount > 3");
    assertTrue(strategy(plan).contains("Pushdown"), plan.toString());
    assertEquals("SELECT o.order_id, c.name FROM \"public\".\"orders_100\" o JOIN"
        + " \"public\".\"customers_200\" c ON c.customer_id = o.customer_id WHERE o.amount > 3",
        shardSql(plan));
    assertTrue(strategy(explain("SELECT c.country, count(*) FROM customers c, orders o"
        + " WHERE o.customer_id = c.customer_id GROUP BY c.country", "country", "count"))
        .contains("Partial aggregation"));
    // An outer join can make the inner side's distribution column NULL on every shard.
    assertTrue(strategy(explain("SELECT o.customer_id, count(*) FROM customers c LEFT JOIN"
        + " orders o ON o.customer_id = c.customer_id GROUP BY o.customer_id",
        "customer_id", "count")).contains("Partial aggregation"));
    assertTrue(strategy(explain("SELECT c.customer_id, count(*) FROM customers c JOIN"
        + " orders o ON o.customer_id = c.customer_id GROUP BY c.customer_id"))
        .contains("Pushdown"));
  }

  @Test
  void joinsOnOtherColumnsRunAtTheCoordinator() throws SQLException {
    for (String sql : List.of(
        "SELECT o.order_id FROM orders o JOIN customers c ON c.name = o.status",
        "SELECT o.order_id FROM orders o JOIN customers c USING (customer_id)",
        "SELECT o.order_id FROM orders o, customers c WHERE o.customer_id = c.customer_id + 1",
        "SELECT o.order_id FROM orders o JOIN customers c ON c.customer_id = o.customer_id"
            + " OR c.name = o.status")) {
      assertTrue(strategy(explain(sql)).contains("Coordinator"), sql);
    }
  }

  @Test
  void joinsRunAtTheCoordinatorAndPruneOnlyWhatTheirWhereFilters() throws SQLException {
    List<String> plan = explain("SELECT o.order_id FROM orders o LEFT JOIN customers c"
        + " ON c.name = o.status WHERE c.customer_id IS NULL");
    assertTrue(strategy(plan).contains("Coordinator"), plan.toString());
    assertTrue(plan.get(3).contains("public.customers: 2 of 2 shards"), plan.toString());
  }
}
