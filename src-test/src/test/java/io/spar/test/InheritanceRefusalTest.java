package io.spar.test;

import static io.spar.test.Sql.count;
import static io.spar.test.Sql.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The partitions and inheritance Spar cannot keep with their parent's shards
 * ({@link PartitionedTablesTest} shows those it keeps): a parent's shards would miss the rows
 * of partitions and children left on the coordinator (pg_shard's users read a count of 0 where
 * PostgreSQL answers 3). Each is refused with 0A000 and leaves nothing behind.
 */
class InheritanceRefusalTest {
  private static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    run(spar, "DROP TABLE IF EXISTS inh_parent, inh_child, inh_events, inh_dist, inh_local,"
        + " inh_base, inh_kid, inh_done, inh_other, inh_two, inh_ref, inh_ref_kid CASCADE");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void treesAreDistributedByHashFromTheirRootOnly() throws SQLException {
    run(spar, "CREATE TABLE inh_parent (id int, v text)");
    run(spar, "CREATE TABLE inh_child () INHERITS (inh_parent)");
    run(spar, "INSERT INTO inh_child VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    assertRefused("SELECT master_create_distributed_table('inh_parent', 'id', 'range')",
        "by hash only");
    assertRefused("SELECT master_create_distributed_table('inh_child', 'id', 'hash')",
        "It is a partition or child of \"inh_parent\".");
    assertRefused("SELECT create_reference_table('inh_parent')",
        "cannot distribute relation \"inh_parent\"");
    // Still plain tables, answering as PostgreSQL does.
    assertEquals(3, count(spar, "SELECT count(*) FROM inh_parent"));
    assertEquals(0, count(spar, "SELECT count(*) FROM ONLY inh_parent"));

    run(spar, "CREATE TABLE inh_events (id int, at date) PARTITION BY RANGE (at)");
    assertRefused("SELECT master_create_distributed_table('inh_events', 'id', 'range')",
        "by hash only");
    assertRefused("SELECT create_reference_table('inh_events')", "It is a partitioned table.");
    run(spar, "CREATE TABLE inh_events_2024 PARTITION OF inh_events"
        + " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (id)");
    run(spar, "CREATE TABLE inh_events_2024_low PARTITION OF inh_events_2024"
        + " FOR VALUES FROM (0) TO (100)");
    assertRefused("SELECT master_create_distributed_table('inh_events_2024', 'id', 'hash')",
        "distribute the root of its tree");
    assertRefused("SELECT master_create_distributed_table('inh_events_2024_low', 'id',"
        + " 'hash')", "It is a partition or child of \"inh_events_2024\".");
    // A child of two parents would need its shards below two tables' shards.
    run(spar, "CREATE TABLE inh_other (id int, v text)");
    run(spar, "CREATE TABLE inh_two () INHERITS (inh_parent, inh_other)");
    assertRefused("SELECT master_create_distributed_table('inh_parent', 'id', 'hash')",
        "inherits from more than one table");
    assertEquals(0, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.partition"
        + " WHERE relation_id IN ('inh_parent'::regclass, 'inh_child'::regclass,"
        + " 'inh_events'::regclass, 'inh_events_2024'::regclass, 'inh_two'::regclass)"));
    run(spar, "DROP TABLE inh_events, inh_parent, inh_other CASCADE");
  }

  @Test
  void distributedTablesGetNoChildrenTheyCannotKeep() throws SQLException {
    run(spar, "CREATE TABLE inh_dist (id int, v text)");
    run(spar, "SELECT master_create_distributed_table('inh_dist', 'id', 'hash')");
    run(spar, "SELECT master_create_worker_shards('inh_dist', 2, 1)");
    run(spar, "INSERT INTO inh_dist VALUES (1, 'x')");
    run(spar, "CREATE TABLE inh_base (id int, v text)");
    run(spar, "CREATE TABLE inh_local (v text, id int)");
    run(spar, "CREATE TABLE inh_ref (id int, v text)");
    run(spar, "SELECT create_reference_table('inh_ref')");

    assertRefused("ALTER TABLE inh_local INHERIT inh_dist", "columns are in another order");
    assertRefused("ALTER TABLE inh_dist INHERIT inh_base", "INHERIT inh_base is not supported");
    assertRefused("CREATE TABLE inh_ref_kid () INHERITS (inh_ref)",
        "cannot make \"inh_ref_kid\" a partition or child of \"inh_ref\"");
    assertRefused("DO $$ BEGIN CREATE TABLE inh_kid () INHERITS (inh_dist, inh_base); END $$",
        "inherits from more than one table");

    // Nothing was left behind: no table, no link, and the table still reads its shards.
    assertEquals(0, count(spar, "SELECT count(*) FROM pg_class"
        + " WHERE relname IN ('inh_kid', 'inh_ref_kid')"));
    assertEquals(0, count(spar, "SELECT count(*) FROM pg_inherits WHERE inhparent IN"
        + " ('inh_dist'::regclass, 'inh_base'::regclass, 'inh_ref'::regclass)"));
    assertEquals(1, count(spar, "SELECT count(*) FROM inh_dist"));

    // In a block, the refusal fails the block like any error, and ROLLBACK leaves no trace.
    spar.setAutoCommit(false);
    try {
      run(spar, "CREATE TABLE inh_done (v text, id int)");
      assertRefused("ALTER TABLE inh_done INHERIT inh_dist", "columns are in another order");
      spar.rollback();
    } finally {
      spar.setAutoCommit(true);
    }
    assertEquals(0, count(spar, "SELECT count(*) FROM pg_class WHERE relname = 'inh_done'"));
    run(spar, "DROP TABLE inh_dist, inh_base, inh_local, inh_ref");
  }

  private static void assertRefused(String sql, String text) {
    SQLException e = assertThrows(SQLException.class, () -> run(spar, sql), sql);
    assertEquals("0A000", e.getSQLState(), e.getMessage());
    assertTrue(e.getMessage().contains(text), e.getMessage());
  }
}
