package io.spar.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for JMH's result file: objects become {@link LinkedHashMap}s, arrays
 * {@link List}s, numbers {@link Double}s, and strings, booleans and null themselves.
 */
final class Json {
  private final String text;
  private int position;

  private Json(String text) {
    this.text = text;
  }

  /**
   * Joins JSON arrays into one, keeping their elements' text as it is: what JMH wrote in several
   * runs ({@code -rf json}, one array per run) becomes one result. Empty texts (a run that wrote
   * nothing) are skipped.
   *
   * @param arrays the texts of JSON arrays
   * @return the text of one array holding their elements in order
   * @throws IllegalArgumentException if a text is not an array
   */
  static String concatArrays(List<String> arrays) {
    StringBuilder out = new StringBuilder("[");
    for (String array : arrays) {
      String text = array.strip();
      if (text.isEmpty()) {
        continue;
      }
      if (!(parse(text) instanceof List<?>)) {
        throw new IllegalArgumentException("not a JSON array: " + text.substring(0,
            Math.min(40, text.length())));
      }
      String elements = text.substring(1, text.length() - 1).strip();
      if (!elements.isEmpty()) {
        out.append(out.length() == 1 ? "\n" : ",\n").append(elements);
      }
    }
    return out.append("\n]\n").toString();
  }

  /** Parses one JSON document. */
  static Object parse(String text) {
    Json json = new Json(text);
    Object value = json.value();
    json.skipSpace();
    if (json.position != text.length()) {
      throw json.error("trailing characters");
    }
    return value;
  }

  private Object value() {
    skipSpace();
    if (position >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(position);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      default:
        if (text.startsWith("true", position)) {
          position += 4;
          return Boolean.TRUE;
        }
        if (text.startsWith("false", position)) {
          position += 5;
          return Boolean.FALSE;
        }
        if (text.startsWith("null", position)) {
          position += 4;
          return null;
        }
        return number();
    }
  }

  private Map<String, Object> object() {
    Map<String, Object> object = new LinkedHashMap<>();
    position++; // {
    skipSpace();
    if (peek() == '}') {
      position++;
      return object;
    }
    while (true) {
      skipSpace();
      String key = string();
      skipSpace();
      expect(':');
      object.put(key, value());
      skipSpace();
      if (peek() == ',') {
        position++;
      } else {
        expect('}');
        return object;
      }
    }
  }

  private List<Object> array() {
    List<Object> array = new ArrayList<>();
    position++; // [
    skipSpace();
    if (peek() == ']') {
      position++;
      return array;
    }
    while (true) {
      array.add(value());
      skipSpace();
      if (peek() == ',') {
        position++;
      } else {
        expect(']');
        return array;
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      if (position >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(position++);
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char escaped = text.charAt(position++);
      switch (escaped) {
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
          position += 4;
        }
        default -> out.append(escaped); // " \ /
      }
    }
  }

  private Double number() {
    int start = position;
    while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0) {
      position++;
    }
    if (start == position) {
      throw error("unexpected character '" + text.charAt(position) + "'");
    }
    return Double.valueOf(text.substring(start, position));
  }

  private void skipSpace() {
    while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
      position++;
    }
  }

  private char peek() {
    return position < text.length() ? text.charAt(position) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    position++;
  }

  private IllegalArgumentException error(String problem) {
    return new IllegalArgumentException("invalid JSON at offset " + position + ": " + problem);
  }
}
