package io.spar.engine.execution;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Errors that Spar raises itself, shaped like PostgreSQL's: a {@link PSQLException} with
 * SQLState, message, detail and hint, which applications read as they read the server's.
 * calcite-adapter's {@code io.spar.outcome.SparErrors} builds on it.
 */
public final class PgErrors {
  private PgErrors() {
  }

  /** Returns an ERROR with {@code sqlState} and {@code message}, and optional detail and hint. */
  public static PSQLException error(String sqlState, String message, String detail,
      String hint) {
    return error(sqlState, message, detail, hint, null);
  }

  /**
   * Returns an ERROR as {@link #error(String, String, String, String)} does, with the context
   * {@code where} (such as COPY's line), if not null.
   */
  public static PSQLException error(String sqlState, String message, String detail,
      String hint, String where) {
    StringBuilder fields = new StringBuilder()
        .append("SERROR\0VERROR\0C").append(sqlState).append('\0')
        .append('M').append(message).append('\0');
    if (detail != null) {
      fields.append('D').append(detail).append('\0');
    }
    if (hint != null) {
      fields.append('H').append(hint).append('\0');
    }
    if (where != null) {
      fields.append('W').append(where).append('\0');
    }
    return new PSQLException(new ServerErrorMessage(fields.toString()));
  }
}
