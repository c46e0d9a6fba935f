package io.spar.engine.transactions;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;

/**
 * Names of Spar's prepared transactions, and the coordinator lock that marks one in flight.
 *
 * <p>A global transaction id is {@code spar_<coordinator system id>_<database oid>_<txid>}, so
 * recovery only ever resolves prepared transactions that its own coordinator database decided,
 * even when several coordinators share workers.
 */
public final class TransactionIds {
  /** First key of the in-flight lock ("sptx" in ASCII), the second being the txid. */
  static final int LOCK_SPACE = 0x73707478;

  private final String prefix;

  private TransactionIds(String prefix) {
    this.prefix = prefix;
  }

  /** Reads the coordinator's identity. */
  public static TransactionIds of(Connection coordinator) throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT (SELECT system_identifier FROM"
            + " pg_control_system()), (SELECT oid FROM pg_database"
            + " WHERE datname = current_database())")) {
      rs.next();
      return new TransactionIds("spar_" + rs.getLong(1) + "_" + rs.getLong(2) + "_");
    }
  }

  /** Returns the global id of transaction {@code txid}. */
  public String gid(long txid) {
    return prefix + txid;
  }

  /** Returns the LIKE pattern that matches this coordinator's global ids. */
  String likePattern() {
    return prefix + "%";
  }

  /** Returns the txid of {@code gid}, if it is one of this coordinator's. */
  OptionalLong txid(String gid) {
    if (!gid.startsWith(prefix)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(gid.substring(prefix.length())));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Returns the SQL expression of the in-flight lock key of txid expression {@code txid}. */
  static String lockKey(String txid) {
    return LOCK_SPACE + ", (" + txid + " % 2147483647)::int";
  }
}
