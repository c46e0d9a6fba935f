package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rows a multi-row INSERT returns come in the order of its VALUES, as on PostgreSQL, where
 * ORMs match returned keys to objects by position (a newcomer saw them in shard order). Where
 * ON CONFLICT skipped rows and the order cannot be known, the INSERT is refused and undone.
 */
class ReturningOrderTest {
  private static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    Sql.run(spar, "DROP TABLE IF EXISTS ro_items");
    Sql.run(spar, "CREATE TABLE ro_items (id bigserial, k int NOT NULL, name text,"
        + " PRIMARY KEY (k, id), UNIQUE (k, name))");
    Sql.run(spar, "SELECT master_create_distributed_table('ro_items', 'k', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('ro_items', 2, 2)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void generatedKeysFollowTheValues() throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement insert = spar.prepareStatement("INSERT INTO ro_items (k, name)"
        + " VALUES (5, 'a'), (1, 'b'), (9, 'c'), (2, 'd'), (7, 'e'), (4, 'f')",
        new String[] {"id", "name"})) {
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        // As pgjdbc: RETURNING "id", "name", so getLong(1) is the id whatever the table's order.
        assertEquals(2, keys.getMetaData().getColumnCount());
        assertEquals("id", keys.getMetaData().getColumnName(1));
        long previous = 0;
        while (keys.next()) {
          // The coordinator draws the ids in VALUES order, so they rise row by row.
          assertEquals(true, keys.getLong("id") > previous, "ids rise in VALUES order");
          previous = keys.getLong("id");
          names.add(keys.getString("name"));
        }
      }
    }
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), names);
    SQLException byIndex = assertThrows(SQLException.class, () -> spar.prepareStatement(
        "INSERT INTO ro_items (k, name) VALUES (3, 'z')", new int[] {1}));
    assertEquals("0A000", byIndex.getSQLState());
  }

  @Test
  void skippedRowsThatHideTheOrderRefuseTheInsert() throws SQLException {
    Sql.run(spar, "INSERT INTO ro_items (k, name) VALUES (100, 'x')");
    StringBuilder values = new StringBuilder("(100, 'x')");
    for (int k = 101; k < 120; k++) {
      values.append(", (").append(k).append(", 'x')");
    }
    SQLException refusal = assertThrows(SQLException.class, () -> Sql.run(spar,
        "INSERT INTO ro_items (k, name) VALUES " + values
            + " ON CONFLICT (k, name) DO NOTHING RETURNING k"));
    assertEquals("0A000", refusal.getSQLState(), refusal.getMessage());
    assertEquals(1L, Sql.count(spar, "SELECT count(*) FROM ro_items WHERE k >= 100"));
    Sql.run(spar, "INSERT INTO ro_items (k, name) VALUES (100, 'x')"
        + " ON CONFLICT (k, name) DO NOTHING RETURNING k");
    Sql.run(spar, "INSERT INTO ro_items (k, name) VALUES " + values
        + " ON CONFLICT (k, name) DO NOTHING");
    assertEquals(20L, Sql.count(spar, "SELECT count(*) FROM ro_items WHERE k >= 100"));
  }
}
