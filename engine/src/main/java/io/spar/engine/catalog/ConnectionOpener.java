package io.spar.engine.catalog;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a new, unpooled database connection.
 */
@FunctionalInterface
public interface ConnectionOpener {
  /** Opens a connection; the caller closes it. */
  Connection open() throws SQLException;
}
