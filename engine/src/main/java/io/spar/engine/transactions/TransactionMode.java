package io.spar.engine.transactions;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Characteristics of a transaction, as {@code BEGIN} and {@code SET TRANSACTION} set them:
 * isolation level, read-only and deferrable. A distributed transaction runs at these
 * characteristics on every node it touches, so each node's snapshot follows the isolation level
 * (the snapshots of different nodes are taken separately; there is no global snapshot).
 *
 * @param isolation the isolation level
 * @param readOnly whether the transaction refuses writes
 * @param deferrable whether a serializable read-only transaction may wait for a safe snapshot
 */
public record TransactionMode(Isolation isolation, boolean readOnly, boolean deferrable) {
  /** PostgreSQL's built-in defaults: READ COMMITTED, READ WRITE, NOT DEFERRABLE. */
  public static final TransactionMode DEFAULT =
      new TransactionMode(Isolation.READ_COMMITTED, false, false);

  /** PostgreSQL's isolation levels, with their names as {@code SHOW transaction_isolation} prints them. */
  public enum Isolation {
    /** Runs as READ COMMITTED in PostgreSQL. */
    READ_UNCOMMITTED("read uncommitted"),
    /** Each statement sees what was committed before it began. */
    READ_COMMITTED("read committed"),
    /** Every statement sees the snapshot taken by the transaction's first statement (per node). */
    REPEATABLE_READ("repeatable read"),
    /** REPEATABLE READ plus serialization checks (per node). */
    SERIALIZABLE("serializable");

    private final String text;

    Isolation(String text) {
      this.text = text;
    }

    /** Returns the level's name in lower case, as PostgreSQL prints it. */
    public String text() {
      return text;
    }

    /** Returns the level named {@code text} (any case), as {@code SHOW} or SQL spells it. */
    public static Isolation of(String text) {
      String wanted = text.trim().toLowerCase(Locale.ROOT);
      for (Isolation each : values()) {
        if (each.text.equals(wanted)) {
          return each;
        }
      }
      throw new IllegalArgumentException("unknown isolation level: " + text);
    }
  }

  /**
   * Returns the characteristics new transactions of {@code session} get: its
   * {@code default_transaction_*} settings.
   */
  public static TransactionMode defaultsOf(Connection session) throws SQLException {
    return read(session, "default_transaction_");
  }

  /**
   * Returns the characteristics of the transaction open on {@code session}: its
   * {@code transaction_*} settings.
   */
  public static TransactionMode currentOf(Connection session) throws SQLException {
    return read(session, "transaction_");
  }

  private static TransactionMode read(Connection session, String prefix) throws SQLException {
    try (Statement statement = session.createStatement();
        ResultSet rs = statement.executeQuery("SELECT"
            + " current_setting('" + prefix + "isolation'),"
            + " current_setting('" + prefix + "read_only')::boolean,"
            + " current_setting('" + prefix + "deferrable')::boolean")) {
      rs.next();
      return new TransactionMode(Isolation.of(rs.getString(1)), rs.getBoolean(2),
          rs.getBoolean(3));
    }
  }

  /** Returns a copy with {@code isolation}. */
  public TransactionMode withIsolation(Isolation level) {
    return new TransactionMode(level, readOnly, deferrable);
  }

  /** Returns a copy with read-only set to {@code value}. */
  public TransactionMode withReadOnly(boolean value) {
    return new TransactionMode(isolation, value, deferrable);
  }

  /** Returns a copy with deferrable set to {@code value}. */
  public TransactionMode withDeferrable(boolean value) {
    return new TransactionMode(isolation, readOnly, value);
  }

  /** Returns whether a node transaction needs no {@code SET TRANSACTION} to run in this mode. */
  public boolean isDefault() {
    return equals(DEFAULT);
  }

  /** Returns whether statements of one transaction see one snapshot per node. */
  public boolean keepsSnapshot() {
    return isolation == Isolation.REPEATABLE_READ || isolation == Isolation.SERIALIZABLE;
  }

  /**
   * Returns the {@code SET TRANSACTION} statement that gives a freshly begun node transaction
   * this mode; it must run before the node transaction's first query.
   */
  public String setTransactionSql() {
    List<String> modes = new ArrayList<>();
    modes.add("ISOLATION LEVEL " + isolation.text().toUpperCase(Locale.ROOT));
    modes.add(readOnly ? "READ ONLY" : "READ WRITE");
    modes.add(deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
    return "SET TRANSACTION " + String.join(", ", modes);
  }
}
