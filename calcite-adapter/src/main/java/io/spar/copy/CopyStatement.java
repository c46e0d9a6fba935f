package io.spar.copy;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.outcome.SparErrors;
import io.spar.parser.SqlTokens;
import io.spar.parser.SqlTokens.Token;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code COPY table [(column, …)] FROM STDIN | TO STDOUT [[WITH] (option, …)]} statement
 * read by its tokens, with its options as PostgreSQL's {@code COPY} takes them, both in the
 * parenthesized form and in the older keyword form ({@code CSV HEADER DELIMITER ','}).
 *
 * @param table the table as written
 * @param columns the column names as written, folded; empty for every column
 * @param from whether it copies into the table
 * @param query the query of {@code COPY (query) TO STDOUT}, or null
 * @param options the options by lower-case name, with their values as SQL text (null for a
 *     bare option)
 */
record CopyStatement(String table, List<String> columns, boolean from, String query,
    Map<String, String> options) {

  /** COPY's formats. */
  enum Format { TEXT, CSV, BINARY }

  /** Reads {@code sql}; empty if it is not COPY to or from the client. */
  static Optional<CopyStatement> parse(String sql) throws SQLException {
    List<Token> tokens = new ArrayList<>(SqlTokens.of(sql));
    if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isSymbol(";")) {
      tokens.remove(tokens.size() - 1);
    }
    if (tokens.isEmpty() || !tokens.get(0).is("copy")) {
      return Optional.empty();
    }
    int i = 1;
    String table = null;
    String query = null;
    if (i < tokens.size() && tokens.get(i).isSymbol("(")) {
      int close = SqlTokens.closing(tokens, i);
      query = sql.substring(tokens.get(i + 1).start(), tokens.get(close - 1).end());
      i = close + 1;
    } else {
      int start = i;
      i = SqlTokens.nameEnd(tokens, i);
      if (i == start) {
        return Optional.empty();
      }
      table = sql.substring(tokens.get(start).start(), tokens.get(i - 1).end());
    }
    List<String> columns = new ArrayList<>();
    if (table != null && i < tokens.size() && tokens.get(i).isSymbol("(")) {
      int close = SqlTokens.closing(tokens, i);
      for (int j = i + 1; j < close; j++) {
        if (tokens.get(j).isIdentifier()) {
          columns.add(tokens.get(j).name());
        }
      }
      i = close + 1;
    }
    boolean from;
    if (i + 1 < tokens.size() && tokens.get(i).is("from") && tokens.get(i + 1).is("stdin")) {
      from = true;
    } else if (i + 1 < tokens.size() && tokens.get(i).is("to")
        && tokens.get(i + 1).is("stdout")) {
      from = false;
    } else {
      return Optional.empty();
    }
    i += 2;
    Map<String, String> options = new LinkedHashMap<>();
    if (i < tokens.size() && tokens.get(i).is("with")) {
      i++;
    }
    if (i < tokens.size() && tokens.get(i).isSymbol("(")) {
      int close = SqlTokens.closing(tokens, i);
      int start = i + 1;
      for (int j = start; j <= close; j++) {
        if (j == close || tokens.get(j).isSymbol(",") && depth(tokens, start, j) == 0) {
          if (j > start) {
            String name = tokens.get(start).text().toLowerCase(Locale.ROOT);
            options.put(name, j > start + 1
                ? sql.substring(tokens.get(start + 1).start(), tokens.get(j - 1).end()) : null);
          }
          start = j + 1;
        }
      }
      i = close + 1;
    } else {
      i = legacyOptions(sql, tokens, i, options);
    }
    if (i < tokens.size()) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "Spar cannot read the options"
          + " of this COPY statement", null, "Write them as WITH (option value, …).");
    }
    return Optional.of(new CopyStatement(table, columns, from, query, options));
  }

  private static int legacyOptions(String sql, List<Token> tokens, int from,
      Map<String, String> options) {
    int i = from;
    while (i < tokens.size()) {
      Token token = tokens.get(i);
      if (token.is("binary") || token.is("csv")) {
        options.put("format", token.text().toLowerCase(Locale.ROOT));
      } else if (token.is("header")) {
        options.put("header", "true");
      } else if ((token.is("delimiter") || token.is("null") || token.is("quote")
          || token.is("escape")) && i + 1 < tokens.size()) {
        int value = tokens.get(i + 1).is("as") ? i + 2 : i + 1;
        if (value >= tokens.size()) {
          return i;
        }
        options.put(token.text().toLowerCase(Locale.ROOT), tokens.get(value).text());
        i = value;
      } else {
        return i;
      }
      i++;
    }
    return i;
  }

  /** Returns the format. */
  Format format() throws SQLException {
    String format = options.get("format");
    if (format == null) {
      return Format.TEXT;
    }
    return switch (unquote(format).toLowerCase(Locale.ROOT)) {
      case "text" -> Format.TEXT;
      case "csv" -> Format.CSV;
      case "binary" -> Format.BINARY;
      default -> throw SparErrors.error("22023", "COPY format \"" + unquote(format)
          + "\" not recognized");
    };
  }

  /** Returns whether the input begins with a header line. */
  boolean header() {
    String header = options.get("header");
    if (header == null) {
      return options.containsKey("header");
    }
    String value = unquote(header).toLowerCase(Locale.ROOT);
    return !(value.equals("false") || value.equals("off") || value.equals("0"));
  }

  /** Returns the one-byte option {@code name}, or {@code otherwise} when it is not given. */
  byte singleByte(String name, char otherwise) throws SQLException {
    String value = options.get(name);
    if (value == null) {
      return (byte) otherwise;
    }
    byte[] bytes = unquote(value).getBytes(StandardCharsets.UTF_8);
    if (bytes.length != 1) {
      throw SparErrors.error("0A000", "COPY " + name + " must be a single one-byte character");
    }
    return bytes[0];
  }

  /** Returns the NULL string as bytes, or {@code otherwise} when it is not given. */
  byte[] nullString(String otherwise) {
    String value = options.get("null");
    return (value == null ? otherwise : unquote(value)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns this statement's COPY of {@code table} (quoted) and {@code columns}, with its
   * options but the header, which the shards never see.
   */
  String forShard(String table, List<String> columns) {
    return copyOf(table, columns, false);
  }

  /** Returns this statement's COPY of {@code table} (quoted), with all its options. */
  String of(String table) {
    return copyOf(table, List.of(), true);
  }

  private String copyOf(String table, List<String> columns, boolean withHeader) {
    StringBuilder sql = new StringBuilder("COPY ").append(table);
    if (!columns.isEmpty()) {
      sql.append(" (").append(String.join(", ",
          columns.stream().map(SqlQuoting::identifier).toList())).append(')');
    }
    sql.append(from ? " FROM STDIN" : " TO STDOUT");
    List<String> kept = new ArrayList<>();
    for (Map.Entry<String, String> each : options.entrySet()) {
      if (withHeader || !each.getKey().equals("header")) {
        kept.add(each.getKey() + (each.getValue() == null ? "" : " " + each.getValue()));
      }
    }
    if (!kept.isEmpty()) {
      sql.append(" WITH (").append(String.join(", ", kept)).append(')');
    }
    return sql.toString();
  }

  /** Returns the value of a string literal, or the text of a bare word. */
  private static String unquote(String value) {
    if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
      return value.substring(1, value.length() - 1).replace("''", "'");
    }
    if (value.length() >= 3 && (value.startsWith("E'") || value.startsWith("e'"))) {
      return value.substring(2, value.length() - 1).replace("''", "'").replace("\\t", "\t")
          .replace("\\\\", "\\");
    }
    return value;
  }

  private static int depth(List<Token> tokens, int from, int to) {
    int depth = 0;
    for (int i = from; i < to; i++) {
      if (tokens.get(i).isSymbol("(")) {
        depth++;
      } else if (tokens.get(i).isSymbol(")")) {
        depth--;
      }
    }
    return depth;
  }
}
