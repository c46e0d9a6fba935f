package io.spar.engine.catalog;

/**
 * PostgreSQL quoting of identifiers and string literals for SQL that Spar generates itself.
 */
public final class SqlQuoting {
  private SqlQuoting() {
  }

  /** Returns {@code identifier} as a double-quoted PostgreSQL identifier. */
  public static String identifier(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /**
   * Returns {@code value} as a PostgreSQL string literal that means the same whatever the
   * session's {@code standard_conforming_strings}: with a backslash in it, an escape string
   * ({@code E'...'}).
   */
  public static String literal(String value) {
    String quoted = "'" + value.replace("'", "''") + "'";
    return value.indexOf('\\') < 0 ? quoted : "E" + quoted.replace("\\", "\\\\");
  }
}
