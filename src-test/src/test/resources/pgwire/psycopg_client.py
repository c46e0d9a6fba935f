"""psycopg2 against a PostgreSQL server: Spar's port (the table distributed) or plain PostgreSQL.

Usage: psycopg_client.py DSN TABLE distribute|plain

Prints one line per result, without the table's name, so that the outputs of both servers can
be compared line for line. Asserts the Python types psycopg2 makes of the values; any failed
assertion or unexpected exception exits non-zero.
"""
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import psycopg2
import psycopg2.errors
import psycopg2.extras

dsn, table, mode = sys.argv[1], sys.argv[2], sys.argv[3]


def out(*parts):
    print(" ".join(str(each) for each in parts), flush=True)


def moment(value):
    """A timestamptz in UTC, so that the output does not depend on the session's TimeZone."""
    assert isinstance(value, datetime), type(value)
    assert value.tzinfo is not None, "timestamptz without a time zone: %r" % value
    return value.astimezone(timezone.utc).isoformat()


conn = psycopg2.connect(dsn)
out("server_version", conn.server_version >= 100000,
    conn.get_parameter_status("server_encoding"),
    conn.get_parameter_status("integer_datetimes"))

# Definitions and distribution run outside transaction blocks.
conn.autocommit = True
cur = conn.cursor()
cur.execute("DROP TABLE IF EXISTS " + table)
cur.execute("CREATE TABLE " + table + " (k bigint PRIMARY KEY, name text NOT NULL,"
            " amount numeric(12,2), at timestamptz, tags text[], scores int[], note text)")
if mode == "distribute":
    cur.execute("SELECT master_create_distributed_table(%s, 'k', 'hash')", (table,))
    cur.execute("SELECT master_create_worker_shards(%s, 4, 2)", (table,))

# From here on psycopg2 opens a transaction before the first statement after each commit.
conn.autocommit = False
start = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
cur.execute("INSERT INTO " + table + " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (1, "one \u00fc'\"\\ \u20ac", Decimal("10.50"), start, ["a", "b c", 'd"e'],
             [1, 2, 3], None))
out("insert", cur.rowcount, conn.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_INTRANS)
psycopg2.extras.execute_values(
    cur, "INSERT INTO " + table + " (k, name, amount, at, tags, scores) VALUES %s",
    [(i, "name %d" % i, Decimal(i) + Decimal("0.25"), start + timedelta(hours=i),
      ["t%d" % i], [i, i * 2]) for i in range(2, 21)], page_size=7)
out("execute_values", cur.rowcount)
cur.executemany("INSERT INTO " + table + " (k, name, amount) VALUES (%s, %s, %s)",
                [(i, "many %d" % i, Decimal("1.5") * i) for i in range(21, 26)])
out("executemany", cur.rowcount)
conn.commit()

cur.execute("SELECT k, name, amount, at, tags, scores, note FROM " + table + " WHERE k = %s",
            (1,))
k, name, amount, at, tags, scores, note = cur.fetchone()
assert type(k) is int and k == 1, repr(k)
assert name == "one \u00fc'\"\\ \u20ac", repr(name)
assert isinstance(amount, Decimal) and amount == Decimal("10.50"), repr(amount)
assert moment(at) == "2024-01-02T03:04:05.678000+00:00", repr(at)
assert tags == ["a", "b c", 'd"e'], repr(tags)
assert scores == [1, 2, 3] and all(type(each) is int for each in scores), repr(scores)
assert note is None
out("row", k, repr(name), repr(amount), moment(at), tags, scores, note)
out("columns", [(d.name, d.type_code) for d in cur.description])

cur.execute("SELECT k, amount, at FROM " + table
            + " WHERE amount > %s AND name LIKE %s AND at < %s ORDER BY k",
            (Decimal("5"), "name%", start + timedelta(hours=9)))
out("range", [(k, str(amount), moment(at)) for k, amount, at in cur.fetchall()])
cur.execute("SELECT k, name FROM " + table + " WHERE k = ANY(%s) ORDER BY k DESC", ([3, 21, 99],))
out("any", cur.fetchall())
cur.execute("SELECT count(*), sum(amount), max(at), min(scores[2]) FROM " + table)
count, total, latest, least = cur.fetchone()
assert type(count) is int and isinstance(total, Decimal) and type(least) is int
out("aggregate", count, repr(total), moment(latest), least)
cur.execute("SELECT name FROM " + table + " WHERE note IS NULL AND k = %s", (2,))
out("null filter", cur.fetchall())
conn.commit()

# A rolled-back transaction leaves nothing behind.
cur.execute("UPDATE " + table + " SET amount = amount + 100 WHERE k = %s", (2,))
out("update in transaction", cur.rowcount)
cur.execute("INSERT INTO " + table + " (k, name) VALUES (%s, %s)", (200, "rolled back"))
cur.execute("SELECT amount FROM " + table + " WHERE k = 2")
out("amount inside", repr(cur.fetchone()[0]))
conn.rollback()
cur.execute("SELECT amount, (SELECT count(*) FROM " + table + " WHERE k = 200) FROM " + table
            + " WHERE k = 2")
out("amount after rollback", repr(cur.fetchone()))
conn.commit()

# A committed one is seen by another connection only after the commit.
other = psycopg2.connect(dsn)
other.autocommit = True
other_cur = other.cursor()
cur.execute("UPDATE " + table + " SET note = %s WHERE k BETWEEN %s AND %s", ("updated", 2, 4))
out("update", cur.rowcount)
other_cur.execute("SELECT count(*) FROM " + table + " WHERE note = 'updated'")
out("other before commit", other_cur.fetchone()[0])
conn.commit()
other_cur.execute("SELECT count(*) FROM " + table + " WHERE note = 'updated'")
out("other after commit", other_cur.fetchone()[0])
other.close()

# RETURNING.
cur.execute("INSERT INTO " + table + " (k, name, amount, at) VALUES (%s, %s, %s, %s)"
            " RETURNING k, amount, name, at", (100, "returned", Decimal("3.30"), start))
k, amount, name, at = cur.fetchone()
assert type(k) is int and isinstance(amount, Decimal)
out("insert returning", k, repr(amount), name, moment(at))
cur.execute("UPDATE " + table + " SET amount = amount * 2 WHERE k IN (%s, %s) RETURNING k, amount",
            (21, 22))
out("update returning", sorted(cur.fetchall()), cur.rowcount)
cur.execute("DELETE FROM " + table + " WHERE k = %s RETURNING name, tags", (25,))
out("delete returning", cur.fetchall(), cur.rowcount)
conn.commit()

# Errors carry PostgreSQL's SQLSTATE; the transaction then fails until rolled back.
try:
    cur.execute("INSERT INTO " + table + " (k, name) VALUES (%s, %s)", (1, "duplicate"))
    raise AssertionError("no unique violation")
except psycopg2.errors.UniqueViolation as e:
    out("error", e.pgcode, type(e).__name__, e.diag.severity, e.diag.message_primary)
out("status after error",
    conn.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_INERROR)
try:
    cur.execute("SELECT 1")
    raise AssertionError("the failed transaction went on")
except psycopg2.errors.InFailedSqlTransaction as e:
    out("error", e.pgcode, type(e).__name__)
conn.rollback()
cur.execute("SELECT count(*) FROM " + table)
out("count after rollback", cur.fetchone()[0])
conn.commit()

cur.execute("INSERT INTO " + table + " (k, name) VALUES (%s, %s)", (300, "kept"))
try:
    cur.execute("SELECT amount / %s FROM " + table + " WHERE k = %s", (0, 1))
    cur.fetchall()
    raise AssertionError("no division by zero")
except psycopg2.errors.DivisionByZero as e:
    out("error", e.pgcode, type(e).__name__, e.diag.message_primary)
conn.rollback()
cur.execute("SELECT count(*) FROM " + table + " WHERE k = 300")
out("insert before error rolled back", cur.fetchone()[0])
conn.commit()

try:
    cur.execute("SELECT no_such_column FROM " + table)
    raise AssertionError("no undefined column")
except psycopg2.Error as e:
    out("error", e.pgcode, type(e).__name__, e.diag.message_primary)
conn.rollback()

# In autocommit mode an error needs no rollback.
conn.autocommit = True
try:
    cur.execute("INSERT INTO " + table + " (k, name) VALUES (%s, NULL)", (400,))
    raise AssertionError("no not-null violation")
except psycopg2.Error as e:
    out("error", e.pgcode, type(e).__name__)
cur.execute("SELECT %s::int + 1, %s::text, %s::numeric, %s::timestamptz, %s::bigint[], %s",
            (41, "x", Decimal("-0.001"), start, [7, None], None))
row = cur.fetchone()
assert row[0] == 42 and row[2] == Decimal("-0.001") and row[4] == [7, None] and row[5] is None
out("literals", row[0], row[1], repr(row[2]), moment(row[3]), row[4], row[5])

# Many rows in pages.
conn.autocommit = False
psycopg2.extras.execute_values(
    cur, "INSERT INTO " + table + " (k, name, amount) VALUES %s",
    [(1000 + i, "bulk", Decimal(i) / 4) for i in range(1000)], page_size=250)
conn.commit()
cur.execute("SELECT k, amount FROM " + table + " WHERE name = %s ORDER BY k", ("bulk",))
bulk = cur.fetchall()
assert len(bulk) == 1000 and bulk[999] == (1999, Decimal("249.75")), bulk[999]
cur.execute("SELECT count(*), sum(amount) FROM " + table)
out("final", cur.fetchone())
conn.commit()
conn.close()
out("done")
