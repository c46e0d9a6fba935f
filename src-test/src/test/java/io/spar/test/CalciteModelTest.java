package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.LocalCluster;
import io.spar.engine.execution.StatementLog;
import io.spar.jdbc.EngineRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An application that already uses Calcite adds Spar's distributed tables to its model
 * ({@code io.spar.adapter.SparSchemaFactory}) and joins them with its other tables, here an
 * in-memory one; filters reach the shards and prune them.
 */
class CalciteModelTest {
  private static Connection spar;

  /** The in-memory schema of the test: countries and their regions. */
  public static final class Geography {
    /** Rows of the {@code regions} table. */
    public final Region[] regions = {
        new Region("NL", "EU"), new Region("DE", "EU"), new Region("US", "NA")};
  }

  /** A row of {@code regions}. */
  public static final class Region {
    /** The country code. */
    public final String country;
    /** The region. */
    public final String region;

    Region(String country, String region) {
      this.country = country;
      this.region = region;
    }
  }

  @BeforeAll
  static void load() throws SQLException {
    SparTestCluster.cluster();
    spar = SparTestCluster.spar();
    try (Statement s = spar.createStatement()) {
      s.execute("DROP TABLE IF EXISTS model_orders");
      s.execute("CREATE TABLE model_orders (id bigint NOT NULL, country text, amount int)");
      s.execute("SELECT master_create_distributed_table('model_orders', 'id', 'hash')");
      s.execute("SELECT master_create_worker_shards('model_orders', 4, 1)");
      s.execute("INSERT INTO model_orders VALUES (1, 'NL', 10), (2, 'DE', 20), (3, 'NL', 5),"
          + " (4, 'US', 7), (5, 'FR', 100)");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    if (spar != null) {
      try (Statement s = spar.createStatement()) {
        s.execute("DROP TABLE IF EXISTS model_orders");
      }
      spar.close();
    }
  }

  private static Connection calcite() throws SQLException {
    String coordinator = SparTestCluster.cluster().coordinator().jdbcUrl();
    String model = "{\"version\": \"1.0\", \"defaultSchema\": \"spar\", \"schemas\": ["
        + "{\"name\": \"spar\", \"type\": \"custom\","
        + " \"factory\": \"io.spar.adapter.SparSchemaFactory\","
        + " \"operand\": {\"coordinator\": \"" + coordinator + "\", \"user\": \""
        + LocalCluster.USER + "\"}},"
        + "{\"name\": \"geo\", \"type\": \"custom\","
        + " \"factory\": \"org.apache.calcite.adapter.java.ReflectiveSchema$Factory\","
        + " \"operand\": {\"class\": \"" + Geography.class.getName() + "\"}}]}";
    return DriverManager.getConnection("jdbc:calcite:lex=JAVA;model=inline:" + model);
  }

  @Test
  void sparTablesJoinTheConnectionsOtherTables() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection calcite = calcite(); Statement s = calcite.createStatement();
        ResultSet rs = s.executeQuery("SELECT r.region, count(*) AS n, sum(o.amount) AS total"
            + " FROM spar.model_orders o JOIN geo.regions r ON o.country = r.country"
            + " GROUP BY r.region ORDER BY r.region")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getLong(3));
      }
    }
    assertEquals(List.of("EU 3 35", "NA 1 7"), rows);
  }

  @Test
  void filtersReachTheShardsAndPruneThem() throws SQLException {
    StatementLog log = EngineRegistry.engine(SparTestCluster.cluster().coordinator().jdbcUrl(),
        LocalCluster.USER, null).statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    try (Connection calcite = calcite(); Statement s = calcite.createStatement()) {
      long mark = log.mark();
      try (ResultSet rs = s.executeQuery(
          "SELECT country FROM spar.model_orders WHERE id = 4 AND amount > 1")) {
        assertTrue(rs.next());
        assertEquals("US", rs.getString(1));
      }
      List<StatementLog.Entry> sent = log.since(mark).stream()
          .filter(each -> each.shardId() != null).toList();
      assertEquals(1, sent.size(), sent.toString());
      assertTrue(sent.get(0).sql().contains("WHERE"), sent.get(0).sql());
    }
  }
}
