package io.spar.pgwire;

import io.spar.parser.SqlTokens;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's statement text as Spar's sessions take it, which is JDBC's: parameters are
 * {@code $n} on the wire and {@code ?} in JDBC, and a {@code ?} on the wire is an operator
 * (jsonb's {@code ?}, {@code ?|}, {@code ?&}), which JDBC writes {@code ??}.
 *
 * @param sql the text with {@code ?} placeholders
 * @param numbers for each {@code ?} in order, the number n of the {@code $n} it stands for
 */
record Placeholders(String sql, int[] numbers) {
  /**
   * Returns the JDBC form of {@code sql}: each {@code $n} a {@code ?} (a parameter used twice is
   * bound twice) and each {@code ?} doubled. Made once per statement from its {@code tokens},
   * bound per execution. In SQL's {@code PREPARE name AS …} ({@code ownParameters}), the
   * {@code $n} are the prepared statement's own, which its EXECUTE binds: they stay.
   */
  static Placeholders of(String sql, List<SqlTokens.Token> tokens, boolean ownParameters) {
    if (sql.indexOf('$') < 0 && sql.indexOf('?') < 0) {
      return new Placeholders(sql, new int[0]);
    }
    StringBuilder text = new StringBuilder(sql.length() + 8);
    List<Integer> numbers = new ArrayList<>();
    int copied = 0;
    for (SqlTokens.Token each : tokens) {
      String token = each.text();
      if (token.startsWith("$") && each.kind() == SqlTokens.Kind.PARAMETER && !ownParameters) {
        int number;
        try {
          number = Integer.parseInt(token.substring(1));
        } catch (NumberFormatException e) {
          number = Integer.MAX_VALUE;
        }
        text.append(sql, copied, each.start()).append('?');
        numbers.add(number);
        copied = each.end();
      } else if (token.startsWith("?")) {
        text.append(sql, copied, each.start()).append(token.replace("?", "??"));
        copied = each.end();
      }
    }
    text.append(sql, copied, sql.length());
    return new Placeholders(text.toString(),
        numbers.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Returns the values of the placeholders, in order, from the {@code $n} values given. */
  List<Object> bind(List<Object> parameters) throws SQLException {
    if (numbers.length == 0) {
      return parameters.isEmpty() ? parameters : List.of();
    }
    List<Object> bound = new ArrayList<>(numbers.length);
    for (int number : numbers) {
      if (number < 1 || number > parameters.size()) {
        throw new SQLException("there is no parameter $" + number, "42P02");
      }
      bound.add(parameters.get(number - 1));
    }
    return bound;
  }

  /** Returns the highest parameter number, which a Describe of the statement binds. */
  int highest() {
    int highest = 0;
    for (int each : numbers) {
      highest = Math.max(highest, each);
    }
    return highest;
  }
}
