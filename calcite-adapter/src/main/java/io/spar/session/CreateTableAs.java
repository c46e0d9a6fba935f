package io.spar.session;

import io.spar.parser.SqlTokens;
import io.spar.parser.SqlTokens.Token;
import java.util.List;
import java.util.Optional;

/**
 * {@code CREATE [TEMP | UNLOGGED] TABLE name [(columns)] … AS query [WITH [NO] DATA]} read by
 * its tokens. When the query reads distributed tables, Spar creates the table from the
 * query's shape on the coordinator ({@code WITH NO DATA}) and fills it with
 * {@code INSERT INTO name query}, which it plans like any INSERT … SELECT.
 *
 * @param table the new table's name as written
 * @param query the query as written
 * @param withData whether the statement fills the table (no {@code WITH NO DATA})
 * @param ifNotExists whether it has {@code IF NOT EXISTS}
 * @param definition the statement without its {@code WITH [NO] DATA}, and with
 *     {@code WITH NO DATA} added
 */
record CreateTableAs(String table, String query, boolean withData, boolean ifNotExists,
    String definition) {

  /** Reads {@code sql}; empty if it is not CREATE TABLE … AS query. */
  static Optional<CreateTableAs> parse(String sql) {
    List<Token> tokens = SqlTokens.of(sql);
    int i = 0;
    if (tokens.isEmpty() || !tokens.get(i++).is("create")) {
      return Optional.empty();
    }
    while (i < tokens.size() && (tokens.get(i).is("global") || tokens.get(i).is("local")
        || tokens.get(i).is("temp") || tokens.get(i).is("temporary")
        || tokens.get(i).is("unlogged"))) {
      i++;
    }
    if (i >= tokens.size() || !tokens.get(i++).is("table")) {
      return Optional.empty();
    }
    boolean ifNotExists = i + 2 < tokens.size() && tokens.get(i).is("if")
        && tokens.get(i + 1).is("not") && tokens.get(i + 2).is("exists");
    if (ifNotExists) {
      i += 3;
    }
    int nameStart = i;
    i = SqlTokens.nameEnd(tokens, i);
    if (i == nameStart) {
      return Optional.empty();
    }
    String table = sql.substring(tokens.get(nameStart).start(), tokens.get(i - 1).end());
    int depth = 0;
    for (; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (token.isSymbol("(")) {
        depth++;
      } else if (token.isSymbol(")")) {
        depth--;
      } else if (depth == 0 && token.is("as") && SqlTokens.startsQuery(tokens, i + 1)) {
        break;
      }
    }
    if (i >= tokens.size()) {
      return Optional.empty();
    }
    int queryStart = i + 1;
    int end = tokens.size();
    if (end > 0 && tokens.get(end - 1).isSymbol(";")) {
      end--;
    }
    boolean withData = true;
    if (end - 2 > queryStart && tokens.get(end - 1).is("data")) {
      if (tokens.get(end - 2).is("with")) {
        end -= 2;
      } else if (tokens.get(end - 2).is("no") && tokens.get(end - 3).is("with")) {
        end -= 3;
        withData = false;
      }
    }
    String query = sql.substring(tokens.get(queryStart).start(), tokens.get(end - 1).end());
    String definition = sql.substring(0, tokens.get(end - 1).end()) + " WITH NO DATA";
    return Optional.of(new CreateTableAs(table, query, withData, ifNotExists, definition));
  }

  private static boolean mentionsInto(String sql) {
    for (int i = 0; i + 4 <= sql.length(); i++) {
      if (sql.regionMatches(true, i, "into", 0, 4)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads {@code SELECT … INTO [TEMP | UNLOGGED] [TABLE] name …} as the CREATE TABLE … AS it
   * stands for; empty if {@code sql} has no such INTO.
   */
  static Optional<CreateTableAs> fromSelectInto(String sql) {
    if (!mentionsInto(sql)) {
      // Every query asks; most have no INTO anywhere, and need not be read token by token.
      return Optional.empty();
    }
    List<Token> tokens = SqlTokens.of(sql);
    int depth = 0;
    int select = -1;
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (token.isSymbol("(")) {
        depth++;
      } else if (token.isSymbol(")")) {
        depth--;
      } else if (depth == 0 && select < 0 && token.is("select")) {
        select = i;
      } else if (depth == 0 && select >= 0 && (token.is("from") || token.is("where")
          || token.is("union") || token.is("group"))) {
        return Optional.empty();
      } else if (depth == 0 && select >= 0 && token.is("into")) {
        int at = i + 1;
        String persistence = "";
        if (at < tokens.size() && (tokens.get(at).is("temp") || tokens.get(at).is("temporary")
            || tokens.get(at).is("unlogged"))) {
          persistence = tokens.get(at++).text() + " ";
        }
        if (at < tokens.size() && tokens.get(at).is("table")) {
          at++;
        }
        int nameStart = at;
        at = SqlTokens.nameEnd(tokens, at);
        if (at == nameStart) {
          return Optional.empty();
        }
        String name = sql.substring(tokens.get(nameStart).start(), tokens.get(at - 1).end());
        String rest = at < tokens.size() ? " " + sql.substring(tokens.get(at).start()) : "";
        String query = sql.substring(0, token.start()).strip() + rest;
        return parse("CREATE " + persistence + "TABLE " + name + " AS " + query);
      }
    }
    return Optional.empty();
  }

}
