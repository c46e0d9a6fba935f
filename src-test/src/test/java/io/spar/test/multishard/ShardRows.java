package io.spar.test.multishard;

import io.spar.engine.cluster.LocalCluster;
import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Fills a hash-distributed table faster than INSERTs through Spar can: each shard generates
 * its own rows on its worker, keeping the ids whose {@code hashint8} falls in its range.
 */
final class ShardRows {
  private ShardRows() {
  }

  /**
   * Inserts into every shard of {@code table} (distributed by a bigint {@code id}) the rows
   * {@code select} gives for {@code id} from 1 to {@code rows}, such as {@code "id, id % 10"}.
   */
  static void generate(String table, String select, int rows) throws SQLException {
    try (Connection coordinator = SparTestCluster.coordinator();
        PreparedStatement shards = coordinator.prepareStatement("SELECT s.id, s.min_value,"
            + " s.max_value, p.node_name, p.node_port FROM pgs_distribution_metadata.shard s"
            + " JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
            + " WHERE s.relation_id = ?::regclass")) {
      shards.setString(1, table);
      try (ResultSet rs = shards.executeQuery()) {
        while (rs.next()) {
          try (Connection worker = DriverManager.getConnection("jdbc:postgresql://"
              + rs.getString(4) + ":" + rs.getInt(5) + "/" + LocalCluster.DATABASE,
              LocalCluster.USER, null);
              Statement s = worker.createStatement()) {
            s.execute("INSERT INTO " + table + "_" + rs.getLong(1) + " SELECT " + select
                + " FROM generate_series(1, " + rows + ") AS id WHERE hashint8(id) BETWEEN "
                + rs.getString(2) + " AND " + rs.getString(3));
          }
        }
      }
    }
  }
}
