package io.spar.parser;

import io.spar.outcome.SparErrors;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tokens of a PostgreSQL statement as far as Spar's statement handling needs them: words,
 * quoted identifiers, parameter markers and single punctuation characters, with comments and
 * whitespace dropped and string literals kept whole, so that a comment or a literal anywhere
 * cannot hide what a statement is or which parameters it has.
 */
public final class SqlTokens {
  /** Kind of a token. */
  public enum Kind {
    /** An unquoted identifier or keyword. */
    WORD,
    /** A double-quoted identifier. */
    QUOTED,
    /** A Unicode-escaped identifier {@code U&"…"}, which Spar does not resolve. */
    UNICODE_QUOTED,
    /** A parameter marker: JDBC's {@code ?} or PostgreSQL's {@code $n}. */
    PARAMETER,
    /** A string literal, dollar-quoted string, number or operator. */
    OTHER
  }

  /**
   * One token.
   *
   * @param kind its kind
   * @param text its text exactly as written
   * @param start the offset of its first character in the statement
   */
  public record Token(Kind kind, String text, int start) {
    /** Returns the offset just after its last character. */
    public int end() {
      return start + text.length();
    }

    /**
     * Returns whether this is the unquoted keyword {@code keyword} (lower case ASCII). Only
     * ASCII letters fold, as in PostgreSQL's keyword lookup; it allocates nothing, since the
     * protocol and planning paths ask it of every token.
     */
    public boolean is(String keyword) {
      if (kind != Kind.WORD || text.length() != keyword.length()) {
        return false;
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if ((c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c) != keyword.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    /** Returns whether this is the punctuation {@code symbol}, such as {@code (} or {@code ,}. */
    public boolean isSymbol(String symbol) {
      return kind == Kind.OTHER && text.equals(symbol);
    }

    /** Returns whether this names something: an unquoted or a quoted identifier. */
    public boolean isIdentifier() {
      return kind == Kind.WORD || kind == Kind.QUOTED;
    }

    /**
     * Returns the name this token denotes, folded as PostgreSQL folds identifiers (an unquoted
     * one to lower case, a quoted one unquoted), or null if it is no identifier.
     */
    public String name() {
      return switch (kind) {
        case WORD -> text.toLowerCase(Locale.ROOT);
        case QUOTED -> text.substring(1, Math.max(1, text.length() - 1)).replace("\"\"", "\"");
        default -> null;
      };
    }
  }

  private final String sql;
  private int position;

  private SqlTokens(String sql) {
    this.sql = sql;
  }

  /**
   * Returns the first keyword, in lower case, of every statement in {@code sql}, which may hold
   * several separated by semicolons.
   */
  public static List<String> statementKeywords(String sql) {
    List<String> keywords = new ArrayList<>();
    boolean first = true;
    for (Token each : of(sql)) {
      if (each.text().equals(";")) {
        first = true;
      } else if (first && !each.text().equals("(")) {
        if (each.kind() == Kind.WORD) {
          keywords.add(each.text().toLowerCase(Locale.ROOT));
        }
        first = false;
      }
    }
    return keywords;
  }

  /**
   * Returns the statements of {@code sql}, which may hold several separated by semicolons, as
   * PostgreSQL's simple query protocol splits them: each from its first token to the last
   * before its semicolon, empty ones left out.
   */
  public static List<String> statements(String sql) {
    List<String> statements = new ArrayList<>();
    int start = -1;
    int end = -1;
    for (Token each : of(sql)) {
      if (each.isSymbol(";")) {
        if (start >= 0) {
          statements.add(sql.substring(start, end));
        }
        start = -1;
      } else {
        start = start < 0 ? each.start() : start;
        end = each.end();
      }
    }
    if (start >= 0) {
      statements.add(sql.substring(start, end));
    }
    return statements;
  }

  private static final Set<String> QUERY_STARTS = Set.of("select", "with", "values", "table");

  /**
   * Returns the index after the possibly qualified name ({@code a}, {@code "A"}, {@code s.a})
   * that starts at {@code from} in {@code tokens}, or {@code from} if none starts there.
   */
  public static int nameEnd(List<Token> tokens, int from) {
    int i = from;
    while (i < tokens.size() && tokens.get(i).isIdentifier()) {
      i++;
      if (i < tokens.size() && tokens.get(i).isSymbol(".")) {
        i++;
      } else {
        return i;
      }
    }
    return from;
  }

  /** Returns whether a query (SELECT, WITH, VALUES, TABLE, maybe parenthesized) starts at i. */
  public static boolean startsQuery(List<Token> tokens, int i) {
    int at = i;
    while (at < tokens.size() && tokens.get(at).isSymbol("(")) {
      at++;
    }
    return at < tokens.size() && tokens.get(at).kind() == Kind.WORD
        && QUERY_STARTS.contains(tokens.get(at).name());
  }

  /**
   * Returns the index of the parenthesis that closes the one at {@code open} in
   * {@code tokens}.
   *
   * @throws SQLException with PostgreSQL's syntax error if it is never closed
   */
  public static int closing(List<Token> tokens, int open) throws SQLException {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      if (tokens.get(i).isSymbol("(")) {
        depth++;
      } else if (tokens.get(i).isSymbol(")") && --depth == 0) {
        return i;
      }
    }
    throw SparErrors.error("42601", "syntax error at end of input");
  }

  /** Returns the tokens of {@code sql}. */
  public static List<Token> of(String sql) {
    return new SqlTokens(sql).all();
  }

  private List<Token> all() {
    List<Token> tokens = new ArrayList<>();
    while (true) {
      skipBlanksAndComments();
      if (position >= sql.length()) {
        return tokens;
      }
      tokens.add(next());
    }
  }

  private void skipBlanksAndComments() {
    while (position < sql.length()) {
      if (Character.isWhitespace(sql.charAt(position))) {
        position++;
      } else if (sql.startsWith("--", position)) {
        int end = sql.indexOf('\n', position);
        position = end < 0 ? sql.length() : end + 1;
      } else if (sql.startsWith("/*", position)) {
        skipBlockComment();
      } else {
        return;
      }
    }
  }

  private void skipBlockComment() {
    int depth = 0; // PostgreSQL's block comments nest
    do {
      if (sql.startsWith("/*", position)) {
        depth++;
        position += 2;
      } else if (sql.startsWith("*/", position)) {
        depth--;
        position += 2;
      } else {
        position++;
      }
    } while (depth > 0 && position < sql.length());
  }

  private Token next() {
    int start = position;
    char c = sql.charAt(position);
    if ((c == 'U' || c == 'u') && sql.startsWith("&\"", position + 1)) {
      position++;
      skipDelimited('"', false);
      return token(Kind.UNICODE_QUOTED, start);
    }
    if ((c == 'E' || c == 'e') && sql.startsWith("'", position + 1)) {
      position++;
      skipDelimited('\'', true);
      return token(Kind.OTHER, start);
    }
    if (isIdentifierStart(c)) {
      while (position < sql.length() && isIdentifierPart(sql.charAt(position))) {
        position++;
      }
      return token(Kind.WORD, start);
    }
    if (c == '"') {
      skipDelimited('"', false);
      return token(Kind.QUOTED, start);
    }
    if (c == '\'') {
      skipDelimited('\'', false);
      return token(Kind.OTHER, start);
    }
    if (c == '$' && position + 1 < sql.length() && Character.isDigit(sql.charAt(position + 1))) {
      do {
        position++;
      } while (position < sql.length() && Character.isDigit(sql.charAt(position)));
      return token(Kind.PARAMETER, start);
    }
    if (c == '$' && skipDollarQuote()) {
      return token(Kind.OTHER, start);
    }
    if (c == '?') {
      // As in pgjdbc, ?? stands for a literal ? (a jsonb operator), not a parameter.
      boolean escaped = sql.startsWith("??", position);
      position += escaped ? 2 : 1;
      return token(escaped ? Kind.OTHER : Kind.PARAMETER, start);
    }
    position++;
    return token(Kind.OTHER, start);
  }

  private Token token(Kind kind, int start) {
    return new Token(kind, sql.substring(start, position), start);
  }

  private void skipDelimited(char quote, boolean backslashEscapes) {
    position++;
    while (position < sql.length()) {
      char c = sql.charAt(position++);
      if (backslashEscapes && c == '\\') {
        position++;
      } else if (c == quote) {
        if (position < sql.length() && sql.charAt(position) == quote) {
          position++; // a doubled quote stands for itself
        } else {
          return;
        }
      }
    }
  }

  /** Skips a {@code $tag$…$tag$} string; returns false if {@code $} starts none. */
  private boolean skipDollarQuote() {
    int end = position + 1;
    while (end < sql.length() && isIdentifierPart(sql.charAt(end)) && sql.charAt(end) != '$') {
      end++;
    }
    if (end >= sql.length() || sql.charAt(end) != '$'
        || (end > position + 1 && Character.isDigit(sql.charAt(position + 1)))) {
      return false;
    }
    String tag = sql.substring(position, end + 1);
    int close = sql.indexOf(tag, end + 1);
    position = close < 0 ? sql.length() : close + tag.length();
    return true;
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
