package io.spar.jdbc;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.session.SparSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;

/**
 * The connection properties JDBC sets on a session (isolation level, read-only flag, schema),
 * with pgjdbc's rules; shared by Spar's connection and by {@link SparMeta}, which applies what
 * Avatica's remote clients sync.
 */
final class SessionProperties {
  private SessionProperties() {
  }

  /**
   * Sets the session's default isolation level as pgjdbc does, with
   * {@code SET SESSION CHARACTERISTICS}, unless it does not change; refused inside a transaction
   * block.
   */
  static void setIsolation(SparSession session, int level) throws SQLException {
    String name = switch (level) {
      case Connection.TRANSACTION_READ_UNCOMMITTED -> "READ UNCOMMITTED";
      case Connection.TRANSACTION_READ_COMMITTED -> "READ COMMITTED";
      case Connection.TRANSACTION_REPEATABLE_READ -> "REPEATABLE READ";
      case Connection.TRANSACTION_SERIALIZABLE -> "SERIALIZABLE";
      default -> throw new SQLFeatureNotSupportedException(
          "Transaction isolation level " + level + " not supported.", "0A000");
    };
    if (level == isolation(session)) {
      // Setting it again would make it a session setting that every borrowed coordinator
      // connection must be given; Avatica's property sync sets every property again.
      return;
    }
    session.requireNoTransactionBlock(
        "Cannot change transaction isolation level in the middle of a transaction.");
    session.executeCommand("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL "
        + name);
  }

  /** Returns the isolation level of the open block, or else the session's default. */
  static int isolation(SparSession session) throws SQLException {
    return switch (session.transactionIsolation()) {
      case READ_UNCOMMITTED -> Connection.TRANSACTION_READ_UNCOMMITTED;
      case READ_COMMITTED -> Connection.TRANSACTION_READ_COMMITTED;
      case REPEATABLE_READ -> Connection.TRANSACTION_REPEATABLE_READ;
      case SERIALIZABLE -> Connection.TRANSACTION_SERIALIZABLE;
    };
  }

  /**
   * Changes the read-only flag as pgjdbc does: refused inside a transaction block; with
   * autocommit off, the blocks the session opens are then {@code READ ONLY}.
   */
  static void setReadOnly(SparSession session, boolean readOnly) throws SQLException {
    session.requireNoTransactionBlock(
        "Cannot change transaction read-only property in the middle of a transaction.");
    session.setReadOnlyHint(readOnly);
  }

  /**
   * Sets the search path of the session to {@code schema} alone; a no-op if {@code schema} is
   * already the first schema, so that Avatica's property sync keeps a longer search path.
   */
  static void setSchema(SparSession session, String schema) throws SQLException {
    if (schema != null && schema.equals(schema(session))) {
      return;
    }
    session.execute("SET search_path TO " + SqlQuoting.identifier(schema), List.of());
  }

  /** Returns the schema the session's search path resolves to, as PostgreSQL reports it. */
  static String schema(SparSession session) throws SQLException {
    return session.lookup(Connection::getSchema);
  }

  /** Returns the coordinator's database, which JDBC calls the catalog. */
  static String catalog(SparSession session) throws SQLException {
    return session.lookup(Connection::getCatalog);
  }
}
