package io.spar.test.multishard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.execution.StatementLog;
import io.spar.session.SparSession;
import io.spar.test.SparTestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shows through the statement log where a multi-shard aggregate does its work: the shards send
 * one row per group, and a re-executed prepared statement is not planned again.
 */
class MultiShardWorkTest {
  private static final int ROWS = 100_000;
  private static final int GROUPS = 10;
  private static final int SHARDS = 8;
  private static Connection spar;

  @BeforeAll
  static void load() throws SQLException {
    SparTestCluster.cluster();
    spar = SparTestCluster.spar();
    try (Statement s = spar.createStatement()) {
      s.execute("DROP TABLE IF EXISTS work_facts");
      s.execute("CREATE TABLE work_facts (id bigint NOT NULL, g int, v int)");
      s.execute("SELECT master_create_distributed_table('work_facts', 'id', 'hash')");
      s.execute("SELECT master_create_worker_shards('work_facts', " + SHARDS + ", 1)");
    }
    ShardRows.generate("work_facts", "id, (id % " + GROUPS + ")::int, (id % 1000)::int", ROWS);
  }

  @AfterAll
  static void close() throws SQLException {
    if (spar != null) {
      try (Statement s = spar.createStatement()) {
        s.execute("DROP TABLE IF EXISTS work_facts");
      }
      spar.close();
    }
  }

  @Test
  void shardsSendOneRowPerGroupAndReExecutionsAreNotPlanned() throws SQLException {
    SparSession session = spar.unwrap(SparSession.class);
    StatementLog log = session.engine().statementLog();
    log.subscribe(); // the log keeps entries while subscribed
    try (PreparedStatement query = spar.prepareStatement("SELECT g, count(*), sum(v), avg(v)"
        + " FROM work_facts WHERE v >= ? GROUP BY g ORDER BY g")) {
      long mark = log.mark();
      assertEquals(expected(0), rows(query, 0));
      long shardRows = 0;
      int shardQueries = 0;
      for (StatementLog.Entry each : log.since(mark)) {
        if (each.shardId() != null) {
          shardQueries++;
          shardRows += each.rows();
        }
      }
      assertEquals(SHARDS, shardQueries);
      assertTrue(shardRows <= SHARDS * GROUPS, "the shards sent " + shardRows + " rows");
      long plans = session.plansMade();
      for (int minimum : new int[] {10, 500, 999, 0}) {
        mark = log.mark();
        assertEquals(expected(minimum), rows(query, minimum));
        assertTrue(log.since(mark).stream().allMatch(each -> each.shardId() != null
            || each.sql().contains("unnest(")), "re-execution ran more than the shard queries"
            + " and the combination: " + log.since(mark));
      }
      assertEquals(plans, session.plansMade(), "a re-execution was planned again");
    }
  }

  /** Returns the groups PostgreSQL computes for the rows with {@code v >= minimum}. */
  private static List<String> expected(int minimum) {
    List<String> rows = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      long count = 0;
      long sum = 0;
      for (long id = g == 0 ? GROUPS : g; id <= ROWS; id += GROUPS) {
        if (id % 1000 >= minimum) {
          count++;
          sum += id % 1000;
        }
      }
      if (count > 0) {
        rows.add(g + " " + count + " " + sum + " " + new java.math.BigDecimal(sum).divide(
            new java.math.BigDecimal(count), 16, java.math.RoundingMode.HALF_UP));
      }
    }
    return rows;
  }

  private static List<String> rows(PreparedStatement query, int minimum) throws SQLException {
    query.setInt(1, minimum);
    List<String> rows = new ArrayList<>();
    try (ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        rows.add(rs.getInt(1) + " " + rs.getLong(2) + " " + rs.getLong(3) + " "
            + rs.getBigDecimal(4).toPlainString());
      }
    }
    return rows;
  }
}
