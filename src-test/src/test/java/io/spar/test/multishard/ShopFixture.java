package io.spar.test.multishard;

import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;

/**
 * The data of the multi-shard differential tests, loaded through Spar into distributed tables
 * and into plain tables of schema {@value #REFERENCE} on the coordinator, so that the same query
 * text runs on both: the reference connection's {@code search_path} starts with that schema.
 *
 * <ul>
 *   <li>{@code ms_customers}: hash-distributed on {@code customer_id}, 8 shards;
 *   <li>{@code ms_orders}: co-located with it (hash on {@code customer_id}, 8 shards);
 *   <li>{@code ms_events}: hash on {@code event_id}, 4 shards, replication factor 2, with an
 *       hll column and an integer array;
 *   <li>{@code ms_regions}: a local table on the coordinator.
 * </ul>
 *
 * <p>NULLs are frequent in every nullable column. Floating-point values are multiples of 1/4
 * within a few thousand, so their sums are exact in any order of addition and equal
 * PostgreSQL's single-table sums.
 */
final class ShopFixture {
  static final String REFERENCE = "ms_reference";
  private static final long SEED = 20_261_202L;
  private static final String[] COUNTRIES = {"NL", "DE", "US", "FR", "BR", null};
  private static final String[] STATUSES = {"new", "paid", "shipped", "returned", null};
  private static final String[] TAGS = {"x", "y", "z", "gift", "rush"};
  private static final String[] KINDS = {"view", "click", "buy", "Share", "view ", null};

  private static final List<String> DDL = List.of(
      "CREATE TABLE ms_customers (customer_id int NOT NULL, name text, country text,"
          + " signup date, vip boolean, score numeric(6,2))",
      "CREATE TABLE ms_orders (order_id bigint NOT NULL, customer_id int NOT NULL,"
          + " amount numeric(10,2), qty int, price float8, status text, ordered_at timestamp,"
          + " ordered_on date, paid boolean, tags text[], note varchar(20))",
      "CREATE TABLE ms_events (event_id bigint NOT NULL, customer_id int, kind text,"
          + " happened_at timestamptz, users hll, payload int[])",
      "CREATE TABLE ms_regions (country text, region text)");

  private ShopFixture() {
  }

  /** Creates and loads the tables through {@code spar} and into the reference schema. */
  static void load(Connection spar, Connection reference) throws SQLException {
    try (Statement s = spar.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS hll");
      for (String table : List.of("ms_customers", "ms_orders", "ms_events", "ms_regions")) {
        s.execute("DROP TABLE IF EXISTS " + table);
      }
      for (String each : DDL) {
        s.execute(each);
      }
      s.execute("SELECT master_create_distributed_table('ms_customers', 'customer_id', 'hash')");
      s.execute("SELECT master_create_worker_shards('ms_customers', 8, 1)");
      s.execute("SELECT master_create_distributed_table('ms_orders', 'customer_id', 'hash')");
      s.execute("SELECT master_create_worker_shards('ms_orders', 8, 1)");
      s.execute("SELECT master_create_distributed_table('ms_events', 'event_id', 'hash')");
      s.execute("SELECT master_create_worker_shards('ms_events', 4, 2)");
    }
    try (Statement s = reference.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + REFERENCE + " CASCADE");
      s.execute("CREATE SCHEMA " + REFERENCE);
      s.execute("SET search_path = " + REFERENCE + ", public");
      for (String each : DDL) {
        s.execute(each);
      }
    }
    for (Connection each : List.of(spar, reference)) {
      insert(each);
    }
  }

  /** Drops the reference schema. */
  static void dropReference(Connection reference) throws SQLException {
    try (Statement s = reference.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + REFERENCE + " CASCADE");
    }
  }

  /** Opens the reference connection, whose unqualified names find the reference tables. */
  static Connection reference() throws SQLException {
    Connection connection = SparTestCluster.coordinator();
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + REFERENCE);
      s.execute("SET search_path = " + REFERENCE + ", public");
    }
    return connection;
  }

  private static void insert(Connection connection) throws SQLException {
    Random random = new Random(SEED);
    try (PreparedStatement ps = connection.prepareStatement(
        "INSERT INTO ms_customers VALUES (?, ?, ?, ?::date, ?, ?::numeric)")) {
      for (int id = 1; id <= 60; id++) {
        ps.setInt(1, id == 60 ? -7 : id);
        ps.setString(2, random.nextInt(10) == 0 ? null : "customer " + (id % 17));
        ps.setString(3, COUNTRIES[random.nextInt(COUNTRIES.length)]);
        ps.setString(4, random.nextInt(8) == 0 ? null
            : "2023-" + (1 + random.nextInt(12)) + "-" + (1 + random.nextInt(28)));
        ps.setObject(5, random.nextInt(4) == 0 ? null : random.nextBoolean());
        ps.setString(6, random.nextInt(5) == 0 ? null
            : (random.nextInt(20000) - 5000) / 100 + "." + random.nextInt(10));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = connection.prepareStatement("INSERT INTO ms_orders VALUES"
        + " (?, ?, ?::numeric, ?, ?, ?, ?::timestamp, ?::date, ?, CAST(? AS text ARRAY), ?)")) {
      for (int id = 1; id <= 600; id++) {
        ps.setLong(1, id);
        ps.setInt(2, random.nextInt(25) == 0 ? -7 : 1 + random.nextInt(70));
        ps.setString(3, random.nextInt(7) == 0 ? null
            : random.nextInt(100000) / 100 + "." + String.format("%02d", random.nextInt(100)));
        ps.setObject(4, random.nextInt(6) == 0 ? null : random.nextInt(20) - 3);
        ps.setObject(5, random.nextInt(6) == 0 ? null : (random.nextInt(8000) - 1000) / 4.0);
        ps.setString(6, STATUSES[random.nextInt(STATUSES.length)]);
        ps.setString(7, random.nextInt(9) == 0 ? null : "2024-" + (1 + random.nextInt(12)) + "-"
            + (1 + random.nextInt(28)) + " " + random.nextInt(24) + ":" + random.nextInt(60)
            + ":" + random.nextInt(60) + (random.nextInt(3) == 0 ? ".25" : ""));
        ps.setString(8, "2024-" + (1 + random.nextInt(12)) + "-" + (1 + random.nextInt(28)));
        ps.setObject(9, random.nextInt(5) == 0 ? null : random.nextBoolean());
        ps.setString(10, random.nextInt(5) == 0 ? null : tags(random));
        ps.setString(11, random.nextInt(3) == 0 ? null : "n" + random.nextInt(9));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = connection.prepareStatement("INSERT INTO ms_events VALUES"
        + " (?, ?, ?, ?::timestamptz, hll_add(hll_empty(), hll_hash_integer(?)), CAST(? AS int ARRAY))")) {
      for (int id = 1; id <= 300; id++) {
        ps.setLong(1, id * 7L - 1000);
        ps.setObject(2, random.nextInt(10) == 0 ? null : 1 + random.nextInt(60));
        ps.setString(3, KINDS[random.nextInt(KINDS.length)]);
        ps.setString(4, random.nextInt(10) == 0 ? null : "2024-03-" + (1 + random.nextInt(28))
            + " " + random.nextInt(24) + ":30:00+0" + random.nextInt(5));
        ps.setInt(5, random.nextInt(40));
        ps.setString(6, random.nextInt(6) == 0 ? null
            : "{" + random.nextInt(5) + "," + (random.nextInt(3) == 0 ? "NULL" : random.nextInt(9))
                + "}");
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (Statement s = connection.createStatement()) {
      s.execute("INSERT INTO ms_regions VALUES ('NL', 'EU'), ('DE', 'EU'), ('FR', 'EU'),"
          + " ('US', 'NA'), ('CA', 'NA'), (NULL, 'unknown')");
    }
  }

  private static String tags(Random random) {
    StringBuilder text = new StringBuilder("{");
    int count = random.nextInt(4);
    for (int i = 0; i < count; i++) {
      text.append(i == 0 ? "" : ",").append(TAGS[random.nextInt(TAGS.length)]);
    }
    return text.append('}').toString();
  }
}
