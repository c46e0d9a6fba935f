package io.spar.adapter;

import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.parser.SqlParseException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Translation of Calcite's exceptions into errors that read like PostgreSQL's, with its
 * SQLStates; errors that nodes raised pass through unchanged.
 */
final class CalciteErrors {
  private static final Pattern POSITION_PREFIX = Pattern.compile(
      "^(From line \\d+, column \\d+ to line \\d+, column \\d+|At line \\d+, column \\d+): ");
  private static final Pattern OBJECT_NOT_FOUND =
      Pattern.compile("^(?:Object|Table) '([^']*)' not found");
  private static final Pattern COLUMN_NOT_FOUND = Pattern.compile(
      "^(?:Column '([^']*)' not found|The definition of column '([^']*)' depends on itself)");
  private static final Pattern UNKNOWN_FUNCTION =
      Pattern.compile("^No match found for function signature ([^(]*)\\(");
  /** Enumerable code generation meeting an operator only PostgreSQL can evaluate. */
  private static final Pattern UNTRANSLATABLE =
      Pattern.compile("^cannot translate call \"?([^\"(\\s]+)\"?\\(");
  private static final Pattern ENCOUNTERED = Pattern.compile("Encountered \"([^\"]*)\"");
  private static final Pattern CLASS_PREFIX =
      Pattern.compile("^([a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(Exception|Error): ");

  private CalciteErrors() {
  }

  /** Returns the PostgreSQL-style error for {@code failure} raised while running a query. */
  static SQLException translate(Exception failure) {
    SQLException fromNode = nodeError(failure);
    if (fromNode != null) {
      return fromNode;
    }
    LockingNotSupportedException locking = find(failure, LockingNotSupportedException.class);
    if (locking != null) {
      return lockingNotSupported(locking);
    }
    SqlParseException parse = find(failure, SqlParseException.class);
    if (parse != null) {
      return syntaxError(parse);
    }
    String message = innermostMessage(failure);
    return classify(message, failure);
  }

  /**
   * Returns the 0A000 error, with detail and hint, of a query with locking clauses that Calcite
   * would have had to plan.
   */
  static SQLException lockingNotSupported(LockingNotSupportedException refusal) {
    // As PostgreSQL's own errors are: a PSQLException built from the fields of an ERROR.
    String fields = "SERROR\0VERROR\0C0A000\0M" + refusal.getMessage()
        + "\0DSpar locks rows only in a query that runs unchanged on one shard; this one reads"
        + " more than one shard, or tables that are not distributed too.\0HAdd an equality"
        + " filter on the distribution column of each distributed table so that the query reads"
        + " one shard.\0";
    return new PSQLException(new ServerErrorMessage(fields));
  }

  /** Returns the first error in the chain that carries a SQLState: a node's or the pruner's. */
  private static SQLException nodeError(Throwable failure) {
    for (Throwable each = failure; each != null; each = each.getCause()) {
      if (each instanceof SQLException sql && sql.getSQLState() != null
          && !sql.getClass().getName().startsWith("org.apache.calcite")) {
        return sql;
      }
      if (each.getCause() == each) {
        break;
      }
    }
    return null;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable each = failure; each != null; each = each.getCause()) {
      if (type.isInstance(each)) {
        return type.cast(each);
      }
      if (each.getCause() == each) {
        break;
      }
    }
    return null;
  }

  private static SQLException syntaxError(SqlParseException parse) {
    Matcher token = ENCOUNTERED.matcher(String.valueOf(parse.getMessage()));
    String near = token.find() ? token.group(1).trim() : null;
    String message = near == null || near.isEmpty() || near.equals("<EOF>")
        ? "syntax error at end of input" : "syntax error at or near \"" + near + "\"";
    return new SQLException(message, "42601", parse);
  }

  /** Returns the message of the validator's error, or of the deepest cause with one. */
  private static String innermostMessage(Throwable failure) {
    CalciteContextException context = find(failure, CalciteContextException.class);
    if (context != null && context.getCause() != null
        && context.getCause().getMessage() != null) {
      return context.getCause().getMessage();
    }
    String result = failure.getMessage();
    for (Throwable each = failure; each != null && each.getCause() != each;
        each = each.getCause()) {
      if (each.getMessage() != null) {
        result = each.getMessage();
      }
    }
    return result == null ? failure.getClass().getSimpleName() : result;
  }

  private static SQLException classify(String raw, Throwable cause) {
    String message = CLASS_PREFIX.matcher(POSITION_PREFIX.matcher(raw).replaceFirst(""))
        .replaceFirst("");
    Matcher m = OBJECT_NOT_FOUND.matcher(message);
    if (m.find()) {
      return new SQLException("relation \"" + m.group(1) + "\" does not exist", "42P01", cause);
    }
    m = COLUMN_NOT_FOUND.matcher(message);
    if (m.find()) {
      String column = m.group(1) != null ? m.group(1) : m.group(2);
      return new SQLException("column \"" + column + "\" does not exist", "42703", cause);
    }
    m = UNTRANSLATABLE.matcher(message);
    if (m.find()) {
      return new SQLException("function " + m.group(1) + " cannot be evaluated across shards"
          + " here: Spar runs it only inside a shard's query, where its arguments come from"
          + " one row, not from an aggregate, join or subquery result", "0A000", cause);
    }
    m = UNKNOWN_FUNCTION.matcher(message);
    if (m.find()) {
      return new SQLException("function " + m.group(1).toLowerCase(Locale.ROOT)
          + " does not exist", "42883", cause);
    }
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("division by zero") || lower.contains("/ by zero")) {
      return new SQLException("division by zero", "22012", cause);
    }
    if (cause instanceof NumberFormatException || find(cause, NumberFormatException.class) != null) {
      return new SQLException("invalid input syntax: " + message, "22P02", cause);
    }
    return new SQLException(message, "42000", cause);
  }
}
