package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Uniqueness a distributed table cannot keep is refused: a shard's index sees only its own
 * rows, so a UNIQUE or EXCLUDE constraint, primary key or unique index without the partition
 * column would let duplicates on different shards in without an error (found in a newcomer's
 * trial: three rows with the same value of a UNIQUE column were stored). One that includes the
 * partition column holds across the table, as PostgreSQL's would.
 */
class UniqueConstraintsTest {
  private static Connection spar;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    Sql.run(spar, "DROP TABLE IF EXISTS uq_other, uq_pk_other, uq_exclude, uq_keyed, uq_indexed");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void distributingRefusesUniquenessWithoutThePartitionColumn() throws SQLException {
    Sql.run(spar, "CREATE TABLE uq_other (k int PRIMARY KEY, u int UNIQUE)");
    assertRefused("SELECT master_create_distributed_table('uq_other', 'k', 'hash')",
        "\"uq_other_u_key\"");
    Sql.run(spar, "CREATE TABLE uq_pk_other (id bigserial PRIMARY KEY, k int)");
    assertRefused("SELECT master_create_distributed_table('uq_pk_other', 'k', 'hash')",
        "\"uq_pk_other_pkey\"");
    Sql.run(spar, "CREATE TABLE uq_exclude (k int, r int, EXCLUDE USING btree (r WITH =))");
    assertRefused("SELECT master_create_distributed_table('uq_exclude', 'k', 'hash')",
        "\"uq_exclude_r_excl\"");
    assertEquals(0L, Sql.count(spar, "SELECT count(*) FROM pgs_distribution_metadata.partition"
        + " WHERE relation_id IN ('uq_other'::regclass, 'uq_pk_other'::regclass,"
        + " 'uq_exclude'::regclass)"));
    Sql.run(spar, "SELECT master_create_distributed_table('uq_exclude', 'r', 'hash')");
  }

  @Test
  void uniquenessWithThePartitionColumnHoldsAcrossTheTable() throws SQLException {
    Sql.run(spar, "CREATE TABLE uq_keyed (k int, id int, t text, PRIMARY KEY (k, id),"
        + " UNIQUE (t, k))");
    Sql.run(spar, "SELECT master_create_distributed_table('uq_keyed', 'k', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('uq_keyed', 4, 2)");
    Sql.run(spar, "INSERT INTO uq_keyed VALUES (1, 1, 'a'), (2, 1, 'a')");
    SQLException duplicate = assertThrows(SQLException.class,
        () -> Sql.run(spar, "INSERT INTO uq_keyed VALUES (1, 1, 'b')"));
    assertEquals("23505", duplicate.getSQLState());
    Sql.run(spar, "INSERT INTO uq_keyed VALUES (1, 2, 'c') ON CONFLICT (k, id) DO NOTHING");
    Sql.run(spar, "INSERT INTO uq_keyed VALUES (1, 1, 'd')"
        + " ON CONFLICT (k, id) DO UPDATE SET t = 'e'");
    assertEquals(List.of("1,1,e", "1,2,c", "2,1,a"), Sql.strings(spar,
        "SELECT k || ',' || id || ',' || t FROM uq_keyed ORDER BY k, id"));
  }

  @Test
  void createUniqueIndexWithoutThePartitionColumnIsRefusedAndUndone() throws SQLException {
    Sql.run(spar, "CREATE TABLE uq_indexed (k int, t text)");
    Sql.run(spar, "SELECT master_create_distributed_table('uq_indexed', 'k', 'hash')");
    Sql.run(spar, "SELECT master_create_worker_shards('uq_indexed', 4, 1)");
    assertRefused("CREATE UNIQUE INDEX uq_indexed_t ON uq_indexed (t)", "\"uq_indexed_t\"");
    assertRefused("CREATE UNIQUE INDEX uq_indexed_lower ON uq_indexed (lower(t))",
        "\"uq_indexed_lower\"");
    // An expression over the partition column is no partition column.
    assertRefused("CREATE UNIQUE INDEX uq_indexed_abs ON uq_indexed ((k + 0), t)",
        "\"uq_indexed_abs\"");
    assertRefused("CREATE UNIQUE INDEX CONCURRENTLY uq_indexed_c ON uq_indexed (t)",
        "\"uq_indexed_c\"");
    assertEquals(0L, Sql.count(spar,
        "SELECT count(*) FROM pg_indexes WHERE tablename = 'uq_indexed'"));
    Sql.run(spar, "INSERT INTO uq_indexed VALUES (1, 'same'), (2, 'same'), (3, 'same')");
    Sql.run(spar, "CREATE UNIQUE INDEX uq_indexed_kt ON uq_indexed (lower(t), k)");
    Sql.run(spar, "CREATE INDEX uq_indexed_plain ON uq_indexed (t)");
    assertEquals(3L, Sql.count(spar, "SELECT count(*) FROM uq_indexed WHERE t = 'same'"));
  }

  private static void assertRefused(String sql, String named) {
    SQLException refusal = assertThrows(SQLException.class, () -> Sql.run(spar, sql));
    assertEquals("0A000", refusal.getSQLState(), refusal.getMessage());
    assertTrue(refusal.getMessage().contains(named), refusal.getMessage());
    assertTrue(refusal.getMessage().contains("partition column"), refusal.getMessage());
  }
}
