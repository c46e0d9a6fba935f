package io.spar.jdbc;

import java.sql.SQLException;
import java.sql.Timestamp;

/** Writes a timestamptz value as the session's PostgreSQL prints it. */
@FunctionalInterface
interface TimestamptzPrinter {
  /** Returns {@code value}'s text in the session's TimeZone. */
  String print(Timestamp value) throws SQLException;
}
