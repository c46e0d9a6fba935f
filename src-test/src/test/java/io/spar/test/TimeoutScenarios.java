package io.spar.test;

import static io.spar.test.SessionScenarios.autocommit;
import static io.spar.test.SessionScenarios.embeddedOnly;
import static io.spar.test.SessionScenarios.other;
import static io.spar.test.SessionScenarios.reconnect;
import static io.spar.test.SessionScenarios.rollback;
import static io.spar.test.SessionScenarios.scenario;
import static io.spar.test.SessionScenarios.sql;

import io.spar.test.SessionSemanticsTest.Scenario;
import io.spar.test.SessionSemanticsTest.Step;
import java.util.List;

/**
 * The scenarios of {@link SessionSemanticsTest} on the session's {@code statement_timeout} and
 * {@code lock_timeout}, which bound the statements' work and lock waits on the workers as on
 * one PostgreSQL server. Slow statements sleep one second under a timeout of 200 or 300 ms, or
 * wait for a row the other connection holds; after the timeout is gone, they sleep half a
 * second and succeed.
 */
final class TimeoutScenarios {
  private TimeoutScenarios() {
  }

  /** Adds the timeout scenarios to {@code all}. */
  static void add(List<Scenario> all) {
    statementTimeouts(all);
    lockTimeouts(all);
  }

  /** Test cases for issue 8, item 3: the session's statement_timeout reaches the workers. */
  private static void statementTimeouts(List<Scenario> all) {
    all.add(scenario("statement_timeout cancels a routed read (issue 8, item 3)",
        sql("SET statement_timeout = '200ms'"), slow("ss_rep", 1),
        sql("SELECT v FROM ss_rep WHERE k = 1"), sql("RESET statement_timeout"),
        halfSecond("ss_one", 2), sql("SHOW statement_timeout")));
    all.add(scenario("a later session inherits no statement_timeout (issue 8, item 3)",
        sql("SET statement_timeout = '300ms'"), sql("SELECT v FROM ss_rep WHERE k = 1"),
        sql("UPDATE ss_one SET v = 'u' WHERE k IN (1, 2)"), sql("SELECT count(*) FROM ss_one"),
        embeddedOnly(reconnect()), halfSecond("ss_rep", 1), halfSecond("ss_one", 2)));
    all.add(scenario("statement_timeout cancels a multi-shard write (issue 8, item 3)",
        other("BEGIN"), other("UPDATE ss_one SET v = 'o' WHERE k = 2"),
        sql("SET statement_timeout = '300ms'"), sql("UPDATE ss_one SET v = 'x' WHERE k IN (1, 2)"),
        sql("RESET statement_timeout"), other("ROLLBACK"),
        sql("UPDATE ss_one SET v = 'x' WHERE k IN (1, 2)")));
    all.add(scenario("statement_timeout in a block aborts it (issue 8, item 3)",
        sql("BEGIN"), sql("UPDATE ss_rep SET v = 't' WHERE k = 3"),
        sql("SET statement_timeout = '200ms'"), slow("ss_one", 2),
        sql("SELECT 1"), sql("COMMIT"), sql("SHOW statement_timeout"), halfSecond("ss_one", 2)));
    all.add(scenario("statement_timeout set before a savepoint outlives its rollback"
        + " (issue 8, item 3)",
        sql("BEGIN"), sql("UPDATE ss_rep SET v = 's' WHERE k = 1"),
        sql("SET statement_timeout = '200ms'"), sql("SAVEPOINT a"),
        sql("SELECT v FROM ss_one WHERE k = 2"), sql("ROLLBACK TO a"),
        slow("ss_one", 2), sql("ROLLBACK"), halfSecond("ss_rep", 1)));
    all.add(scenario("SET LOCAL statement_timeout lasts until the block ends (issue 8, item 3)",
        autocommit(false), sql("SET LOCAL statement_timeout = '200ms'"),
        slow("ss_rep", 2), rollback(), autocommit(true), halfSecond("ss_rep", 2)));
  }

  /** Test cases for issue 8, item 4: the session's lock_timeout reaches the workers. */
  private static void lockTimeouts(List<Scenario> all) {
    all.add(scenario("lock_timeout ends a wait for a replicated shard (issue 8, item 4)",
        other("BEGIN"), other("UPDATE ss_rep SET v = 'o' WHERE k = 2"),
        sql("SET lock_timeout = '300ms'"), sql("UPDATE ss_rep SET v = 'x' WHERE k = 2"),
        sql("SELECT v FROM ss_rep WHERE k = 2"), other("ROLLBACK"),
        sql("UPDATE ss_rep SET v = 'x' WHERE k = 2"), sql("RESET lock_timeout"),
        sql("SHOW lock_timeout")));
    all.add(scenario("lock_timeout in a block aborts it (issue 8, item 4)",
        other("BEGIN"), other("UPDATE ss_one SET v = 'o' WHERE k = 2"),
        sql("BEGIN"), sql("UPDATE ss_one SET v = 'y' WHERE k = 1"),
        sql("SET LOCAL lock_timeout = '300ms'"), sql("UPDATE ss_one SET v = 'x' WHERE k = 2"),
        sql("SELECT 1"), sql("COMMIT"), other("ROLLBACK"), sql("SHOW lock_timeout"),
        sql("UPDATE ss_one SET v = 'x' WHERE k = 2")));
    all.add(scenario("lock_timeout on an unreplicated shard (issue 8, item 4)",
        other("BEGIN"), other("UPDATE ss_one SET v = 'o' WHERE k = 3"),
        sql("SET lock_timeout = '300ms'"), sql("DELETE FROM ss_one WHERE k = 3"),
        other("COMMIT"), sql("DELETE FROM ss_one WHERE k = 3")));
  }

  /** Returns a read of one row of {@code table} that sleeps one second, beyond any timeout. */
  private static Step slow(String table, int key) {
    return sql("SELECT k, pg_sleep(1)::text FROM " + table + " WHERE k = " + key);
  }

  /** Returns a read of one row of {@code table} that sleeps half a second. */
  private static Step halfSecond(String table, int key) {
    return sql("SELECT k, pg_sleep(0.5)::text FROM " + table + " WHERE k = " + key);
  }
}
