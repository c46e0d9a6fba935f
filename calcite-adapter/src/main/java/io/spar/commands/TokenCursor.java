package io.spar.commands;

import io.spar.parser.SqlTokens;
import io.spar.parser.SqlTokens.Token;
import java.util.List;
import java.util.Optional;

/**
 * Position in the tokens of a statement, for reading the few DDL forms whose objects Spar must
 * know: keywords, and names as written ({@code a}, {@code "A"}, {@code s.a}), which
 * PostgreSQL's {@code to_regclass} then resolves.
 */
final class TokenCursor {
  private final List<Token> tokens;
  private int position;

  /** Creates a cursor at the first token of {@code sql}. */
  TokenCursor(String sql) {
    this.tokens = SqlTokens.of(sql);
  }

  /** Returns whether the next tokens are {@code keywords}, and if so moves past them. */
  boolean accept(String... keywords) {
    for (int i = 0; i < keywords.length; i++) {
      if (position + i >= tokens.size() || !tokens.get(position + i).is(keywords[i])) {
        return false;
      }
    }
    position += keywords.length;
    return true;
  }

  /** Returns whether the next token is the punctuation {@code symbol}, moving past it if so. */
  boolean acceptSymbol(String symbol) {
    if (position < tokens.size() && tokens.get(position).kind() == SqlTokens.Kind.OTHER
        && tokens.get(position).text().equals(symbol)) {
      position++;
      return true;
    }
    return false;
  }

  /**
   * Reads a possibly qualified name and returns it as written, dots included, or empty
   * (without moving) if none starts here.
   */
  Optional<String> name() {
    int start = position;
    StringBuilder name = new StringBuilder();
    while (position < tokens.size() && tokens.get(position).isIdentifier()) {
      name.append(tokens.get(position++).text());
      if (!acceptSymbol(".")) {
        return Optional.of(name.toString());
      }
      name.append('.');
    }
    position = start;
    return Optional.empty();
  }

  /** Returns whether only an optional semicolon is left. */
  boolean atEnd() {
    acceptSymbol(";");
    return position >= tokens.size();
  }
}
