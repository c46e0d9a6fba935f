package io.spar.engine.operations;

import java.sql.SQLException;

/**
 * Error of a distributed-table operation, with PostgreSQL's SQLState and optional hint.
 */
public final class OperationException extends SQLException {
  private static final long serialVersionUID = 1L;

  private final String detail;
  private final String hint;

  /** Creates an error with {@code sqlState} and {@code message}. */
  public OperationException(String sqlState, String message) {
    this(sqlState, message, null, null);
  }

  /** Creates an error with {@code sqlState}, {@code message}, and optional detail and hint. */
  public OperationException(String sqlState, String message, String detail, String hint) {
    super(message, sqlState);
    this.detail = detail;
    this.hint = hint;
  }

  /** Returns PostgreSQL's DETAIL line, or null. */
  public String detail() {
    return detail;
  }

  /** Returns PostgreSQL's HINT line, or null. */
  public String hint() {
    return hint;
  }
}
