package io.spar.outcome;

import io.spar.engine.execution.PgErrors;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.sql.parser.SqlParseException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;

/**
 * Errors that Spar raises itself, shaped exactly like PostgreSQL's so that applications read
 * them the same way: a {@link PSQLException} with SQLState, message, detail and hint.
 */
public final class SparErrors {
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
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
    return PgErrors.error(sqlState, message, detail, hint);
  }

  /**
   * Returns {@code error} with {@code rename} applied to the names PostgreSQL reported (schema,
   * table, column, data type and constraint) and to the double-quoted names in its texts
   * (message, detail, hint, context), and without the position, which points into text the
   * user never sent.
   */
  public static SQLException renamed(PSQLException error, UnaryOperator<String> rename) {
    UnaryOperator<String> quoted = text -> {
      Matcher matcher = QUOTED.matcher(text);
      StringBuilder result = new StringBuilder();
      while (matcher.find()) {
        matcher.appendReplacement(result,
            Matcher.quoteReplacement("\"" + rename.apply(matcher.group(1)) + "\""));
      }
      return matcher.appendTail(result).toString();
    };
    ServerErrorMessage m = error.getServerErrorMessage();
    if (m == null) {
      return error;
    }
    StringBuilder fields = new StringBuilder();
    field(fields, 'S', m.getSeverity(), UnaryOperator.identity());
    field(fields, 'V', m.getSeverity(), UnaryOperator.identity());
    field(fields, 'C', m.getSQLState(), UnaryOperator.identity());
    field(fields, 'M', m.getMessage(), quoted);
    field(fields, 'D', m.getDetail(), quoted);
    field(fields, 'H', m.getHint(), quoted);
    field(fields, 'W', m.getWhere(), quoted);
    field(fields, 's', m.getSchema(), rename);
    field(fields, 't', m.getTable(), rename);
    field(fields, 'c', m.getColumn(), rename);
    field(fields, 'd', m.getDatatype(), rename);
    field(fields, 'n', m.getConstraint(), rename);
    // Where in PostgreSQL's source the error was raised (psql's LOCATION), which names nothing.
    field(fields, 'F', m.getFile(), UnaryOperator.identity());
    field(fields, 'L', m.getLine() > 0 ? Integer.toString(m.getLine()) : null,
        UnaryOperator.identity());
    field(fields, 'R', m.getRoutine(), UnaryOperator.identity());
    PSQLException result = new PSQLException(new ServerErrorMessage(fields.toString()));
    result.setNextException(error.getNextException());
    // The original names the shard, which StalePlacements reads.
    result.initCause(error);
    return result;
  }

  private static void field(StringBuilder fields, char type, String value,
      UnaryOperator<String> rename) {
    if (value != null) {
      fields.append(type).append(rename.apply(value)).append('\0');
    }
  }

  /** Returns a WARNING notice with {@code sqlState} and {@code message}, as pgjdbc reports one. */
  public static SQLWarning warning(String sqlState, String message) {
    return new PSQLWarning(new ServerErrorMessage("SWARNING\0VWARNING\0C" + sqlState + "\0M"
        + message + "\0"));
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
