package io.spar.pgwire;

import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;

/**
 * ErrorResponse and NoticeResponse fields for what Spar reports: PostgreSQL's own fields when
 * the report came from a server (severity, SQLSTATE, message, detail, hint, position, context,
 * schema, table, column, constraint, …), else the SQLException's state and message.
 */
final class ErrorResponses {
  private ErrorResponses() {
  }

  /** Returns the fields of an ERROR for {@code error}. */
  static Map<Character, String> of(SQLException error) {
    ServerErrorMessage server = error instanceof PSQLException psql
        ? psql.getServerErrorMessage() : null;
    if (server != null) {
      return fields(server);
    }
    String state = error.getSQLState() == null || error.getSQLState().length() != 5
        ? "XX000" : error.getSQLState();
    return basic("ERROR", state, error.getMessage() == null ? error.toString()
        : error.getMessage());
  }

  /** Returns the fields of a NOTICE (or WARNING) for {@code warning}. */
  static Map<Character, String> of(SQLWarning warning) {
    ServerErrorMessage server = warning instanceof PSQLWarning psql
        ? psql.getServerErrorMessage() : null;
    if (server != null) {
      return fields(server);
    }
    String state = warning.getSQLState() == null ? "00000" : warning.getSQLState();
    return basic(state.startsWith("01") ? "WARNING" : "NOTICE", state, warning.getMessage());
  }

  /** Returns the fields of a report with only a severity, a state and a message. */
  static Map<Character, String> basic(String severity, String state, String message) {
    Map<Character, String> fields = new LinkedHashMap<>();
    fields.put('S', severity);
    fields.put('V', severity);
    fields.put('C', state);
    fields.put('M', message);
    return fields;
  }

  private static Map<Character, String> fields(ServerErrorMessage server) {
    Map<Character, String> fields = new LinkedHashMap<>();
    fields.put('S', server.getSeverity());
    fields.put('V', server.getSeverity());
    fields.put('C', server.getSQLState());
    fields.put('M', server.getMessage());
    fields.put('D', server.getDetail());
    fields.put('H', server.getHint());
    if (server.getPosition() > 0) {
      fields.put('P', Integer.toString(server.getPosition()));
    }
    if (server.getInternalPosition() > 0) {
      fields.put('p', Integer.toString(server.getInternalPosition()));
      fields.put('q', server.getInternalQuery());
    }
    fields.put('W', server.getWhere());
    fields.put('s', server.getSchema());
    fields.put('t', server.getTable());
    fields.put('c', server.getColumn());
    fields.put('d', server.getDatatype());
    fields.put('n', server.getConstraint());
    fields.put('F', server.getFile());
    if (server.getLine() > 0) {
      fields.put('L', Integer.toString(server.getLine()));
    }
    fields.put('R', server.getRoutine());
    return fields;
  }
}
