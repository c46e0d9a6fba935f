package io.spar.test;

import io.spar.test.SessionSemanticsTest.Action;
import io.spar.test.SessionSemanticsTest.Scenario;
import io.spar.test.SessionSemanticsTest.Step;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * The scripted scenarios of {@link SessionSemanticsTest}: each starts on fresh connections with
 * tables {@code ss_rep} (hash-distributed, 4 shards, replication factor 2), {@code ss_one}
 * (4 shards, replication factor 1) and {@code ss_local} (a coordinator table), each holding
 * keys 1 to 4. Key 1 and key 2 of a distributed table live on different shards, so statements
 * on both, or without a key filter, span shards and workers.
 */
final class SessionScenarios {
  private SessionScenarios() {
  }

  static List<Scenario> all() {
    List<Scenario> all = new ArrayList<>();
    autocommit(all);
    returningOrder(all);
    jdbcTransactions(all);
    sqlTransactions(all);
    isolation(all);
    readOnly(all);
    rowLocks(all);
    savepoints(all);
    jdbcSavepoints(all);
    preparedAndBatches(all);
    nameResolution(all);
    displaySettings(all);
    TimeoutScenarios.add(all);
    return all;
  }

  private static void autocommit(List<Scenario> all) {
    all.add(scenario("autocommit writes to every kind of table",
        sql("INSERT INTO ss_rep VALUES (10, 'x')"), sql("INSERT INTO ss_one VALUES (10, 'x')"),
        sql("INSERT INTO ss_local VALUES (10, 'x')"), sql("UPDATE ss_rep SET v = 'all'"),
        sql("DELETE FROM ss_one WHERE k > 2"), getAutoCommit()));
    all.add(scenario("an error in autocommit leaves the session usable",
        sql("INSERT INTO ss_rep VALUES (1, 'dup')"), sql("SELECT v FROM ss_rep WHERE k = 1"),
        sql("SELECT 1/0"), sql("SELECT count(*) FROM ss_one"),
        sql("INSERT INTO ss_local VALUES (1, 'dup')"), sql("SELECT count(*) FROM ss_local")));
    all.add(scenario("commit and rollback are refused in autocommit",
        commit(), rollback(), sql("SELECT count(*) FROM ss_rep")));
    all.add(scenario("transaction commands outside a block warn",
        sql("COMMIT"), sql("ROLLBACK"), sql("END"), sql("ABORT"),
        sql("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"), sql("SHOW transaction_isolation"),
        sql("COMMIT AND CHAIN"), sql("SAVEPOINT s"), sql("RELEASE SAVEPOINT s"),
        sql("ROLLBACK TO SAVEPOINT s")));
  }

  private static void returningOrder(List<Scenario> all) {
    all.add(scenario("multi-row INSERT … RETURNING keeps the order of VALUES across shards",
        sql("INSERT INTO ss_rep VALUES (9, 'a'), (5, 'b'), (12, 'c'), (6, 'd'), (7, 'e'),"
            + " (10, 'f') RETURNING k, v"),
        sql("INSERT INTO ss_one VALUES (3, 'x'), (20, 'y'), (1, 'z'), (21, 'w')"
            + " ON CONFLICT (k) DO UPDATE SET v = excluded.v || '!' RETURNING k, v"),
        sql("INSERT INTO ss_one VALUES (1, 'n'), (2, 'n') ON CONFLICT DO NOTHING RETURNING k"),
        prepared("INSERT INTO ss_rep VALUES (?, 'p'), (?, 'q'), (?, 'r') RETURNING k, v", 31,
            30, 32),
        autocommit(false),
        sql("INSERT INTO ss_one VALUES (41, 'b'), (40, 'b') RETURNING k"), rollback()));
  }

  private static void jdbcTransactions(List<Scenario> all) {
    all.add(scenario("autocommit off: commit makes writes visible",
        autocommit(false), sql("UPDATE ss_rep SET v = 'u' WHERE k = 1"),
        sql("INSERT INTO ss_one VALUES (5, 'e')"), sql("INSERT INTO ss_local VALUES (5, 'e')"),
        sql("SELECT v FROM ss_rep WHERE k = 1"), commit(), getAutoCommit()));
    all.add(scenario("autocommit off: rollback undoes every table",
        autocommit(false), sql("UPDATE ss_one SET v = 'r'"), sql("DELETE FROM ss_rep"),
        sql("INSERT INTO ss_local VALUES (6, 'f')"), sql("SELECT count(*) FROM ss_rep"),
        rollback(), sql("SELECT count(*) FROM ss_rep")));
    all.add(scenario("toggling autocommit keeps later local writes (issue 8, item 1)",
        autocommit(false), sql("UPDATE ss_rep SET v = 't' WHERE k = 2"), commit(),
        autocommit(true), sql("INSERT INTO ss_local VALUES (7, 'g')"),
        embeddedOnly(reconnect()), sql("SELECT count(*) FROM ss_local")));
    all.add(scenario("after toggling, an error does not poison the session",
        autocommit(false), sql("UPDATE ss_rep SET v = 'p'"), commit(), autocommit(true),
        sql("INSERT INTO ss_rep VALUES (1, 'dup')"), sql("SELECT count(*) FROM ss_rep"),
        sql("INSERT INTO ss_local VALUES (8, 'h')"), sql("SELECT count(*) FROM ss_local")));
    all.add(scenario("turning autocommit on commits",
        autocommit(false), sql("UPDATE ss_one SET v = 'on' WHERE k = 3"),
        sql("INSERT INTO ss_local VALUES (9, 'i')"), autocommit(true),
        sql("SELECT v FROM ss_one WHERE k = 3")));
    all.add(scenario("closing with an open transaction rolls it back",
        autocommit(false), sql("UPDATE ss_rep SET v = 'lost'"),
        sql("INSERT INTO ss_local VALUES (11, 'k')"), reconnect(),
        sql("SELECT count(*) FROM ss_rep WHERE v = 'lost'")));
    all.add(scenario("an error aborts the block until commit, which rolls back",
        autocommit(false), sql("INSERT INTO ss_one VALUES (12, 'l')"),
        sql("INSERT INTO ss_rep VALUES (2, 'dup')"), sql("SELECT count(*) FROM ss_one"),
        sql("INSERT INTO ss_local VALUES (12, 'l')"), commit(),
        sql("SELECT count(*) FROM ss_one"), commit()));
    all.add(scenario("an error then rollback leaves a clean session",
        autocommit(false), sql("UPDATE ss_local SET v = 'z'"), sql("SELECT 1/0"),
        sql("SELECT 1"), rollback(), sql("SELECT count(*) FROM ss_local WHERE v = 'z'"),
        rollback()));
    all.add(scenario("commit and rollback with nothing open do nothing",
        autocommit(false), commit(), rollback(), commit(), sql("SELECT count(*) FROM ss_rep"),
        commit()));
    all.add(scenario("multi-shard writes commit atomically",
        autocommit(false), sql("UPDATE ss_rep SET v = v || '!'"),
        sql("UPDATE ss_one SET v = upper(v)"), sql("DELETE FROM ss_local WHERE k = 4"),
        sql("SELECT string_agg(v, ',' ORDER BY k) FROM ss_rep"), commit()));
    all.add(scenario("SQL BEGIN under autocommit off warns",
        autocommit(false), sql("BEGIN"), sql("INSERT INTO ss_rep VALUES (13, 'm')"),
        sql("COMMIT"), sql("COMMIT"), sql("ROLLBACK"), commit()));
    all.add(scenario("an error under autocommit off, then autocommit on",
        autocommit(false), sql("INSERT INTO ss_one VALUES (14, 'n')"),
        sql("INSERT INTO ss_one VALUES (1, 'dup')"), autocommit(true),
        sql("SELECT count(*) FROM ss_one")));
  }

  private static void sqlTransactions(List<Scenario> all) {
    all.add(scenario("BEGIN and COMMIT span every kind of table",
        sql("BEGIN"), sql("UPDATE ss_rep SET v = 'b' WHERE k IN (1, 2)"),
        sql("INSERT INTO ss_one VALUES (20, 'x')"), sql("INSERT INTO ss_local VALUES (20, 'x')"),
        sql("SELECT count(*) FROM ss_rep WHERE v = 'b'"), sql("COMMIT")));
    all.add(scenario("BEGIN and ROLLBACK undo everything",
        sql("START TRANSACTION"), sql("DELETE FROM ss_rep"), sql("DELETE FROM ss_local"),
        sql("UPDATE ss_one SET v = 'r'"), sql("ROLLBACK"), sql("SELECT count(*) FROM ss_rep")));
    all.add(scenario("an error in a block: 25P02 until COMMIT rolls back",
        sql("BEGIN"), sql("INSERT INTO ss_rep VALUES (21, 'y')"),
        sql("INSERT INTO ss_rep VALUES (3, 'dup')"), sql("SELECT 1"),
        sql("UPDATE ss_local SET v = 'q'"), sql("COMMIT"), sql("SELECT count(*) FROM ss_rep")));
    all.add(scenario("nested BEGIN and double COMMIT warn",
        sql("BEGIN"), sql("BEGIN"), sql("INSERT INTO ss_one VALUES (22, 'z')"), sql("COMMIT"),
        sql("COMMIT"), sql("END")));
    all.add(scenario("END and ABORT",
        sql("BEGIN WORK"), sql("UPDATE ss_rep SET v = 'e'"), sql("END WORK"),
        sql("BEGIN TRANSACTION"), sql("UPDATE ss_rep SET v = 'a'"), sql("ABORT")));
    all.add(scenario("COMMIT AND CHAIN keeps the characteristics",
        sql("BEGIN ISOLATION LEVEL REPEATABLE READ"), sql("INSERT INTO ss_rep VALUES (23, 'c')"),
        sql("COMMIT AND CHAIN"), sql("SHOW transaction_isolation"),
        sql("INSERT INTO ss_one VALUES (23, 'c')"), sql("ROLLBACK AND NO CHAIN"),
        sql("SHOW transaction_isolation")));
    all.add(scenario("ROLLBACK AND CHAIN starts a new block",
        sql("BEGIN"), sql("DELETE FROM ss_one"), sql("ROLLBACK AND CHAIN"),
        sql("DELETE FROM ss_rep WHERE k = 4"), sql("COMMIT")));
    all.add(scenario("syntax errors in transaction commands",
        sql("BEGIN ISOLATION LEVEL BOGUS"), sql("BEGIN"), sql("SET TRANSACTION READ SIDEWAYS"),
        sql("SELECT 1"), sql("ROLLBACK"), sql("COMMIT AND CHAINS")));
    all.add(scenario("local and distributed work fail together",
        sql("BEGIN"), sql("INSERT INTO ss_local VALUES (24, 'x')"),
        sql("UPDATE ss_rep SET v = 'w' WHERE k = 2"), sql("INSERT INTO ss_local VALUES (1, 'd')"),
        sql("ROLLBACK"), sql("SELECT count(*) FROM ss_local")));
  }

  private static void isolation(List<Scenario> all) {
    all.add(scenario("REPEATABLE READ sees one snapshot on every shard (issue 8, item 6)",
        sql("BEGIN ISOLATION LEVEL REPEATABLE READ"), sql("SELECT count(*) FROM ss_rep"),
        sql("SELECT v FROM ss_one WHERE k = 1"), other("INSERT INTO ss_rep VALUES (30, 'o')"),
        other("UPDATE ss_one SET v = 'changed' WHERE k = 1"), sql("SELECT count(*) FROM ss_rep"),
        sql("SELECT v FROM ss_one WHERE k = 1"), sql("SHOW transaction_isolation"),
        sql("COMMIT"), sql("SELECT count(*) FROM ss_rep")));
    all.add(scenario("READ COMMITTED sees other commits",
        sql("BEGIN ISOLATION LEVEL READ COMMITTED"), sql("SELECT count(*) FROM ss_rep"),
        other("INSERT INTO ss_rep VALUES (31, 'o')"), sql("SELECT count(*) FROM ss_rep"),
        sql("COMMIT")));
    all.add(scenario("SERIALIZABLE reads keep their snapshot",
        sql("BEGIN ISOLATION LEVEL SERIALIZABLE"), sql("SELECT v FROM ss_rep WHERE k = 2"),
        sql("SELECT count(*) FROM ss_local"), other("UPDATE ss_rep SET v = 'x' WHERE k = 2"),
        other("INSERT INTO ss_local VALUES (32, 's')"), sql("SELECT v FROM ss_rep WHERE k = 2"),
        sql("SELECT count(*) FROM ss_local"), sql("COMMIT")));
    all.add(scenario("SET TRANSACTION before the first query",
        sql("BEGIN"), sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"),
        sql("SHOW transaction_isolation"), sql("SELECT count(*) FROM ss_one"),
        other("DELETE FROM ss_one WHERE k = 4"), sql("SELECT count(*) FROM ss_one"),
        sql("COMMIT")));
    all.add(scenario("SET TRANSACTION after a query is refused",
        sql("BEGIN"), sql("SELECT count(*) FROM ss_rep"),
        sql("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"), sql("ROLLBACK")));
    all.add(scenario("SET TRANSACTION to the same level after a query is allowed",
        sql("BEGIN"), sql("SELECT count(*) FROM ss_rep"),
        sql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"), sql("COMMIT")));
    all.add(scenario("isolation in a subtransaction is refused",
        sql("BEGIN"), sql("SAVEPOINT s"), sql("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
        sql("ROLLBACK TO s"), sql("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
        sql("ROLLBACK")));
    all.add(scenario("START TRANSACTION with several modes",
        sql("START TRANSACTION READ WRITE, ISOLATION LEVEL SERIALIZABLE, NOT DEFERRABLE"),
        sql("SHOW transaction_isolation"), sql("SHOW transaction_read_only"),
        sql("INSERT INTO ss_rep VALUES (33, 'r')"), sql("COMMIT")));
    all.add(scenario("isolation in setting form",
        sql("BEGIN"), sql("SET transaction_isolation = 'repeatable read'"),
        sql("SELECT count(*) FROM ss_rep"), other("INSERT INTO ss_rep VALUES (34, 'g')"),
        sql("SELECT count(*) FROM ss_rep"), sql("SET transaction_isolation = 'serializable'"),
        sql("ROLLBACK")));
    all.add(scenario("session default isolation with SET SESSION CHARACTERISTICS",
        sql("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ"),
        sql("BEGIN"), sql("SHOW transaction_isolation"), sql("SELECT count(*) FROM ss_one"),
        other("INSERT INTO ss_one VALUES (35, 'q')"), sql("SELECT count(*) FROM ss_one"),
        sql("COMMIT"), sql("SHOW default_transaction_isolation")));
    all.add(scenario("JDBC setTransactionIsolation",
        isolation(Connection.TRANSACTION_REPEATABLE_READ), getIsolation(), autocommit(false),
        sql("SELECT count(*) FROM ss_rep"), other("INSERT INTO ss_rep VALUES (36, 'j')"),
        sql("SELECT count(*) FROM ss_rep"), getIsolation(), commit(),
        sql("SELECT count(*) FROM ss_rep"), commit(),
        isolation(Connection.TRANSACTION_READ_COMMITTED), getIsolation()));
    all.add(scenario("JDBC isolation cannot change inside a transaction",
        autocommit(false), sql("SELECT 1"), isolation(Connection.TRANSACTION_SERIALIZABLE),
        rollback(), isolation(Connection.TRANSACTION_SERIALIZABLE), getIsolation(),
        sql("SHOW transaction_isolation"), rollback()));
    all.add(scenario("a default isolation set in a rolled-back block does not last",
        sql("BEGIN"), sql("SET default_transaction_isolation = 'serializable'"),
        sql("ROLLBACK"), sql("BEGIN"), sql("SHOW transaction_isolation"), sql("COMMIT")));
  }

  private static void readOnly(List<Scenario> all) {
    all.add(scenario("READ ONLY blocks refuse writes everywhere",
        sql("BEGIN READ ONLY"), sql("SELECT count(*) FROM ss_rep"),
        sql("UPDATE ss_rep SET v = 'no' WHERE k = 1"), sql("ROLLBACK"), sql("BEGIN READ ONLY"),
        sql("INSERT INTO ss_local VALUES (40, 'no')"), sql("ROLLBACK"), sql("BEGIN READ ONLY"),
        sql("DELETE FROM ss_one"), sql("ROLLBACK")));
    all.add(scenario("SET TRANSACTION READ ONLY before writing",
        sql("BEGIN"), sql("SET TRANSACTION READ ONLY"), sql("INSERT INTO ss_one VALUES (41, 'x')"),
        sql("ROLLBACK")));
    all.add(scenario("read-write cannot come back after a query",
        sql("BEGIN READ ONLY"), sql("SELECT 1"), sql("SET TRANSACTION READ WRITE"),
        sql("ROLLBACK"), sql("BEGIN READ ONLY"), sql("SET TRANSACTION READ WRITE"),
        sql("INSERT INTO ss_rep VALUES (42, 'rw')"), sql("COMMIT")));
    all.add(scenario("default_transaction_read_only refuses autocommit writes",
        sql("SET default_transaction_read_only = on"), sql("INSERT INTO ss_rep VALUES (43, 'x')"),
        sql("UPDATE ss_local SET v = 'x'"), sql("SELECT count(*) FROM ss_rep"),
        sql("SET default_transaction_read_only = off"), sql("INSERT INTO ss_rep VALUES (43, 'y')")));
    all.add(scenario("JDBC read-only with autocommit off",
        readOnly(true), autocommit(false), sql("SELECT count(*) FROM ss_rep"),
        sql("UPDATE ss_one SET v = 'ro'"), rollback(), readOnly(false),
        sql("UPDATE ss_one SET v = 'rw' WHERE k = 1"), commit()));
    all.add(scenario("JDBC read-only is ignored in autocommit",
        readOnly(true), sql("UPDATE ss_rep SET v = 'ac' WHERE k = 4"), readOnly(false)));
    all.add(scenario("JDBC read-only cannot change inside a transaction",
        autocommit(false), sql("SELECT 1"), readOnly(true), rollback(), readOnly(true),
        sql("INSERT INTO ss_local VALUES (44, 'x')"), rollback()));
  }

  private static void rowLocks(List<Scenario> all) {
    all.add(scenario("FOR UPDATE holds its row lock until the block ends",
        sql("BEGIN"), sql("SELECT v FROM ss_rep WHERE k = 1 FOR UPDATE"),
        other("SELECT v FROM ss_rep WHERE k = 1 FOR UPDATE NOWAIT"),
        other("SELECT v FROM ss_rep WHERE k = 1 FOR UPDATE SKIP LOCKED"),
        sql("UPDATE ss_rep SET v = 'locked' WHERE k = 1"), sql("COMMIT"),
        other("SELECT v FROM ss_rep WHERE k = 1 FOR UPDATE NOWAIT")));
    all.add(scenario("FOR SHARE and FOR NO KEY UPDATE on one shard",
        autocommit(false), sql("SELECT k, v FROM ss_one WHERE k = 3 FOR SHARE"),
        other("SELECT v FROM ss_one WHERE k = 3 FOR SHARE NOWAIT"),
        other("SELECT v FROM ss_one WHERE k = 3 FOR UPDATE NOWAIT"), rollback(),
        sql("SELECT v FROM ss_one WHERE k = 3 FOR NO KEY UPDATE"), commit()));
    all.add(scenario("row locks in autocommit and in read-only blocks",
        sql("SELECT v FROM ss_rep WHERE k = 2 FOR UPDATE"),
        other("SELECT v FROM ss_rep WHERE k = 2 FOR UPDATE NOWAIT"),
        sql("BEGIN READ ONLY"), sql("SELECT v FROM ss_rep WHERE k = 2 FOR SHARE"),
        sql("ROLLBACK")));
  }

  private static void savepoints(List<Scenario> all) {
    all.add(scenario("ROLLBACK TO undoes work after the savepoint",
        sql("BEGIN"), sql("INSERT INTO ss_rep VALUES (50, 'a')"), sql("SAVEPOINT a"),
        sql("INSERT INTO ss_rep VALUES (51, 'b')"), sql("INSERT INTO ss_local VALUES (51, 'b')"),
        sql("ROLLBACK TO a"), sql("INSERT INTO ss_one VALUES (52, 'c')"), sql("COMMIT")));
    all.add(scenario("ROLLBACK TO recovers a failed block",
        sql("BEGIN"), sql("INSERT INTO ss_one VALUES (53, 'a')"), sql("SAVEPOINT a"),
        sql("INSERT INTO ss_one VALUES (1, 'dup')"), sql("SELECT 1"),
        sql("RELEASE SAVEPOINT a"), sql("ROLLBACK TO SAVEPOINT a"),
        sql("SELECT count(*) FROM ss_one"), sql("COMMIT")));
    all.add(scenario("a released savepoint is gone",
        sql("BEGIN"), sql("SAVEPOINT a"), sql("RELEASE a"), sql("ROLLBACK TO a"), sql("ROLLBACK")));
    all.add(scenario("nested savepoints",
        sql("BEGIN"), sql("UPDATE ss_rep SET v = '1' WHERE k = 1"), sql("SAVEPOINT a"),
        sql("UPDATE ss_rep SET v = '2' WHERE k = 2"), sql("SAVEPOINT b"),
        sql("UPDATE ss_rep SET v = '3' WHERE k = 3"), sql("ROLLBACK TO b"),
        sql("SELECT string_agg(v, ',' ORDER BY k) FROM ss_rep"), sql("ROLLBACK TO a"),
        sql("SELECT string_agg(v, ',' ORDER BY k) FROM ss_rep"), sql("RELEASE a"),
        sql("COMMIT")));
    all.add(scenario("a node joined after the savepoint rolls back too",
        sql("BEGIN"), sql("UPDATE ss_one SET v = 'first' WHERE k = 1"), sql("SAVEPOINT a"),
        sql("UPDATE ss_one SET v = 'second' WHERE k = 2"),
        sql("UPDATE ss_one SET v = 'third' WHERE k = 3"), sql("INSERT INTO ss_local VALUES (54, 'x')"),
        sql("ROLLBACK TO SAVEPOINT a"), sql("SELECT string_agg(v, ',' ORDER BY k) FROM ss_one"),
        sql("COMMIT")));
    all.add(scenario("the same savepoint name twice",
        sql("BEGIN"), sql("SAVEPOINT s"), sql("INSERT INTO ss_rep VALUES (55, 'x')"),
        sql("SAVEPOINT s"), sql("INSERT INTO ss_rep VALUES (56, 'y')"), sql("ROLLBACK TO s"),
        sql("RELEASE s"), sql("ROLLBACK TO s"), sql("ROLLBACK TO s"), sql("COMMIT")));
    all.add(scenario("a missing savepoint aborts the block",
        sql("BEGIN"), sql("INSERT INTO ss_rep VALUES (57, 'x')"), sql("ROLLBACK TO nowhere"),
        sql("SELECT 1"), sql("COMMIT")));
    all.add(scenario("quoted savepoint names",
        sql("BEGIN"), sql("SAVEPOINT \"Mixed Case\""), sql("DELETE FROM ss_local"),
        sql("ROLLBACK TO \"Mixed Case\""), sql("ROLLBACK TO mixed_case"), sql("ROLLBACK")));
    all.add(scenario("savepoints under autocommit off",
        autocommit(false), sql("SAVEPOINT a"), sql("DELETE FROM ss_rep WHERE k = 1"),
        sql("ROLLBACK TO a"), sql("DELETE FROM ss_rep WHERE k = 2"), commit()));
  }

  private static void jdbcSavepoints(List<Scenario> all) {
    all.add(scenario("JDBC savepoints",
        embeddedOnly(setSavepoint("first")), autocommit(false),
        sql("INSERT INTO ss_rep VALUES (60, 'a')"), embeddedOnly(setSavepoint("first")),
        sql("INSERT INTO ss_rep VALUES (61, 'b')"), embeddedOnly(rollbackTo("first")),
        sql("INSERT INTO ss_one VALUES (62, 'c')"), commit()));
    all.add(scenario("JDBC named savepoints recover errors",
        autocommit(false), sql("INSERT INTO ss_local VALUES (63, 'a')"),
        embeddedOnly(setSavepoint("My Point")), sql("INSERT INTO ss_local VALUES (1, 'dup')"),
        embeddedOnly(rollbackTo("My Point")), sql("INSERT INTO ss_local VALUES (64, 'b')"),
        embeddedOnly(release("My Point")), embeddedOnly(rollbackTo("My Point")), commit()));
    all.add(scenario("JDBC savepoint release and rollback when idle",
        autocommit(false), embeddedOnly(setSavepoint("s")), commit(),
        embeddedOnly(rollbackTo("s")), embeddedOnly(release("s")), sql("SELECT 1"), commit()));
  }

  private static void preparedAndBatches(List<Scenario> all) {
    all.add(scenario("prepared statements in a block",
        autocommit(false), prepared("INSERT INTO ss_rep VALUES (?, ?)", 70, "p"),
        prepared("INSERT INTO ss_rep VALUES (?, ?)", 71, "q"),
        prepared("UPDATE ss_one SET v = ? WHERE k = ?", "prepared", 2),
        prepared("SELECT v FROM ss_rep WHERE k = ?", 70), rollback(),
        prepared("SELECT count(*) FROM ss_rep WHERE k >= ?", 70), commit()));
    all.add(scenario("prepared statements in REPEATABLE READ",
        sql("BEGIN ISOLATION LEVEL REPEATABLE READ"), prepared("SELECT v FROM ss_one WHERE k = ?", 3),
        other("UPDATE ss_one SET v = 'new' WHERE k = 3"), prepared("SELECT v FROM ss_one WHERE k = ?", 3),
        sql("COMMIT"), prepared("SELECT v FROM ss_one WHERE k = ?", 3)));
    all.add(scenario("a failing batch writes nothing",
        batch("INSERT INTO ss_rep VALUES (?, ?)", 80, 81, 1, 82),
        sql("SELECT count(*) FROM ss_rep"), batch("INSERT INTO ss_rep VALUES (?, ?)", 83, 84),
        sql("SELECT count(*) FROM ss_rep")));
    all.add(scenario("a batch in a block commits with it",
        autocommit(false), batch("INSERT INTO ss_one VALUES (?, ?)", 85, 86, 87),
        batch("INSERT INTO ss_local VALUES (?, ?)", 85), rollback(),
        batch("INSERT INTO ss_one VALUES (?, ?)", 88), commit()));
  }

  /**
   * The session's TimeZone, DateStyle and IntervalStyle decide what shard statements compute
   * and print on the workers, as one PostgreSQL server's session settings do.
   */
  private static void displaySettings(List<Scenario> all) {
    String zoned = "SELECT k, (timestamptz '2026-01-01 20:30:00+00' + k * interval '1 hour')::text,"
        + " extract(hour FROM timestamptz '2026-01-01 20:30:00+00' + k * interval '1 hour'),"
        + " date_trunc('day', timestamptz '2026-01-01 20:30:00+00' + k * interval '1 hour')::text"
        + " FROM ss_rep";
    String dated = "SELECT k, (date '03/04/2026' + k)::text, (k * interval '1 day 2 hours')::text"
        + " FROM ss_one";
    all.add(scenario("TimeZone, DateStyle and IntervalStyle reach the shards",
        sql(zoned + " WHERE k = 1"), sql("SET TIME ZONE 'Asia/Tokyo'"), sql(zoned + " WHERE k = 1"),
        sql(zoned + " ORDER BY k"), sql("SET DateStyle = 'ISO, DMY'"),
        sql("SET IntervalStyle = 'iso_8601'"), sql(dated + " WHERE k = 2"),
        sql(dated + " ORDER BY k"), sql("RESET DateStyle"), sql(dated + " WHERE k = 2"),
        sql("SELECT set_config('TimeZone', 'America/New_York', false)"),
        sql(zoned + " WHERE k = 3"), sql("RESET TimeZone"), sql("RESET IntervalStyle"),
        sql(zoned + " WHERE k = 3"),
        sql(dated + " ORDER BY k")));
    all.add(scenario("a zone set inside a block reaches the shards and ends with it",
        sql("SET TIME ZONE 'Asia/Kolkata'"), autocommit(false), sql(zoned + " WHERE k = 2"),
        sql("UPDATE ss_one SET v = 'z' WHERE k = 2"), sql("SET LOCAL TIME ZONE 'Europe/Paris'"),
        sql(zoned + " WHERE k = 2"), sql(zoned + " ORDER BY k"), rollback(),
        sql(zoned + " WHERE k = 2"), sql("SHOW TimeZone"), autocommit(true),
        sql("RESET TIME ZONE"), sql(zoned + " WHERE k = 4")));
  }

  private static void nameResolution(List<Scenario> all) {
    all.add(scenario("a temporary table hides the distributed table of its name",
        sql("CREATE TEMP TABLE ss_one (k int, v text)"),
        sql("INSERT INTO ss_one VALUES (30, 't')"), sql("SELECT count(*) FROM ss_one"),
        sql("UPDATE ss_one SET v = 'x' WHERE k = 1"), sql("DELETE FROM ss_one WHERE k = 2"),
        prepared("SELECT count(*) FROM ss_one WHERE k = ?", 30),
        sql("SELECT count(*) FROM pg_temp.ss_one"), sql("DROP TABLE ss_one"),
        sql("SELECT count(*) FROM ss_one"), sql("INSERT INTO ss_one VALUES (31, 'd')")));
    all.add(scenario("a table earlier on the search path hides a distributed one",
        sql("DROP SCHEMA IF EXISTS ss_shadow CASCADE"), sql("CREATE SCHEMA ss_shadow"),
        sql("CREATE TABLE ss_shadow.ss_rep (k int, v text)"),
        sql("SELECT count(set_config('search_path', 'ss_shadow, '"
            + " || current_setting('search_path'), false))"),
        sql("INSERT INTO ss_rep VALUES (40, 's')"), sql("SELECT count(*) FROM ss_rep"),
        sql("UPDATE ss_rep SET v = 'u' WHERE k = 1"), sql("DELETE FROM ss_rep WHERE k = 40"),
        sql("SELECT count(*) FROM ss_one WHERE k = 1"), sql("SET search_path = ss_shadow"),
        sql("INSERT INTO ss_rep VALUES (41, 'o')"), sql("SELECT count(*) FROM ss_one"),
        sql("SELECT count(*) FROM ss_shadow.ss_rep"), sql("DROP SCHEMA ss_shadow CASCADE")));
    all.add(scenario("pg_temp last on the path hides nothing",
        sql("SELECT count(set_config('search_path', current_setting('search_path')"
            + " || ', pg_temp', false))"),
        sql("CREATE TEMP TABLE ss_one (k int, v text)"),
        sql("INSERT INTO ss_one VALUES (32, 'p')"), sql("SELECT count(*) FROM ss_one"),
        sql("SELECT count(*) FROM pg_temp.ss_one")));
  }

  // Steps ------------------------------------------------------------------------------------

  static Scenario scenario(String name, Step... steps) {
    return new Scenario(name, List.of(steps));
  }

  private static Step step(String label, Action action) {
    return new Step(label, action, true);
  }

  static Step embeddedOnly(Step step) {
    return new Step(step.label(), step.action(), false);
  }

  static Step sql(String sql) {
    return step(sql, s -> SessionSemanticsTest.execute(s, sql));
  }

  static Step other(String sql) {
    return step("(other connection) " + sql, s -> {
      try (java.sql.Statement statement = s.other.createStatement()) {
        return statement.execute(sql) ? "rows " + SessionSemanticsTest.rows(statement
            .getResultSet()) : "count " + statement.getUpdateCount();
      }
    });
  }

  private static Step prepared(String sql, Object... parameters) {
    return step("prepared " + sql + " " + List.of(parameters),
        s -> SessionSemanticsTest.prepared(s, sql, parameters));
  }

  private static Step batch(String sql, int... keys) {
    return step("batch " + sql, s -> SessionSemanticsTest.batch(s, sql, keys));
  }

  /**
   * Sets autocommit and reads it back: Avatica's client sends the change only with its next
   * request, which the getter is; for pgjdbc the getter changes nothing.
   */
  static Step autocommit(boolean on) {
    return step("setAutoCommit(" + on + ")", s -> {
      s.subject.setAutoCommit(on);
      return "ok " + s.subject.getAutoCommit();
    });
  }

  private static Step getAutoCommit() {
    return step("getAutoCommit()", s -> "autocommit " + s.subject.getAutoCommit());
  }

  private static Step commit() {
    return step("commit()", s -> {
      s.subject.commit();
      return "ok";
    });
  }

  static Step rollback() {
    return step("rollback()", s -> {
      s.subject.rollback();
      return "ok";
    });
  }

  private static Step isolation(int level) {
    return step("setTransactionIsolation(" + level + ")", s -> {
      s.subject.setTransactionIsolation(level);
      return "ok " + s.subject.getTransactionIsolation();
    });
  }

  private static Step getIsolation() {
    return step("getTransactionIsolation()",
        s -> "isolation " + s.subject.getTransactionIsolation());
  }

  private static Step readOnly(boolean on) {
    return step("setReadOnly(" + on + ")", s -> {
      s.subject.setReadOnly(on);
      return "ok " + s.subject.isReadOnly();
    });
  }

  static Step reconnect() {
    return step("close and reconnect", s -> {
      s.subject.close();
      s.subject = s.target.open();
      return "ok";
    });
  }

  private static Step setSavepoint(String name) {
    return step("setSavepoint(" + name + ")", s -> {
      s.savepoints.put(name, s.subject.setSavepoint(name));
      return "ok";
    });
  }

  private static Step rollbackTo(String name) {
    return step("rollback(savepoint " + name + ")", s -> {
      s.subject.rollback(s.savepoints.get(name));
      return "ok";
    });
  }

  private static Step release(String name) {
    return step("releaseSavepoint(" + name + ")", s -> {
      s.subject.releaseSavepoint(s.savepoints.get(name));
      return "ok";
    });
  }
}
