package io.spar.jdbc;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;

/**
 * Factory of the SQL exceptions the driver throws, with pgjdbc's messages and SQLStates where
 * pgjdbc has an equivalent, so that applications moving from pgjdbc see familiar errors.
 */
final class JdbcErrors {
  /** SQLState of features Spar does not support. */
  static final String FEATURE_NOT_SUPPORTED = "0A000";
  /** SQLState of operations on a closed object. */
  static final String OBJECT_NOT_IN_STATE = "55000";
  /** SQLState of an invalid argument to a JDBC method. */
  static final String INVALID_PARAMETER_VALUE = "22023";
  /** SQLState of a connection that could not be made. */
  static final String CONNECTION_UNABLE_TO_CONNECT = "08001";
  /** SQLState of an invalid cursor position or cursor operation. */
  static final String INVALID_CURSOR_STATE = "24000";

  private JdbcErrors() {
  }

  static SQLFeatureNotSupportedException unsupported(String what) {
    return new SQLFeatureNotSupportedException(what + " is not supported by Spar",
        FEATURE_NOT_SUPPORTED);
  }

  static SQLException closed(String what) {
    return new SQLException("This " + what + " has been closed.", OBJECT_NOT_IN_STATE);
  }

  static SQLException invalidArgument(String message) {
    return new SQLException(message, INVALID_PARAMETER_VALUE);
  }

  /** Implements {@link java.sql.Wrapper#unwrap} for objects that wrap nothing but themselves. */
  static <T> T unwrap(Object self, Class<T> iface) throws SQLException {
    if (iface.isInstance(self)) {
      return iface.cast(self);
    }
    throw new SQLException("Cannot unwrap to " + iface.getName(), INVALID_PARAMETER_VALUE);
  }
}
