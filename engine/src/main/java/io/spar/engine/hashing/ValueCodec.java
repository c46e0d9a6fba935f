package io.spar.engine.hashing;

/**
 * Type-specific behaviour behind a {@link PartitionType}: coercion to the canonical Java value, hashing, ordering
 * and the PostgreSQL text form.
 */
interface ValueCodec {

  /** Converts a JDBC/SQL-literal value to the canonical Java value, or throws IllegalArgumentException. */
  Object coerce(Object value);

  /** Computes the PostgreSQL hash of a canonical value. */
  int hash(Object canonical);

  /** Compares two canonical values as PostgreSQL's default btree opclass (C collation for text) would. */
  int compare(Object a, Object b);

  /** Renders a canonical value in PostgreSQL's text output form. */
  String toText(Object canonical);

  /** Builds the error PostgreSQL raises for unparsable input of the given type. */
  static IllegalArgumentException invalidSyntax(String sqlTypeName, Object input) {
    return new IllegalArgumentException("invalid input syntax for type " + sqlTypeName + ": \"" + input + "\"");
  }

  /** Builds the error for a Java type this codec cannot coerce at all. */
  static IllegalArgumentException unsupportedClass(String sqlTypeName, Object input) {
    return new IllegalArgumentException(
        "cannot coerce a value of " + input.getClass().getName() + " to type " + sqlTypeName + ": \"" + input + "\"");
  }

  /** Strips the whitespace C's isspace() accepts around numeric and boolean input. */
  static String trimPgSpace(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isPgSpace(text.charAt(start))) {
      start++;
    }
    while (end > start && isPgSpace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(start, end);
  }

  private static boolean isPgSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000b' || c == '\f';
  }
}
