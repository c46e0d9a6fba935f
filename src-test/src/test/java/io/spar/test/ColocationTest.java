package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's co-location groups: hash tables with the same shard count, replication factor and
 * column type share a group by default, {@code colocate_with} chooses another or none, and a
 * group's shards stay on the same nodes through moves, also for tables made after them.
 */
class ColocationTest {
  private static Connection spar;

  // Nine shards: no other test's tables share the group, so the move here moves only these.
  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    Sql.run(spar, "DROP TABLE IF EXISTS co_a, co_b, co_c, co_d, co_e, co_f, co_g");
    for (String table : List.of("co_a", "co_b", "co_c", "co_d", "co_e", "co_g")) {
      Sql.run(spar, "CREATE TABLE " + table + " (k bigint, v text)");
    }
    Sql.run(spar, "CREATE TABLE co_f (k text, v text)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void groupsByLayoutByChoiceAndThroughMoves() throws SQLException {
    distribute("co_a", "");
    shards("co_a", 9, 1);
    distribute("co_b", "");
    shards("co_b", 9, 1);
    distribute("co_c", "");
    shards("co_c", 10, 1);
    distribute("co_d", ", colocate_with => 'none'");
    shards("co_d", 9, 1);
    distribute("co_e", ", 'co_a'");
    SQLException count = assertThrows(SQLException.class, () -> shards("co_e", 10, 1));
    assertEquals("22023", count.getSQLState(), count.getMessage());
    shards("co_e", 9, 1);
    SQLException type = assertThrows(SQLException.class,
        () -> distribute("co_f", ", colocate_with => 'co_a'"));
    assertEquals("22023", type.getSQLState(), type.getMessage());
    SQLException named = assertThrows(SQLException.class, () -> Sql.run(spar,
        "SELECT get_shard_id_for_distribution_column(table_name => 'co_a', 1)"));
    assertEquals("42883", named.getSQLState(), named.getMessage());

    long group = group("co_a");
    assertTrue(group > 0, "a default group: " + group);
    assertEquals(group, group("co_b"));
    assertEquals(group, group("co_e"));
    assertNotEquals(group, group("co_c"), "another shard count");
    assertTrue(group("co_d") < 0, "a group of its own: " + group("co_d"));
    assertEquals(layout("co_a"), layout("co_b"));
    assertEquals(layout("co_a"), layout("co_e"));
    assertEquals(layout("co_a"), layout("co_d"), "placed alike, yet not co-located");

    for (String table : List.of("co_a", "co_b", "co_d", "co_e")) {
      Sql.run(spar, "INSERT INTO " + table + " SELECT g, '" + table + "' || g"
          + " FROM generate_series(1, 100) g");
    }
    // Moving a shard of the group moves the group's shards with it, and no other table's.
    String[] first = Sql.strings(spar, "SELECT s.id || '|' || quote_literal(p.node_name)"
        + " || ', ' || p.node_port || '|' || p.node_port FROM pgs_distribution_metadata.shard s"
        + " JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
        + " WHERE s.relation_id = 'co_a'::regclass ORDER BY s.min_value::int LIMIT 1")
        .get(0).split("\\|");
    String target = Sql.strings(spar, "SELECT quote_literal(node_name) || ', ' || node_port"
        + " FROM pgs_distribution_metadata.node WHERE node_port <> " + first[2]
        + " ORDER BY node_port LIMIT 1").get(0);
    String before = layout("co_d");
    Sql.run(spar, "SELECT master_move_shard_placement(" + first[0] + ", " + first[1] + ", "
        + target + ", 'block_writes')");
    assertNotEquals(before, layout("co_a"));
    assertEquals(layout("co_a"), layout("co_b"));
    assertEquals(layout("co_a"), layout("co_e"));
    assertEquals(before, layout("co_d"), "another group stays");

    // A table made now joins the group where its shards are, not where round-robin would put
    // them, so its joins with the group stay on the workers.
    distribute("co_g", "");
    shards("co_g", 9, 1);
    assertEquals(group, group("co_g"));
    assertEquals(layout("co_a"), layout("co_g"));
    Sql.run(spar, "INSERT INTO co_g SELECT g, 'g' || g FROM generate_series(1, 100) g");
    String join = "SELECT count(*) FROM co_a a JOIN co_g g ON g.k = a.k JOIN co_b b"
        + " ON b.k = a.k WHERE a.k = 3 AND g.k = 3 AND b.k = 3";
    assertEquals("Router Query: 1 shard after pruning", Sql.strings(spar, "EXPLAIN " + join)
        .get(0));
    assertEquals(1, Sql.count(spar, join));
    assertEquals(100, Sql.count(spar, "SELECT count(*) FROM co_a a JOIN co_g g ON g.k = a.k"
        + " JOIN co_e e ON e.k = g.k"));
    assertEquals(100, Sql.count(spar, "SELECT count(*) FROM co_a a JOIN co_d d ON d.k = a.k"));
  }

  private static void distribute(String table, String colocation) throws SQLException {
    Sql.run(spar, "SELECT master_create_distributed_table('" + table + "', 'k', 'hash'"
        + colocation + ")");
  }

  private static void shards(String table, int count, int replicas) throws SQLException {
    Sql.run(spar, "SELECT master_create_worker_shards('" + table + "', " + count + ", "
        + replicas + ")");
  }

  private static long group(String table) throws SQLException {
    return Sql.longs(spar, "SELECT colocation_id FROM pgs_distribution_metadata.partition"
        + " WHERE relation_id = '" + table + "'::regclass").get(0);
  }

  /** Returns the nodes of the table's shards, in interval order. */
  private static String layout(String table) throws SQLException {
    return String.join(",", Sql.strings(spar, "SELECT string_agg(p.node_port::text, '+'"
        + " ORDER BY p.node_port) FROM pgs_distribution_metadata.shard s"
        + " JOIN pgs_distribution_metadata.shard_placement p ON p.shard_id = s.id"
        + " WHERE s.relation_id = '" + table + "'::regclass GROUP BY s.min_value"
        + " ORDER BY s.min_value::int"));
  }
}
