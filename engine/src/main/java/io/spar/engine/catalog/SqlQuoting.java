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

  /** Returns {@code value} as a single-quoted PostgreSQL string literal. */
  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
