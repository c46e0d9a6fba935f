package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Test case for issue 2, acceptance 5: every error the issue lists, with PostgreSQL's texts
 * and SQLStates, and no Calcite-internal wording.
 */
class ErrorsTest {
  static Connection spar;

  @BeforeAll
  static void setUp() throws SQLException {
    spar = SparTestCluster.spar();
    run("DROP TABLE IF EXISTS err_t, err_json, err_empty, err_uniq, err_sharded");
    run("CREATE TABLE err_t (k bigint, v text)");
    run("CREATE TABLE err_json (k json)");
    run("CREATE TABLE err_empty (k bigint, v text)");
    run("SELECT master_create_distributed_table('err_empty', 'k', 'hash')");
    run("CREATE TABLE err_sharded (k bigint, v text)");
    run("SELECT master_create_distributed_table('err_sharded', 'k', 'hash')");
    run("SELECT master_create_worker_shards('err_sharded', 4, 2)");
    run("CREATE TABLE err_uniq (k bigint, v text, UNIQUE (k, v))");
    run("SELECT master_create_distributed_table('err_uniq', 'k', 'hash')");
    run("SELECT master_create_worker_shards('err_uniq', 4, 2)");
  }

  @AfterAll
  static void close() throws SQLException {
    spar.close();
  }

  @Test
  void unknownPartitionColumn() {
    expect("42703", "column \"c\" of relation \"err_t\" does not exist",
        "SELECT master_create_distributed_table('err_t', 'c', 'hash')");
  }

  @Test
  void typeWithoutHashFunction() {
    expect("42883", "could not identify a hash function for type json",
        "SELECT master_create_distributed_table('err_json', 'k', 'hash')");
  }

  @Test
  void shardCreationArguments() {
    expect("22023", "shard_count must be positive",
        "SELECT master_create_worker_shards('err_empty', 0, 1)");
    expect("22023", "replication_factor must be positive",
        "SELECT master_create_worker_shards('err_empty', 4, 0)");
    expect("22023", "replication_factor (3) exceeds number of worker nodes (2)",
        "SELECT master_create_worker_shards('err_empty', 4, 3)");
    expect("55000", "table \"err_sharded\" has already had shards created for it",
        "SELECT master_create_worker_shards('err_sharded', 4, 2)");
  }

  @Test
  void nullPartitionValue() throws SQLException {
    expect("22004", "cannot plan INSERT using row with NULL value in partition column",
        "INSERT INTO err_sharded VALUES (NULL, 'x')");
    expect("22004", "cannot plan INSERT using row with NULL value in partition column",
        "INSERT INTO err_sharded (v) VALUES ('x')");
    try (PreparedStatement insert = spar.prepareStatement("INSERT INTO err_sharded VALUES (?, ?)")) {
      insert.setNull(1, java.sql.Types.BIGINT);
      insert.setString(2, "x");
      SQLException e = assertThrows(SQLException.class, insert::executeUpdate);
      assertEquals("cannot plan INSERT using row with NULL value in partition column",
          serverMessage(e));
    }
  }

  @Test
  void partitionValueChange() {
    expect("0A000", "modifying the partition value of rows is not allowed",
        "UPDATE err_sharded SET k = 5 WHERE k = 1");
  }

  @Test
  void writeWithoutShards() {
    SQLException e = expect("55000", "could not find any shards",
        "INSERT INTO err_empty VALUES (1, 'x')");
    assertEquals("Run master_create_worker_shards to create shards and try again.",
        ((PSQLException) e).getServerErrorMessage().getHint());
  }

  @Test
  void readWithoutShardsIsEmpty() throws SQLException {
    try (Statement statement = spar.createStatement();
        ResultSet rs = statement.executeQuery("SELECT * FROM err_empty WHERE k = 1")) {
      assertFalse(rs.next());
    }
  }

  @Test
  void constraintViolationIsPostgresOwnAndKeepsPlacements() throws SQLException {
    run("INSERT INTO err_uniq VALUES (1, 'a')");
    SQLException e = assertThrows(SQLException.class, () -> run("INSERT INTO err_uniq VALUES (1, 'a')"));
    assertEquals("23505", e.getSQLState());
    assertTrue(e.getMessage().contains("duplicate key value violates unique constraint"),
        e.getMessage());
    try (Statement statement = spar.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(*) FROM"
            + " pgs_distribution_metadata.shard_placement p JOIN pgs_distribution_metadata.shard s"
            + " ON s.id = p.shard_id WHERE s.relation_id = 'err_uniq'::regclass"
            + " AND p.shard_state <> 1")) {
      rs.next();
      assertEquals(0, rs.getInt(1));
    }
    try (Statement statement = spar.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(*) FROM err_uniq WHERE k = 1")) {
      rs.next();
      assertEquals(1, rs.getInt(1), "nothing half-written");
    }
  }

  @Test
  void syntaxError() {
    SQLException e = assertThrows(SQLException.class, () -> run("SELEC * FROM err_sharded"));
    assertEquals("42601", e.getSQLState());
    assertTrue(serverMessage(e).startsWith("syntax error"), e.getMessage());
    SQLException distributed = assertThrows(SQLException.class,
        () -> run("SELECT * FROM err_sharded WHERE k = = 1"));
    assertEquals("42601", distributed.getSQLState());
    assertTrue(serverMessage(distributed).startsWith("syntax error"), distributed.getMessage());
  }

  @Test
  void unknownTable() {
    expect("42P01", "relation \"no_such_table\" does not exist", "SELECT * FROM no_such_table");
    expect("42P01", "relation \"no_such_table\" does not exist",
        "SELECT * FROM err_sharded s JOIN no_such_table n ON n.k = s.k");
  }

  @Test
  void unknownColumn() {
    expect("42703", "column \"nope\" does not exist", "SELECT nope FROM err_sharded");
    expect("42703", "column \"nope\" does not exist", "SELECT nope FROM err_sharded WHERE k = 1");
    expect("42703", "column \"nope\" does not exist", "SELECT nope FROM err_t");
  }

  @Test
  void modificationsReadingOtherTables() {
    // Local tables and uncorrelated subqueries are read once (issue 11, InsertSelectTest); a
    // distributed table that is not joined on the distribution columns, or a subquery that
    // refers to the modified row, cannot be.
    expect("0A000", "modifications of distributed tables cannot read from other tables",
        "UPDATE err_sharded SET v = 'x' FROM err_sharded o WHERE o.v = err_sharded.v");
    expect("0A000", "modifications of distributed tables cannot read from other tables",
        "DELETE FROM err_sharded USING err_sharded o WHERE o.k = err_sharded.k + 1");
    expect("0A000", "subqueries that refer to the modified row are not supported in"
        + " modifications of distributed tables",
        "UPDATE err_sharded SET v = (SELECT v FROM err_t WHERE err_t.k = err_sharded.k)");
  }

  @Test
  void badPartitionValue() {
    expect("22P02", "invalid input syntax for type bigint: \"abc\"",
        "INSERT INTO err_sharded VALUES ('abc', 'x')");
  }

  private static SQLException expect(String sqlState, String message, String sql) {
    SQLException e = assertThrows(SQLException.class, () -> run(sql), sql);
    assertEquals(message, serverMessage(e), sql);
    assertEquals(sqlState, e.getSQLState(), sql);
    assertFalse(e.getMessage().contains("From line"), e.getMessage());
    return e;
  }

  private static String serverMessage(SQLException e) {
    if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
      return psql.getServerErrorMessage().getMessage();
    }
    return e.getMessage();
  }

  private static void run(String sql) throws SQLException {
    Sql.run(spar, sql);
  }
}
