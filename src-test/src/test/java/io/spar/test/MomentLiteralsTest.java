package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 8: a bare string that names a moment ({@code 'now'}, {@code 'today'},
 * {@code 'tomorrow'}, {@code 'yesterday'}, in any case, with spaces around) given to a date or
 * time column is read once at the coordinator as that column's type, in INSERT values, UPDATE
 * SET and comparisons in WHERE, and refused where its type is not known; each placement used
 * to read {@code 'now'} as the start of its own transaction. The table has replication
 * factor 2.
 */
class MomentLiteralsTest {
  private static final String TABLE = "ml_events";
  private static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    Sql.run(spar, "DROP TABLE IF EXISTS " + TABLE);
    Sql.run(spar, "CREATE TABLE " + TABLE + " (id bigint, at timestamptz, day date,"
        + " note text, hits int DEFAULT 0)");
    Sql.run(spar, "SELECT master_create_distributed_table('" + TABLE + "', 'id', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('" + TABLE + "', 4, 2)");
    spar.unwrap(SparSession.class).engine().metadata().invalidate();
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void insertValuesAndParametersAreReadOnce() throws SQLException {
    Sql.run(spar, "INSERT INTO " + TABLE + " (id, at, day, note) VALUES (1, 'now', 'today',"
        + " 'now'), (2, ' NOW ', ' Tomorrow ', 'today'), (3, 'yesterday 10:00', 'yesterday',"
        + " 'tomorrow')");
    try (PreparedStatement insert = spar.prepareStatement("INSERT INTO " + TABLE
        + " (id, at, day) VALUES (?, ?, ?)")) {
      for (int id = 4; id < 8; id++) {
        insert.setInt(1, id);
        insert.setString(2, "now");
        insert.setString(3, "today");
        insert.addBatch();
      }
      insert.executeBatch();
    }
    assertEquals(List.of("now", "today", "tomorrow"), Sql.strings(spar, "SELECT note FROM "
        + TABLE + " WHERE id <= 3 ORDER BY id"), "text columns keep the words");
    assertEquals(List.of("1"), Sql.strings(spar, "SELECT count(*) FROM " + TABLE
        + " WHERE id = 2 AND day = current_date + 1"));
    Placements.assertIdentical(spar, TABLE);
  }

  @Test
  void updatesAndComparisonsReadThemOnce() throws SQLException {
    Sql.run(spar, "INSERT INTO " + TABLE + " (id, at, day) VALUES (10, '2001-01-01', NULL),"
        + " (11, '2001-01-01', NULL), (12, '2001-01-01', NULL), (13, '2001-01-01', NULL)");
    assertEquals(4, Sql.update(spar, "UPDATE " + TABLE + " SET at = 'now', day = 'today'"
        + " WHERE id BETWEEN 10 AND 13"));
    assertEquals(4, Sql.update(spar, "UPDATE " + TABLE + " SET hits = hits + 1"
        + " WHERE id BETWEEN 10 AND 13 AND at <= 'now' AND day IN ('today', 'yesterday')"
        + " AND 'tomorrow' > day"));
    try (PreparedStatement update = spar.prepareStatement("UPDATE " + TABLE
        + " SET at = ? WHERE id BETWEEN 10 AND 13 AND at < ?")) {
      update.setString(1, "now");
      update.setString(2, "tomorrow");
      assertEquals(4, update.executeUpdate());
    }
    Placements.assertIdentical(spar, TABLE);
    assertEquals(4, Sql.update(spar, "DELETE FROM " + TABLE + " WHERE id BETWEEN 10 AND 13"
        + " AND at BETWEEN 'yesterday' AND 'now'"));
    Placements.assertIdentical(spar, TABLE);
  }

  @Test
  void momentsWhoseTypeIsUnknownAreRefused() throws SQLException {
    Sql.run(spar, "INSERT INTO " + TABLE + " (id, day) VALUES (20, '2001-01-01')");
    for (String sql : List.of("DELETE FROM " + TABLE + " WHERE day + 1 > 'today'",
        "UPDATE " + TABLE + " SET at = greatest(at, 'now') WHERE id = 20")) {
      PSQLException e = assertThrows(PSQLException.class, () -> Sql.run(spar, sql), sql);
      assertEquals("0A000", e.getSQLState(), sql);
      assertEquals("strings that name a moment must have a known type in "
          + sql.substring(0, 6) + " queries on distributed tables",
          e.getServerErrorMessage().getMessage());
    }
    // Typed, they are evaluated at the coordinator as before.
    assertEquals(1, Sql.update(spar, "UPDATE " + TABLE + " SET at = greatest(at,"
        + " 'now'::timestamptz) WHERE id = 20"));
    Placements.assertIdentical(spar, TABLE);
  }
}
