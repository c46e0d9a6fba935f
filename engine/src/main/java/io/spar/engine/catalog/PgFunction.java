package io.spar.engine.catalog;

import java.util.List;

/**
 * One overload of a function in the coordinator's {@code pg_proc}: its schema, the type names
 * ({@code pg_type.typname}, such as {@code int4} or {@code _text}) of its declared input
 * arguments and result, its volatility ({@code 'i'}mmutable, {@code 's'}table,
 * {@code 'v'}olatile), its kind ({@code 'f'} function, {@code 'a'} aggregate, {@code 'w'}
 * window, {@code 'p'} procedure), whether its last argument is VARIADIC, and how many of its
 * trailing arguments have defaults ({@code pronargdefaults}).
 */
public record PgFunction(String schema, String name, List<String> argumentTypes,
    String returnType, char volatility, char kind, boolean variadic, int defaults) {

  /** Copies the argument list so that the record stays immutable. */
  public PgFunction {
    argumentTypes = List.copyOf(argumentTypes);
  }

  /** Returns whether PostgreSQL may evaluate the function anywhere with the same result. */
  public boolean isImmutable() {
    return volatility == 'i';
  }

  /** Returns whether the overload is a plain function, neither aggregate nor window. */
  public boolean isScalar() {
    return kind == 'f';
  }

  /**
   * Returns whether a call with {@code count} positional arguments can use this overload, as
   * PostgreSQL counts them: arguments with defaults may be left out, and a VARIADIC last
   * argument takes one or more values.
   */
  public boolean accepts(int count) {
    int declared = argumentTypes.size();
    return count >= declared - defaults && (variadic || count <= declared);
  }
}
