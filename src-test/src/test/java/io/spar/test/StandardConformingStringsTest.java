package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.catalog.SqlQuoting;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A session that turns {@code standard_conforming_strings} off reads {@code 'a\nb'} as three
 * characters where the workers, which keep it on, would read four. Spar sends statement texts
 * to the workers as the session wrote them, so it refuses statements on distributed tables in
 * such a session (0A000), before anything is written, rather than store other strings than
 * PostgreSQL would. Statements on local tables still run as on PostgreSQL, and the literals
 * Spar writes itself mean the same under either setting.
 */
class StandardConformingStringsTest {
  private static final String TABLE = "scs_notes";
  private static final String LOCAL = "scs_local";
  private static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    Sql.run(spar, "DROP TABLE IF EXISTS " + TABLE);
    Sql.run(spar, "DROP TABLE IF EXISTS " + LOCAL);
    Sql.run(spar, "CREATE TABLE " + TABLE + " (id int PRIMARY KEY, note text)");
    Sql.run(spar, "SELECT master_create_distributed_table('" + TABLE + "', 'id', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('" + TABLE + "', 4, 2)");
    Sql.run(spar, "CREATE TABLE " + LOCAL + " (id int, note text)");
  }

  @AfterAll
  static void close() throws SQLException {
    Sql.run(spar, "RESET standard_conforming_strings");
    spar.close();
  }

  @Test
  void distributedStatementsAreRefusedWhileItIsOff() throws SQLException {
    Sql.run(spar, "SET standard_conforming_strings = off");
    try {
      for (String statement : List.of(
          "INSERT INTO " + TABLE + " VALUES (1, 'a\\nb')",
          "UPDATE " + TABLE + " SET note = 'x\\ty' WHERE id = 1",
          "SELECT count(*) FROM " + TABLE + " WHERE note = 'a\\nb'",
          "SELECT note FROM " + TABLE + " WHERE id = 1")) {
        SQLException refused = assertThrows(SQLException.class, () -> Sql.run(spar, statement),
            statement);
        assertEquals("0A000", refused.getSQLState(), statement);
        assertTrue(refused.getMessage().contains("standard_conforming_strings = off is not"
            + " supported"), refused.getMessage());
      }
      // A local table's statement runs on the coordinator, which reads it as PostgreSQL does.
      Sql.run(spar, "INSERT INTO " + LOCAL + " VALUES (1, 'a\\nb')");
      assertEquals(List.of("3"), Sql.strings(spar, "SELECT length(note) FROM " + LOCAL));
    } finally {
      Sql.run(spar, "SET standard_conforming_strings = on");
    }
    assertEquals(List.of("0"), Sql.strings(spar, "SELECT count(*) FROM " + TABLE),
        "nothing was written while it was off");
    Sql.run(spar, "INSERT INTO " + TABLE + " VALUES (1, 'a\\nb')");
    assertEquals(List.of("4"), Sql.strings(spar, "SELECT length(note) FROM " + TABLE
        + " WHERE id = 1"));
    Placements.assertIdentical(spar, TABLE);
  }

  @Test
  void sparsLiteralsMeanTheSameUnderEitherSetting() throws SQLException {
    List<String> values = List.of("plain", "it's", "back\\slash", "\\'", "end\\", "\\\\n");
    try (Connection plain = SparTestCluster.coordinator()) {
      for (String setting : List.of("on", "off")) {
        Sql.run(plain, "SET standard_conforming_strings = " + setting);
        for (String value : values) {
          assertEquals(List.of(value), Sql.strings(plain, "SELECT "
              + SqlQuoting.literal(value)), value + " with standard_conforming_strings "
              + setting);
        }
      }
    }
  }
}
