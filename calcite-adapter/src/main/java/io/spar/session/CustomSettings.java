package io.spar.session;

import io.spar.parser.SqlTokens;
import io.spar.parser.SqlTokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the custom settings (dotted names such as {@code app.tenant}) a statement may set,
 * with {@code SET} or with {@code set_config} and a literal name: PostgreSQL does not list them
 * among its settings, so the session must know their names to see whether they hold a value.
 */
final class CustomSettings {
  private CustomSettings() {
  }

  /** Returns the custom setting names {@code sql} may set, folded to lower case. */
  static List<String> named(String sql) {
    List<Token> tokens = SqlTokens.of(sql);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (token.is("set") || token.is("reset")) {
        int at = i + 1;
        if (at < tokens.size() && (tokens.get(at).is("session") || tokens.get(at).is("local"))) {
          at++;
        }
        if (at + 2 < tokens.size() && tokens.get(at).isIdentifier()
            && tokens.get(at + 1).text().equals(".") && tokens.get(at + 2).isIdentifier()) {
          names.add(tokens.get(at).name() + "." + tokens.get(at + 2).name());
        }
      } else if ("set_config".equals(token.name()) && i + 2 < tokens.size()
          && tokens.get(i + 1).text().equals("(")) {
        String literal = tokens.get(i + 2).text();
        if (literal.length() > 2 && literal.startsWith("'") && literal.endsWith("'")
            && literal.contains(".")) {
          names.add(literal.substring(1, literal.length() - 1).replace("''", "'")
              .toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }
}
