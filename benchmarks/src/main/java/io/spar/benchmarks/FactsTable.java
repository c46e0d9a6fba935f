package io.spar.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The analytic benchmarks' data: rows of
 * {@code (id bigint, g int, amount numeric(12,2), note text)} with {@value #GROUPS} values of
 * {@code g}, once in a distributed table (hash on {@code id}, {@value BenchCluster#SHARDS}
 * shards on {@value BenchCluster#WORKERS} workers) and once in a plain table on the
 * coordinator. Rows are generated on each node by the same expression, each shard keeping the
 * ids whose {@code hashint8} falls in its range, and are kept between forks while both tables
 * hold them all.
 *
 * @param distributed the distributed table
 * @param plain the plain table on the coordinator
 * @param rows rows in each table
 */
record FactsTable(String distributed, String plain, int rows) {
  /** A million rows. */
  static final FactsTable LARGE = new FactsTable("bench_facts", "bench_facts_plain", 1_000_000);
  /** A thousand rows. */
  static final FactsTable SMALL = new FactsTable("bench_small", "bench_small_plain", 1_000);
  /** Distinct values of {@code g}. */
  static final int GROUPS = 100;

  private static final String COLUMNS =
      " (id bigint NOT NULL, g int NOT NULL, amount numeric(12,2), note text)";

  private String rowQuery() {
    return "SELECT id, (id % " + GROUPS + ")::int, ((id * 7919) % 100000) / 100.0,"
        + " 'note ' || (id % 997) FROM generate_series(1::bigint, " + rows + ") AS id";
  }

  /** Creates and fills both tables unless they already hold every row. */
  void ensure(BenchCluster cluster) throws SQLException {
    if (count(cluster.spar(), distributed) == rows && count(cluster.coordinator(), plain) == rows) {
      return;
    }
    try (Statement spar = cluster.spar().createStatement();
        Statement coordinator = cluster.coordinator().createStatement()) {
      spar.execute("DROP TABLE IF EXISTS " + distributed);
      spar.execute("CREATE TABLE " + distributed + COLUMNS);
      spar.execute("SELECT master_create_distributed_table('" + distributed + "', 'id', 'hash')");
      spar.execute("SELECT master_create_worker_shards('" + distributed + "', "
          + BenchCluster.SHARDS + ", 1)");
      coordinator.execute("DROP TABLE IF EXISTS " + plain);
      coordinator.execute("CREATE TABLE " + plain + COLUMNS);
      coordinator.execute("INSERT INTO " + plain + " " + rowQuery());
      coordinator.execute("VACUUM ANALYZE " + plain);
    }
    try (PreparedStatement shards = cluster.coordinator().prepareStatement(
        "SELECT s.id, s.min_value, s.max_value, p.node_name || ':' || p.node_port"
            + " FROM pgs_distribution_metadata.shard s"
            + " JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
            + " WHERE s.relation_id = ?::regclass AND p.shard_state = 1")) {
      shards.setString(1, distributed);
      try (ResultSet rs = shards.executeQuery()) {
        while (rs.next()) {
          String shard = distributed + "_" + rs.getLong(1);
          try (Connection worker = cluster.worker(rs.getString(4));
              Statement statement = worker.createStatement()) {
            statement.execute("INSERT INTO " + shard + " SELECT * FROM (" + rowQuery()
                + ") AS r WHERE hashint8(id) BETWEEN " + rs.getString(2) + " AND "
                + rs.getString(3));
            statement.execute("VACUUM ANALYZE " + shard);
          }
        }
      }
    }
    if (count(cluster.spar(), distributed) != rows) {
      throw new IllegalStateException(distributed + " does not hold " + rows + " rows");
    }
  }

  private static long count(Connection connection, String table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return -1;
      }
      throw e;
    }
  }
}
