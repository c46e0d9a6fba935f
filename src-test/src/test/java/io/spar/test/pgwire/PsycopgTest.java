package io.spar.test.pgwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.test.SparTestCluster;
import io.spar.test.Sql;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Python's psycopg2 (libpq, client-side parameter interpolation, implicit transactions)
 * through Spar's PostgreSQL port, differentially against plain PostgreSQL: the script
 * {@code pgwire/psycopg_client.py} runs once on a distributed table through the port and once
 * on a plain table of the coordinator, checks the Python types of the values itself, and both
 * runs must print the same lines.
 */
class PsycopgTest {
  /** Not {@code python3} from PATH, which may be a shim without psycopg2. */
  private static final String PYTHON = "/usr/bin/python3";

  @Test
  void psycopg2SeesWhatPlainPostgresShows() throws Exception {
    WirePort.server();
    try (Connection plain = SparTestCluster.coordinator()) {
      Sql.run(plain, "DROP SCHEMA IF EXISTS py_plain CASCADE");
      Sql.run(plain, "CREATE SCHEMA py_plain");
    }
    String script = ClientScript.resource("psycopg_client.py").toString();
    ClientScript.Run spar = ClientScript.run(PYTHON, script, WirePort.url(), "py_orders",
        "distribute");
    assertEquals(0, spar.exit(), spar.describe());
    ClientScript.Run plain = ClientScript.run(PYTHON, script, ClientScript.plainUrl(),
        "py_plain.py_orders", "plain");
    assertEquals(0, plain.exit(), plain.describe());

    assertEquals(plain.lines(), spar.lines(), "through Spar:\n" + spar.describe()
        + "\nplain PostgreSQL:\n" + plain.describe());
    for (String expected : List.of(
        "insert 1 True",
        "row 1 'one \u00fc\\'\"\\\\ \u20ac' Decimal('10.50') 2024-01-02T03:04:05.678000+00:00"
            + " ['a', 'b c', 'd\"e'] [1, 2, 3] None",
        "columns [('k', 20), ('name', 25), ('amount', 1700), ('at', 1184), ('tags', 1009),"
            + " ('scores', 1007), ('note', 25)]",
        "any [(21, 'many 21'), (3, 'name 3')]",
        "aggregate 25 Decimal('396.75') 2024-01-02T23:04:05.678000+00:00 2",
        "amount inside Decimal('102.25')",
        "amount after rollback (Decimal('2.25'), 0)",
        "other before commit 0",
        "other after commit 3",
        "insert returning 100 Decimal('3.30') returned 2024-01-02T03:04:05.678000+00:00",
        "update returning [(21, Decimal('63.00')), (22, Decimal('66.00'))] 2",
        "error 23505 UniqueViolation ERROR duplicate key value violates unique constraint"
            + " \"py_orders_pkey\"",
        "status after error True",
        "error 25P02 InFailedSqlTransaction",
        "error 22012 DivisionByZero division by zero",
        "insert before error rolled back 0",
        "error 42703 UndefinedColumn column \"no_such_column\" does not exist",
        "error 23502 NotNullViolation",
        "final (1025, Decimal('125302.05'))",
        "done")) {
      assertTrue(spar.lines().contains(expected), "expected \"" + expected + "\" in:\n"
          + spar.describe());
    }
    try (Connection spar2 = WirePort.connect("")) {
      assertEquals(1025, Sql.count(spar2, "SELECT count(*) FROM py_orders"));
    }
  }
}
