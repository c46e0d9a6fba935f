package io.spar.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code DROP INDEX [CONCURRENTLY] [IF EXISTS] name [, …] [CASCADE | RESTRICT]} statement.
 *
 * @param concurrently whether it drops without blocking writers
 * @param ifExists whether a missing index is skipped
 * @param names the index names as written, for {@code to_regclass}
 * @param cascade whether objects depending on the indexes are dropped too
 */
record DropIndexStatement(boolean concurrently, boolean ifExists, List<String> names,
    boolean cascade) {

  DropIndexStatement {
    names = List.copyOf(names);
  }

  /** Returns whether {@code sql} starts with {@code DROP INDEX}. */
  static boolean isDropIndex(String sql) {
    return new TokenCursor(sql).accept("drop", "index");
  }

  /** Returns {@code sql} read as DROP INDEX, or empty if it has another form. */
  static Optional<DropIndexStatement> parse(String sql) {
    TokenCursor tokens = new TokenCursor(sql);
    if (!tokens.accept("drop", "index")) {
      return Optional.empty();
    }
    boolean concurrently = tokens.accept("concurrently");
    boolean ifExists = tokens.accept("if", "exists");
    List<String> names = new ArrayList<>();
    do {
      Optional<String> name = tokens.name();
      if (name.isEmpty()) {
        return Optional.empty();
      }
      names.add(name.get());
    } while (tokens.acceptSymbol(","));
    boolean cascade = tokens.accept("cascade");
    if (!cascade) {
      tokens.accept("restrict");
    }
    return tokens.atEnd()
        ? Optional.of(new DropIndexStatement(concurrently, ifExists, names, cascade))
        : Optional.empty();
  }

  /** Returns the statement that drops shard index {@code qualifiedName} on a placement. */
  String onShard(String qualifiedName) {
    return "DROP INDEX " + (concurrently ? "CONCURRENTLY " : "") + "IF EXISTS " + qualifiedName
        + (cascade ? " CASCADE" : "");
  }
}
