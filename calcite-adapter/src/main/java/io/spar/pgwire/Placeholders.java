package io.spar.pgwire;

import io.spar.parser.SqlTokens;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's statement text as Spar's sessions take it, which is JDBC's: parameters are
 * {@code $n} on the wire and {@code ?} in JDBC, and a {@code ?} on the wire is an operator
 * (jsonb's {@code ?}, {@code ?|}, {@code ?&}), which JDBC writes {@code ??}.
 */
final class Placeholders {
  /**
   * A statement for the session.
   *
   * @param sql the text with {@code ?} placeholders
   * @param parameters the values in placeholder order
   */
  record Translated(String sql, List<Object> parameters) {
  }

  private Placeholders() {
  }

  /** Returns {@code sql} as JDBC writes it, for describing it: each {@code $n} a {@code ?}. */
  static String describable(String sql) throws SQLException {
    int highest = 0;
    for (SqlTokens.Token each : SqlTokens.of(sql)) {
      if (each.kind() == SqlTokens.Kind.PARAMETER && each.text().startsWith("$")) {
        try {
          highest = Math.max(highest, Integer.parseInt(each.text().substring(1)));
        } catch (NumberFormatException e) {
          throw new SQLException("there is no parameter " + each.text(), "42P02");
        }
      }
    }
    return translate(sql, java.util.Collections.nCopies(highest, null)).sql();
  }

  /**
   * Returns {@code sql} with each {@code $n} made a {@code ?} bound to {@code parameters}'
   * n-th value (a value used twice is bound twice) and each {@code ?} doubled.
   */
  static Translated translate(String sql, List<Object> parameters) throws SQLException {
    if (sql.indexOf('$') < 0 && sql.indexOf('?') < 0) {
      return new Translated(sql, parameters);
    }
    StringBuilder text = new StringBuilder(sql.length() + 8);
    List<Object> bound = new ArrayList<>();
    int copied = 0;
    for (SqlTokens.Token each : SqlTokens.of(sql)) {
      String token = each.text();
      if (token.startsWith("$") && each.kind() == SqlTokens.Kind.PARAMETER) {
        int number;
        try {
          number = Integer.parseInt(token.substring(1));
        } catch (NumberFormatException e) {
          number = Integer.MAX_VALUE;
        }
        if (number < 1 || number > parameters.size()) {
          throw new SQLException("there is no parameter " + token, "42P02");
        }
        text.append(sql, copied, each.start()).append('?');
        bound.add(parameters.get(number - 1));
        copied = each.end();
      } else if (token.startsWith("?")) {
        text.append(sql, copied, each.start()).append(token.replace("?", "??"));
        copied = each.end();
      }
    }
    text.append(sql, copied, sql.length());
    return new Translated(text.toString(), bound);
  }
}
