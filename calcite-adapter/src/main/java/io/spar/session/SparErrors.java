package io.spar.session;

import java.sql.SQLException;
import org.apache.calcite.sql.parser.SqlParseException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Errors that Spar raises itself, shaped exactly like PostgreSQL's so that applications read
 * them the same way: a {@link PSQLException} with SQLState, message, detail and hint.
 */
public final class SparErrors {
  /** SQLState of a feature that is not supported. */
  public static final String FEATURE_NOT_SUPPORTED = "0A000";
  /** SQLState of an object that is not in the required state. */
  public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
  /** SQLState of an invalid parameter value. */
  public static final String INVALID_PARAMETER_VALUE = "22023";
  /** SQLState of a reference to a column that does not exist. */
  public static final String UNDEFINED_COLUMN = "42703";
  /** SQLState of a reference to a relation that does not exist. */
  public static final String UNDEFINED_TABLE = "42P01";
  /** SQLState of a null value where none is allowed. */
  public static final String NOT_NULL_VIOLATION = "23502";
  /** SQLState of an invalid text representation. */
  public static final String INVALID_TEXT_REPRESENTATION = "22P02";
  /** SQLState of a syntax error. */
  public static final String SYNTAX_ERROR = "42601";

  private SparErrors() {
  }

  /** Returns an ERROR with {@code sqlState} and {@code message}. */
  public static SQLException error(String sqlState, String message) {
    return error(sqlState, message, null, null);
  }

  /** Returns an ERROR with {@code sqlState}, {@code message}, and optional detail and hint. */
  public static SQLException error(String sqlState, String message, String detail, String hint) {
    StringBuilder fields = new StringBuilder()
        .append("SERROR\0VERROR\0C").append(sqlState).append('\0')
        .append('M').append(message).append('\0');
    if (detail != null) {
      fields.append('D').append(detail).append('\0');
    }
    if (hint != null) {
      fields.append('H').append(hint).append('\0');
    }
    return new PSQLException(new ServerErrorMessage(fields.toString()));
  }

  /**
   * Returns the error for a value that does not convert to a column's type: 22003 when it is
   * out of range, otherwise 22P02, with PostgreSQL's message.
   */
  public static SQLException invalidValue(IllegalArgumentException e) {
    String message = e.getMessage();
    boolean range = message != null && message.contains("out of range");
    return error(range ? "22003" : INVALID_TEXT_REPRESENTATION, message);
  }

  /** Returns a syntax error (42601) for a statement Calcite's parser rejected. */
  public static SQLException syntaxError(SqlParseException e) {
    String token = e.getPos() == null ? null : nearToken(e);
    String message = token == null ? "syntax error"
        : token.equals("<eof>") ? "syntax error at end of input"
        : "syntax error at or near \"" + token + "\"";
    return error(SYNTAX_ERROR, message);
  }

  private static String nearToken(SqlParseException e) {
    String text = e.getMessage();
    int start = text == null ? -1 : text.indexOf("Encountered \"");
    if (start < 0) {
      return null;
    }
    int from = start + "Encountered \"".length();
    int end = text.indexOf('"', from);
    return end < 0 ? null : text.substring(from, end).trim().toLowerCase(java.util.Locale.ROOT);
  }
}
