package io.spar.test;

import static io.spar.test.Sql.count;
import static io.spar.test.Sql.outcome;
import static io.spar.test.Sql.run;
import static io.spar.test.Sql.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.cluster.PgNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: declaratively partitioned tables distributed by hash on another column. Each
 * shard of the partitioned table is itself partitioned, with a shard of each partition
 * attached to it on the same nodes, so reads and writes through the parent reach every
 * partition (PostgreSQL's partition routing and pruning on the workers, Spar's shard pruning
 * by the distribution column), and each partition is a distributed table of its own. Every
 * statement runs through Spar and on a plain twin of the tables on the coordinator, and must
 * give the same rows, errors and SQLStates.
 */
class PartitionedTablesTest {
  private static final int ROWS = 100_000;
  private static Connection spar;
  private static Connection plain;

  @BeforeAll
  static void open() throws SQLException {
    spar = SparTestCluster.spar();
    plain = SparTestCluster.coordinator();
    run(spar, "DROP TABLE IF EXISTS pt_report, pt_events CASCADE");
    run(plain, "DROP TABLE IF EXISTS plain_pt_report, plain_pt_events CASCADE");
  }

  @AfterAll
  static void close() throws SQLException {
    run(spar, "DROP TABLE IF EXISTS pt_report, pt_events CASCADE");
    run(plain, "DROP TABLE IF EXISTS plain_pt_report, plain_pt_events CASCADE");
    spar.close();
    plain.close();
  }

  /**
   * pg_shard's report: a parent whose rows are all in its partitions answered 0 through the
   * parent. Distributed with replication factor 2, it answers 3, and 0 with ONLY.
   */
  @Test
  void rowsInPartitionsAreReadThroughTheParent() throws SQLException {
    both("pt_report", "CREATE TABLE %s (id int NOT NULL, kind text NOT NULL, v text)"
        + " PARTITION BY LIST (kind)");
    both("pt_report", "CREATE TABLE %s_a PARTITION OF %s FOR VALUES IN ('a')");
    both("pt_report", "CREATE TABLE %s_b PARTITION OF %s FOR VALUES IN ('b', 'c')");
    both("pt_report", "INSERT INTO %s VALUES (1, 'a', 'x'), (2, 'b', 'y'), (3, 'c', 'z')");
    run(spar, "SELECT master_create_distributed_table('pt_report', 'id', 'hash')");
    run(spar, "SELECT master_create_worker_shards('pt_report', 4, 2)");
    // The coordinator's tables hold nothing now; each shard of the partition has two
    // placements.
    assertEquals(0, count(plain, "SELECT count(*) FROM pt_report"));
    assertEquals(8, count(plain, "SELECT count(*) FROM pgs_distribution_metadata.shard_placement"
        + " pl JOIN pgs_distribution_metadata.shard s ON s.id = pl.shard_id"
        + " WHERE s.relation_id = 'pt_report_b'::regclass"));
    sameAnswers("pt_report",
        "SELECT count(*) FROM %s",
        "SELECT count(*) FROM ONLY %s",
        "SELECT count(*) FROM %s_b",
        "SELECT id, kind, v FROM %s ORDER BY id",
        "INSERT INTO %s VALUES (4, 'd', 'none')",
        "INSERT INTO %s_a VALUES (5, 'b', 'wrong partition')",
        "INSERT INTO %s_a VALUES (5, 'a', 'w') RETURNING *",
        "UPDATE %s SET kind = 'b' WHERE id = 5 RETURNING id, kind",
        "SELECT count(*) FROM %s_a",
        "SELECT id, kind FROM %s_b WHERE id = 5",
        "DELETE FROM %s WHERE kind = 'c' RETURNING id",
        "SELECT count(*) FROM %s");
    // On each worker, each placement of the parent's shards has its two partitions.
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        long parents = count(direct, "SELECT count(*) FROM pg_class"
            + " WHERE relname ~ '^pt_report_[0-9]+$' AND relkind = 'p'");
        assertEquals(4, parents, worker.toString());
        assertEquals(2 * parents, count(direct, "SELECT count(*) FROM pg_inherits i"
            + " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_class c ON c.oid = i.inhrelid"
            + " WHERE p.relname ~ '^pt_report_[0-9]+$'"
            + " AND c.relname ~ '^pt_report_[ab]_[0-9]+$'"));
      }
    }
  }

  /**
   * Inheritance: a parent distributed with its children (replication factor 2), each child a
   * distributed table whose shards inherit from the parent's. pg_shard's report again: the
   * rows are all in a child, and the parent answers 3, and 0 with ONLY. Writes through the
   * parent reach the children, a child made later and a column added to the parent reach the
   * shards, and TRUNCATE ONLY spares the children, all as on plain PostgreSQL.
   */
  @Test
  void inheritanceChildrenAreReadThroughTheParent() throws SQLException {
    run(spar, "DROP TABLE IF EXISTS pt_inh CASCADE");
    run(plain, "DROP TABLE IF EXISTS plain_pt_inh CASCADE");
    both("pt_inh", "CREATE TABLE %s (id int NOT NULL, v text)");
    both("pt_inh", "CREATE TABLE %s_kid (extra text) INHERITS (%s)");
    both("pt_inh", "CREATE TABLE %s_kid2 () INHERITS (%s)");
    both("pt_inh", "INSERT INTO %s_kid VALUES (1, 'a', 'x'), (2, 'b', 'y'), (3, 'c', 'z')");
    run(spar, "SELECT master_create_distributed_table('pt_inh', 'id', 'hash')");
    run(spar, "SELECT master_create_worker_shards('pt_inh', 4, 2)");
    assertEquals(0, count(plain, "SELECT count(*) FROM pt_inh"));
    sameAnswers("pt_inh",
        "SELECT count(*) FROM %s",
        "SELECT count(*) FROM ONLY %s",
        "SELECT id, v FROM %s ORDER BY id",
        "SELECT * FROM %s_kid ORDER BY id",
        "INSERT INTO %s VALUES (4, 'd')",
        "INSERT INTO %s_kid2 VALUES (5, 'e')",
        "UPDATE %s SET v = upper(v) WHERE id IN (1, 4, 5) RETURNING id, v",
        "DELETE FROM %s WHERE id = 2 RETURNING id",
        "SELECT count(*) FROM %s_kid",
        "SELECT id, v FROM ONLY %s ORDER BY id",
        "CREATE TABLE %s_kid3 (more int) INHERITS (%s)",
        "INSERT INTO %s_kid3 VALUES (6, 'f', 60)",
        "SELECT count(*), string_agg(v, ',' ORDER BY id) FROM %s",
        "ALTER TABLE %s ADD COLUMN w int DEFAULT 1",
        "SELECT id, v, more, w FROM %s_kid3",
        "SELECT id, w FROM %s WHERE id = 3",
        "TRUNCATE ONLY %s",
        "SELECT count(*) FROM %s",
        "TRUNCATE %s",
        "SELECT count(*) FROM %s_kid");
    for (String each : List.of("UPDATE ONLY pt_inh SET v = 'x'", "DELETE FROM ONLY pt_inh",
        "SELECT tableoid::regclass, id FROM pt_inh WHERE id = 1",
        "SELECT DISTINCT tableoid::regclass FROM pt_inh ORDER BY 1")) {
      assertEquals("0A000", answer(spar, each).get(0).split(" ")[1], each);
    }
    // Each placement of the parent's shards has its three children's shards below it.
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        assertEquals(List.of(), strings(direct, "SELECT p.relname FROM pg_class p"
            + " LEFT JOIN pg_inherits h ON h.inhparent = p.oid"
            + " WHERE p.relname ~ '^pt_inh_[0-9]+$' GROUP BY p.relname"
            + " HAVING count(h.inhrelid) <> 3"), worker.toString());
      }
    }
    run(spar, "DROP TABLE pt_inh CASCADE");
    run(plain, "DROP TABLE plain_pt_inh CASCADE");
  }

  /**
   * 100,000 rows over 12 monthly partitions, distributed by device: range predicates on the
   * partition key, point lookups on the distribution column and aggregates per month answer
   * as the plain table does, and EXPLAIN shows one shard and one partition.
   */
  @Test
  void monthlyPartitionsAnswerAsPostgres() throws SQLException {
    both("pt_events", "CREATE TABLE %s (device_id int NOT NULL, at timestamptz NOT NULL,"
        + " reading numeric,"
        + " PRIMARY KEY (device_id, at)) PARTITION BY RANGE (at)");
    for (int month = 1; month <= 12; month++) {
      String from = String.format("2024-%02d-01", month);
      String to = month == 12 ? "2025-01-01" : String.format("2024-%02d-01", month + 1);
      both("pt_events", "CREATE TABLE %s_" + month + " PARTITION OF %s FOR VALUES FROM ('" + from
          + " 00:00+00') TO ('" + to + " 00:00+00')");
    }
    both("pt_events", "CREATE INDEX ON %s (reading)");
    both("pt_events", "INSERT INTO %s SELECT i % 500, timestamptz '2024-01-01 00:00+00'"
        + " + (i % 366) * interval '1 day' + (i / 366) * interval '1 second', (i % 997) / 10.0"
        + " FROM generate_series(1, " + ROWS + ") i");
    run(spar, "SELECT master_create_distributed_table('pt_events', 'device_id', 'hash')");
    run(spar, "SELECT master_create_worker_shards('pt_events', 6, 1)");
    String[] reads = {
        "SELECT count(*), sum(reading) FROM %s",
        "SELECT count(*), sum(reading) FROM %s WHERE at >= '2024-03-01 00:00+00'"
            + " AND at < '2024-05-01 00:00+00'",
        "SELECT count(*), min(at), max(at), avg(reading) FROM %s WHERE device_id = 42",
        "SELECT at, reading FROM %s WHERE device_id = 7 AND at >= '2024-06-01 00:00+00'"
            + " AND at < '2024-06-20 00:00+00' ORDER BY at",
        "SELECT date_trunc('month', at AT TIME ZONE 'UTC') AS month, count(*),"
            + " round(avg(reading), 6) FROM %s GROUP BY 1 ORDER BY 1",
        "SELECT device_id, count(*) FROM %s WHERE at < '2024-02-01 00:00+00'"
            + " GROUP BY device_id ORDER BY count(*) DESC, device_id LIMIT 5",
        "SELECT count(*) FROM %s_3",
        "SELECT count(*) FROM ONLY %s",
        "INSERT INTO %s VALUES (1, '2023-12-31 12:00+00', 1)",
        "INSERT INTO %s_2 VALUES (1, '2024-07-01 00:00+00', 1)",
        "INSERT INTO %s VALUES (1, '2024-01-02 00:00+00', 0)",
        "UPDATE %s SET at = at + interval '40 days' WHERE device_id = 3"
            + " AND at < '2024-01-10 00:00+00'",
        "SELECT count(*) FROM %s_1 WHERE device_id = 3",
        "DELETE FROM %s WHERE device_id = 4 AND at >= '2024-12-01 00:00+00'",
        "SELECT count(*), sum(reading) FROM %s",
    };
    sameAnswers("pt_events", reads);
    // Shard pruning on the device, then the worker's partition pruning on the time.
    String plan = String.join("\n", strings(spar, "EXPLAIN SELECT count(*) FROM pt_events"
        + " WHERE device_id = 42 AND at >= '2024-03-01 00:00+00' AND at < '2024-03-15 00:00+00'"));
    System.out.println("EXPLAIN of a partitioned table:\n" + plan);
    assertTrue(plan.matches("(?s).*pt_events_3_\\d+.*"), plan);
    assertTrue(!plan.matches("(?s).*pt_events_(?:[124-9]|1[0-2])_\\d+.*"), plan);
  }

  /**
   * DDL of a distributed partitioned table after distribution: columns and indexes added to
   * the parent reach every partition's shards once (PostgreSQL cascades them from the parent's
   * shard); partitions made, attached (empty) and sub-partitioned later get shards that are
   * partitions of the parent's, a table attached with rows brings them to its new shards; a
   * detached partition keeps its rows as a distributed table of its own; a partition dropped
   * takes its shards. What Spar cannot carry (moves of the shards, a partition with rows
   * outside its bounds) is refused with nothing changed.
   */
  @Test
  void ddlAfterDistributionAnswersAsPostgres() throws SQLException {
    run(spar, "DROP TABLE IF EXISTS pt_ddl CASCADE");
    run(plain, "DROP TABLE IF EXISTS plain_pt_ddl CASCADE");
    both("pt_ddl", "CREATE TABLE %s (id int NOT NULL, day date NOT NULL, v text)"
        + " PARTITION BY RANGE (day)");
    both("pt_ddl", "CREATE TABLE %s_q1 PARTITION OF %s FOR VALUES FROM ('2024-01-01')"
        + " TO ('2024-04-01')");
    both("pt_ddl", "CREATE TABLE %s_q2 PARTITION OF %s FOR VALUES FROM ('2024-04-01')"
        + " TO ('2024-07-01') PARTITION BY LIST (id)");
    both("pt_ddl", "CREATE TABLE %s_q2_even PARTITION OF %s_q2 FOR VALUES IN (2, 4, 6)");
    both("pt_ddl", "CREATE TABLE %s_q2_rest PARTITION OF %s_q2 DEFAULT");
    both("pt_ddl", "INSERT INTO %s SELECT i, date '2024-01-01' + i, 'v' || i"
        + " FROM generate_series(1, 150) i");
    run(spar, "SELECT master_create_distributed_table('pt_ddl', 'id', 'hash')");
    run(spar, "SELECT master_create_worker_shards('pt_ddl', 3, 1)");
    sameAnswers("pt_ddl",
        "ALTER TABLE %s ADD COLUMN w int DEFAULT 7",
        "CREATE INDEX %s_v ON %s (v)",
        "UPDATE %s SET w = id WHERE id < 5 RETURNING id, w",
        "SELECT count(*), sum(w) FROM %s",
        "SELECT count(*) FROM %s_q2_even",
        "SELECT count(*) FROM %s_q2_rest WHERE id > 100",
        "INSERT INTO %s VALUES (1, '2024-09-01', 'x', 1)",
        "DROP TABLE %s_q1",
        "SELECT count(*), min(day), max(day) FROM %s",
        "SELECT count(*) FROM ONLY %s_q2",
        "CREATE TABLE %s_q3 PARTITION OF %s FOR VALUES FROM ('2024-07-01') TO ('2024-10-01')",
        "INSERT INTO %s VALUES (200, '2024-08-01', 'q3', 3)",
        "SELECT count(*) FROM %s_q3",
        "CREATE TABLE %s_q4 (id int NOT NULL, day date NOT NULL, v text, w int DEFAULT 7)",
        "ALTER TABLE %s ATTACH PARTITION %s_q4 FOR VALUES FROM ('2024-10-01') TO ('2025-01-01')",
        "INSERT INTO %s VALUES (201, '2024-11-11', 'q4', 4) RETURNING *",
        "SELECT id, day, v, w FROM %s_q4",
        "ALTER TABLE %s DETACH PARTITION %s_q3",
        "SELECT count(*) FROM %s",
        "SELECT id, v FROM %s_q3",
        "INSERT INTO %s VALUES (202, '2024-08-02', 'none', 1)",
        "CREATE TABLE %s_y25 PARTITION OF %s FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
            + " PARTITION BY LIST (id)",
        "CREATE TABLE %s_y25_all PARTITION OF %s_y25 DEFAULT",
        "INSERT INTO %s VALUES (5, '2025-05-05', 'y25', 5), (6, '2025-06-06', 'y25', 6)",
        "SELECT count(*) FROM %s_y25_all WHERE day >= '2025-01-01'",
        "SELECT count(*), sum(w) FROM %s");
    // Each leaf shard has the parent's index once, as PostgreSQL cascaded it.
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        assertEquals(List.of(), strings(direct, "SELECT indrelid::regclass::text"
            + " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            + " WHERE c.relname ~ '^pt_ddl_' GROUP BY 1 HAVING count(*) <> 1"));
      }
    }
    String shard = strings(spar, "SELECT id FROM pgs_distribution_metadata.shard"
        + " WHERE relation_id = 'pt_ddl'::regclass ORDER BY id LIMIT 1").get(0);
    String[] from = strings(spar, "SELECT node_name || ' ' || node_port"
        + " FROM pgs_distribution_metadata.shard_placement WHERE shard_id = " + shard)
        .get(0).split(" ");
    PgNode to = SparTestCluster.cluster().workers().stream()
        .filter(w -> w.port() != Integer.parseInt(from[1])).findFirst().orElseThrow();
    sameAnswers("pt_ddl",
        "CREATE TABLE %s_rows (LIKE %s)",
        "INSERT INTO %s_rows SELECT i, date '2026-01-01' + i, 'loaded', i"
            + " FROM generate_series(1, 200) i",
        "ALTER TABLE %s ATTACH PARTITION %s_rows FOR VALUES FROM ('2026-01-01')"
            + " TO ('2027-01-01')",
        "SELECT count(*), sum(w) FROM %s WHERE day >= '2026-01-01'",
        "SELECT count(*) FROM %s_rows WHERE id = 77",
        "UPDATE %s SET v = 'updated' WHERE id = 77 AND day >= '2026-01-01' RETURNING id, v",
        "CREATE TABLE %s_bad (LIKE %s)",
        "INSERT INTO %s_bad VALUES (1, '2030-01-01', 'out of bounds', 1)",
        "ALTER TABLE %s ATTACH PARTITION %s_bad FOR VALUES FROM ('2027-01-01')"
            + " TO ('2028-01-01')",
        "SELECT count(*) FROM %s");
    // The attached table's rows left the coordinator for its shards.
    assertEquals(0, count(plain, "SELECT count(*) FROM ONLY pt_ddl_rows"));
    for (String refused : List.of(
        "SELECT master_move_shard_placement(" + shard + ", '" + from[0] + "', " + from[1]
            + ", '" + to.host() + "', " + to.port() + ")")) {
      assertEquals("0A000", answer(spar, refused).get(0).split(" ")[1], refused);
    }
    assertEquals(answer(plain, "SELECT count(*) FROM plain_pt_ddl"),
        answer(spar, "SELECT count(*) FROM pt_ddl"));
    run(spar, "DROP TABLE pt_ddl, pt_ddl_q3, pt_ddl_bad");
    run(plain, "DROP TABLE plain_pt_ddl, plain_pt_ddl_q3, plain_pt_ddl_bad");
    assertEquals(0, count(spar, "SELECT count(*) FROM pgs_distribution_metadata.partition p"
        + " WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = p.relation_id)"));
  }

  /**
   * pg_partman 4.7 on a distributed table: {@code create_parent} and {@code run_maintenance}
   * make and drop partitions inside functions (CREATE TABLE … LIKE, then ATTACH PARTITION;
   * DETACH, then DROP for retention), and every shard of the table gets and loses the same
   * partitions as the coordinator's table. Rows for a day land in that day's partition.
   */
  @Test
  void pgPartmanKeepsEveryShardsPartitions() throws SQLException {
    run(spar, "CREATE SCHEMA IF NOT EXISTS partman");
    run(spar, "CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman");
    run(spar, "DROP TABLE IF EXISTS pt_daily CASCADE");
    run(spar, "DELETE FROM partman.part_config WHERE parent_table = 'public.pt_daily'");
    run(spar, "DROP TABLE IF EXISTS partman.template_public_pt_daily");
    run(spar, "CREATE TABLE pt_daily (device_id int NOT NULL, created_at timestamptz NOT NULL,"
        + " v int) PARTITION BY RANGE (created_at)");
    run(spar, "SELECT master_create_distributed_table('pt_daily', 'device_id', 'hash')");
    run(spar, "SELECT master_create_worker_shards('pt_daily', 3, 1)");
    run(spar, "SELECT partman.create_parent('public.pt_daily', 'created_at', 'native',"
        + " 'daily', p_premake := 3, p_start_partition := (now() - interval '40 days')::text)");
    long made = partitions("pt_daily");
    assertTrue(made >= 44, "partitions made: " + made);
    assertSameOnEveryShard("pt_daily", made);
    run(spar, "INSERT INTO pt_daily SELECT i % 10, now() - (i % 35) * interval '1 day', i"
        + " FROM generate_series(1, 700) i");
    assertEquals(700, count(spar, "SELECT count(*) FROM pt_daily"));
    String today = strings(spar, "SELECT 'pt_daily_p' || to_char(now(), 'YYYY_MM_DD')").get(0);
    assertEquals(20, count(spar, "SELECT count(*) FROM " + today));

    run(spar, "UPDATE partman.part_config SET retention = '30 days',"
        + " retention_keep_table = false WHERE parent_table = 'public.pt_daily'");
    run(spar, "SELECT partman.run_maintenance('public.pt_daily')");
    long kept = partitions("pt_daily");
    assertTrue(kept < made, made + " then " + kept);
    assertSameOnEveryShard("pt_daily", kept);
    // The days dropped lost their rows on every shard; the last four weeks kept all theirs.
    assertEquals(0, count(spar, "SELECT count(*) FROM pt_daily"
        + " WHERE created_at < now() - interval '32 days'"));
    assertEquals(count(plain, "SELECT count(*) FROM generate_series(1, 700) i"
        + " WHERE i % 35 < 28"), count(spar, "SELECT count(*) FROM pt_daily"
        + " WHERE created_at > now() - interval '28 days'"));
    run(spar, "DELETE FROM partman.part_config WHERE parent_table = 'public.pt_daily'");
    run(spar, "DROP TABLE pt_daily CASCADE");
  }

  /**
   * Partitions made, attached, detached and dropped while two writers insert into another
   * partition: every acknowledged row is there afterwards, no insert fails, and every shard
   * has the coordinator's partitions.
   */
  @Test
  void partitionDdlUnderConcurrentInsertsLosesNothing() throws Exception {
    run(spar, "DROP TABLE IF EXISTS pt_live, pt_live_old_0, pt_live_old_1, pt_live_old_2"
        + " CASCADE");
    run(spar, "CREATE TABLE pt_live (id bigint NOT NULL, day int NOT NULL, writer int)"
        + " PARTITION BY RANGE (day)");
    run(spar, "CREATE TABLE pt_live_hot PARTITION OF pt_live FOR VALUES FROM (0) TO (100)");
    run(spar, "SELECT master_create_distributed_table('pt_live', 'id', 'hash')");
    run(spar, "SELECT master_create_worker_shards('pt_live', 4, 1)");
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ConcurrentLinkedQueue<Long> acknowledged =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      int writer = w;
      writers.add(new Thread(() -> {
        try (Connection c = SparTestCluster.spar();
            java.sql.PreparedStatement insert = c.prepareStatement(
                "INSERT INTO pt_live VALUES (?, ?, ?)")) {
          for (long i = 0; !stop.get(); i++) {
            long id = writer * 1_000_000L + i;
            insert.setLong(1, id);
            insert.setInt(2, (int) (i % 100));
            insert.setInt(3, writer);
            insert.executeUpdate();
            acknowledged.add(id);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    writers.forEach(Thread::start);
    try {
      for (int round = 0; round < 3; round++) {
        int from = 100 + round * 100;
        run(spar, "CREATE TABLE pt_live_" + round + " PARTITION OF pt_live FOR VALUES FROM ("
            + from + ") TO (" + (from + 50) + ")");
        run(spar, "CREATE TABLE pt_live_att_" + round + " (id bigint NOT NULL, day int NOT NULL,"
            + " writer int)");
        run(spar, "ALTER TABLE pt_live ATTACH PARTITION pt_live_att_" + round
            + " FOR VALUES FROM (" + (from + 50) + ") TO (" + (from + 100) + ")");
        run(spar, "INSERT INTO pt_live VALUES (-1 - " + round + ", " + from + ", 9)");
        run(spar, "ALTER TABLE pt_live DETACH PARTITION pt_live_" + round);
        run(spar, "ALTER TABLE pt_live_" + round + " RENAME TO pt_live_old_" + round);
        run(spar, "DROP TABLE pt_live_att_" + round);
        assertSameOnEveryShard("pt_live", 1);
      }
    } finally {
      stop.set(true);
      for (Thread each : writers) {
        each.join();
      }
    }
    assertTrue(failures.isEmpty(), failures.toString());
    assertTrue(acknowledged.size() > 0);
    assertEquals(acknowledged.size(), count(spar, "SELECT count(*) FROM pt_live"));
    assertEquals(acknowledged.size(), count(spar, "SELECT count(*) FROM pt_live_hot"));
    for (int round = 0; round < 3; round++) {
      assertEquals(1, count(spar, "SELECT count(*) FROM pt_live_old_" + round));
    }
    List<String> stored = strings(spar, "SELECT id FROM pt_live");
    assertEquals(new java.util.HashSet<>(acknowledged.stream().map(String::valueOf).toList()),
        new java.util.HashSet<>(stored));
    run(spar, "DROP TABLE pt_live, pt_live_old_0, pt_live_old_1, pt_live_old_2");
  }

  /** Returns how many partitions the coordinator's table {@code table} has. */
  private static long partitions(String table) throws SQLException {
    return count(plain, "SELECT count(*) FROM pg_inherits WHERE inhparent = '" + table
        + "'::regclass");
  }

  /**
   * Checks that {@code table} has {@code expected} partitions, each distributed, and that every
   * shard of it has as many on each of its placements.
   */
  private static void assertSameOnEveryShard(String table, long expected) throws SQLException {
    assertEquals(expected, count(plain, "SELECT count(*) FROM pg_inherits h"
        + " JOIN pgs_distribution_metadata.partition p ON p.relation_id = h.inhrelid"
        + " WHERE h.inhparent = '" + table + "'::regclass"));
    for (PgNode worker : SparTestCluster.cluster().workers()) {
      try (Connection direct = SparTestCluster.direct(worker)) {
        assertEquals(List.of(), strings(direct, "SELECT p.relname || ' ' || count(h.inhrelid)"
            + " FROM pg_class p LEFT JOIN pg_inherits h ON h.inhparent = p.oid"
            + " WHERE p.relname ~ '^" + table + "_[0-9]+$' GROUP BY p.relname"
            + " HAVING count(h.inhrelid) <> " + expected), worker.toString());
      }
    }
  }

  /**
   * Checks that each of {@code statements}, with {@code %s} as {@code table}, answers through
   * Spar as it does on the table's plain twin, in order.
   */
  private static void sameAnswers(String table, String... statements) {
    for (String each : statements) {
      assertEquals(answer(plain, each.replace("%s", "plain_" + table)),
          answer(spar, each.replace("%s", table)), each);
    }
  }

  /** Runs {@code sql} with {@code %s} as {@code table} through Spar and as its plain twin. */
  private static void both(String table, String sql) throws SQLException {
    run(spar, sql.replace("%s", table));
    run(plain, sql.replace("%s", "plain_" + table));
  }

  /** Returns what {@code sql} answers: its rows, or its error's SQLState and message. */
  private static List<String> answer(Connection connection, String sql) {
    try {
      return outcome(connection, sql).stream().map(each -> each.replace("plain_", "")).toList();
    } catch (SQLException e) {
      List<String> error = new ArrayList<>();
      error.add("error " + e.getSQLState() + " " + Objects.requireNonNullElse(e.getMessage(), "")
          .replace("plain_", "").lines().findFirst().orElse(""));
      return error;
    }
  }
}
