package io.spar.pgwire;

import io.spar.parser.SqlTokens;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command tag PostgreSQL's CommandComplete carries for a statement ({@code SELECT 3},
 * {@code INSERT 0 1}, {@code CREATE TABLE}, …), from the statement's leading words and its
 * row count, since the JDBC results Spar's sessions return do not keep the tag the server sent.
 */
final class CommandTags {
  /** Words between CREATE and the kind of object that the tag leaves out. */
  private static final Set<String> MODIFIERS = Set.of("or", "replace", "temp", "temporary",
      "unlogged", "global", "local", "unique", "recursive", "trusted", "procedural",
      "constraint", "default");
  /** Kinds of object named by two words. */
  private static final Set<String> TWO_WORDS = Set.of("materialized", "foreign", "event",
      "text", "user", "access", "operator");
  private static final Set<String> QUERIES = Set.of("select", "with", "values", "table");

  private CommandTags() {
  }

  /** What a statement's tag depends on, read from its text once. */
  static final class Tag {
    private final List<String> words;
    private final String first;
    private final boolean parenthesized;
    private final String definition;

    private Tag(List<SqlTokens.Token> tokens) {
      this.words = tokens.stream().limit(8)
          .map(t -> t.kind() == SqlTokens.Kind.WORD ? t.text().toLowerCase(Locale.ROOT) : "")
          .toList();
      this.first = words.isEmpty() ? "" : words.get(0);
      this.parenthesized = !tokens.isEmpty() && tokens.get(0).isSymbol("(");
      this.definition = switch (first) {
        case "create", "alter", "drop" -> definitionTag(first, words, tokens);
        default -> null;
      };
    }

    /**
     * Returns the tag of the statement, which returned {@code rows} rows or changed
     * {@code rows} rows; {@code failedBlock} if it ran in a failed transaction block (where
     * COMMIT rolls back).
     */
    String text(long rows, boolean returnedRows, boolean failedBlock) {
      if (parenthesized) {
        return "SELECT " + rows;
      }
      switch (first) {
        case "insert":
          return "INSERT 0 " + rows;
        case "update":
        case "delete":
        case "merge":
        case "copy":
        case "fetch":
        case "move":
          return first.toUpperCase(Locale.ROOT) + " " + rows;
        case "begin":
          return "BEGIN";
        case "start":
          return "START TRANSACTION";
        case "commit":
        case "end":
          return failedBlock ? "ROLLBACK" : second().equals("prepared")
              ? "COMMIT PREPARED" : "COMMIT";
        case "abort":
        case "rollback":
          return second().equals("prepared") ? "ROLLBACK PREPARED" : "ROLLBACK";
        case "prepare":
          return second().equals("transaction") ? "PREPARE TRANSACTION" : "PREPARE";
        case "truncate":
          return "TRUNCATE TABLE";
        case "lock":
          return "LOCK TABLE";
        case "discard":
          return words.size() > 1 ? "DISCARD " + second().toUpperCase(Locale.ROOT) : "DISCARD";
        case "create":
        case "alter":
        case "drop":
          // CREATE TABLE … AS reports its rows.
          return definition == null ? "SELECT " + rows : definition;
        default:
          break;
      }
      if (QUERIES.contains(first) || returnedRows && !first.equals("show")
          && !first.equals("explain")) {
        return "SELECT " + rows;
      }
      return first.toUpperCase(Locale.ROOT);
    }

    private String second() {
      return words.size() > 1 ? words.get(1) : "";
    }
  }

  /** Returns what the tag of a statement with {@code tokens} depends on. */
  static Tag of(List<SqlTokens.Token> tokens) {
    return new Tag(tokens);
  }

  /** Returns whether an AS outside parentheses makes the statement CREATE TABLE … AS. */
  private static boolean asQuery(List<SqlTokens.Token> tokens) {
    int depth = 0;
    for (SqlTokens.Token each : tokens) {
      if (each.isSymbol("(")) {
        depth++;
      } else if (each.isSymbol(")")) {
        depth--;
      } else if (depth == 0 && each.is("as")) {
        return true;
      }
    }
    return false;
  }

  /** Returns the tag of CREATE, ALTER or DROP, or null for CREATE TABLE … AS. */
  private static String definitionTag(String verb, List<String> words,
      List<SqlTokens.Token> tokens) {
    int i = 1;
    while (i < words.size() && MODIFIERS.contains(words.get(i))) {
      i++;
    }
    if (i >= words.size()) {
      return verb.toUpperCase(Locale.ROOT);
    }
    String kind = words.get(i);
    if (TWO_WORDS.contains(kind) && i + 1 < words.size()) {
      kind = kind + " " + words.get(i + 1);
      if (kind.equals("text search") && i + 2 < words.size()) {
        kind = kind + " " + words.get(i + 2);
      }
    }
    if (verb.equals("create") && kind.equals("table") && asQuery(tokens)) {
      return null;
    }
    return (verb + " " + kind).toUpperCase(Locale.ROOT);
  }
}
