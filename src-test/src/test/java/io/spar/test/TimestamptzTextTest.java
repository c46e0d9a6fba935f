package io.spar.test;

import static io.spar.test.Sql.outcome;
import static io.spar.test.Sql.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * timestamptz values read as text ({@code getString}) print as PostgreSQL prints them in the
 * session's TimeZone (any PostgreSQL reads), with the offset, fractional seconds and BC years,
 * whether the value came from one shard, from several merged, or from the coordinator: the
 * same statements through Spar and on a plain table give the same text in every zone.
 */
class TimestamptzTextTest {
  @Test
  void timestamptzPrintsInTheSessionsZone() throws SQLException {
    try (Connection spar = SparTestCluster.spar();
        Connection plain = SparTestCluster.coordinator()) {
      run(spar, "DROP TABLE IF EXISTS tz_events");
      run(plain, "DROP TABLE IF EXISTS plain_tz_events");
      for (Connection each : List.of(spar, plain)) {
        String table = each == spar ? "tz_events" : "plain_tz_events";
        run(each, "CREATE TABLE " + table + " (k int, at timestamptz)");
        if (each == spar) {
          run(spar, "SELECT master_create_distributed_table('tz_events', 'k', 'hash')");
          run(spar, "SELECT master_create_worker_shards('tz_events', 4, 1)");
        }
        run(each, "INSERT INTO " + table + " VALUES (1, '2024-01-01 00:00:37+00'),"
            + " (2, '2024-07-01 12:30:00.5+02'), (3, '1999-12-31 23:59:59.123456-08'),"
            + " (4, '0044-03-15 12:00:00+00 BC'), (5, 'infinity'), (6, '-infinity'),"
            + " (7, '2024-03-10 02:30:00.000100+00'), (8, NULL)");
      }
      for (String zone : List.of("UTC", "America/New_York", "Asia/Kolkata",
          "Australia/Lord_Howe", "UTC+3", "Europe/Amsterdam",
          // A POSIX zone with daylight rules, which Java does not read: printed by PostgreSQL.
          "XST5XDT4,M3.2.0/2,M11.1.0/2")) {
        run(spar, "SET TimeZone = '" + zone + "'");
        run(plain, "SET TimeZone = '" + zone + "'");
        // A BC moment prints with its zone's offset then, local mean time before standard
        // time, which Java's and the server's time zone data do not agree on everywhere.
        String bc = zone.startsWith("UTC") ? "" : " WHERE k <> 4";
        for (String sql : List.of("SELECT k, at FROM %s WHERE k = 2",
            "SELECT k, at FROM %s" + bc + " ORDER BY k",
            "SELECT min(at), max(at) FROM %s WHERE at > '1900-01-01' AND at < 'infinity'",
            "SELECT at + interval '1 day' FROM %s WHERE k = 3")) {
          assertEquals(outcome(plain, String.format(sql, "plain_tz_events")),
              outcome(spar, String.format(sql, "tz_events")), zone + ": " + sql);
        }
      }
      run(spar, "DROP TABLE tz_events");
      run(plain, "DROP TABLE plain_tz_events");
    }
  }
}
