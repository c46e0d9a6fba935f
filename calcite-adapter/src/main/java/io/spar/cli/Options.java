package io.spar.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of a subcommand: {@code --name value} options, {@code --name} switches
 * and positional arguments, in any order.
 */
final class Options {
  private final Map<String, String> values = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  private Options() {
  }

  /**
   * Parses {@code args}.
   *
   * @param withValue names of options that take a value
   * @param switches names of options without a value
   * @throws UsageException for an unknown option or a missing value
   */
  static Options parse(List<String> args, Set<String> withValue, Set<String> switches) {
    Options options = new Options();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (switches.contains(arg)) {
        options.values.put(arg, "true");
      } else if (withValue.contains(arg)) {
        if (i + 1 >= args.size()) {
          throw new UsageException(arg + " needs a value");
        }
        options.values.put(arg, args.get(++i));
      } else if (arg.startsWith("--")) {
        throw new UsageException("unknown option " + arg);
      } else {
        options.positional.add(arg);
      }
    }
    return options;
  }

  /** Returns the value of option {@code name}, or {@code fallback} if it was not given. */
  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /** Returns the value of option {@code name} as an integer, or {@code fallback}. */
  int getInt(String name, int fallback) {
    String value = values.get(name);
    try {
      return value == null ? fallback : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new UsageException(name + " needs a number, not " + value);
    }
  }

  /** Returns whether option or switch {@code name} was given. */
  boolean has(String name) {
    return values.containsKey(name);
  }

  /** Returns the positional arguments in order. */
  List<String> positional() {
    return positional;
  }
}
