package io.spar.commands;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.outcome.SparErrors;
import io.spar.parser.SqlTokens;
import io.spar.parser.SqlTokens.Token;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An {@code ALTER TABLE} or {@code ALTER INDEX} statement read by its tokens, so that it can be
 * written again for each shard: the object becomes the shard's, constraint and index names get
 * the shard id as suffix (as {@code ShardDdl} names them), a referenced table becomes its
 * co-located shard, and defaults the shards do not keep are left off.
 *
 * <p>Every action of the statement is one Spar knows how to carry to the shards, or the
 * statement is refused: an unknown action could leave the shards different from their shell.
 */
final class AlterStatement {
  /** Decisions about column defaults, the same for every shard. */
  interface Defaults {
    /**
     * Returns the SQL literal that replaces the default of column {@code column} added by the
     * statement on the shards (they fill existing rows with it, then drop it), or null if the
     * shards keep the default as written.
     */
    String literal(String column);

    /** Returns whether the shards keep the default the statement sets on {@code column}. */
    boolean kept(String column);
  }

  /** Names as the statement's shard version needs them. */
  interface Shard {
    /** Returns the shard's version of the altered object, quoted and qualified. */
    String object();

    /** Returns the shard id, the suffix of constraint and index names. */
    long id();

    /** Returns the co-located shard of the table written as {@code name}, quoted. */
    String referenced(String name) throws SQLException;
  }

  private enum EditKind { SUFFIX, REFERENCE, DEFAULT }

  /** A change to tokens {@code from} to {@code to} (exclusive) of an action. */
  private record Edit(EditKind kind, int from, int to, String column) {
  }

  /**
   * One action of the statement.
   *
   * @param from its first token
   * @param to the token after its last
   * @param edits the changes its shard version needs
   * @param onShards whether the shards run it at all (identity changes stay on the shell)
   * @param setsDefault the column whose default it sets, or null
   */
  private record Action(int from, int to, List<Edit> edits, boolean onShards,
      String setsDefault) {
  }

  private static final Set<String> TABLE_CONSTRAINTS =
      Set.of("check", "unique", "primary", "foreign", "exclude");
  private static final Set<String> COLUMN_CONSTRAINT_WORDS = Set.of("constraint", "not", "null",
      "check", "unique", "primary", "references", "generated", "collate", "deferrable",
      "initially", "default");
  private static final Set<String> IDENTITY_OPTIONS = Set.of("generated", "increment", "start",
      "minvalue", "maxvalue", "no", "cycle", "cache");
  private static final Set<String> SET_TABLE = Set.of("schema", "logged", "unlogged",
      "tablespace", "without", "access");

  private final String sql;
  private final List<Token> tokens;
  private final int nameFrom;
  private final int nameTo;
  private final String name;
  private final List<Action> actions = new ArrayList<>();
  private final Set<String> addedColumns = new LinkedHashSet<>();
  private final Set<String> addedDefaults = new LinkedHashSet<>();
  private boolean unnamedConstraints;

  private AlterStatement(String sql, List<Token> tokens, int nameFrom, int nameTo) {
    this.sql = sql;
    this.tokens = tokens;
    this.nameFrom = nameFrom;
    this.nameTo = nameTo;
    this.name = sql.substring(tokens.get(nameFrom).start(), tokens.get(nameTo - 1).end());
  }

  /**
   * Reads {@code sql} as {@code ALTER TABLE} or {@code ALTER INDEX} of one object; empty if it
   * has another form (then it concerns no single table: {@code ALTER TABLE ALL IN TABLESPACE}).
   */
  static Optional<AlterStatement> parse(String sql) {
    List<Token> tokens = new ArrayList<>(SqlTokens.of(sql));
    if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isSymbol(";")) {
      tokens.remove(tokens.size() - 1);
    }
    int i = 0;
    if (!is(tokens, i, "alter") || !(is(tokens, i + 1, "table") || is(tokens, i + 1, "index"))) {
      return Optional.empty();
    }
    i += 2;
    if (is(tokens, i, "if") && is(tokens, i + 1, "exists")) {
      i += 2;
    }
    if (is(tokens, i, "only")) {
      i++;
    }
    if (is(tokens, i, "all") && is(tokens, i + 1, "in")) {
      return Optional.empty();
    }
    int nameFrom = i;
    i = SqlTokens.nameEnd(tokens, i);
    if (i == nameFrom) {
      return Optional.empty();
    }
    AlterStatement statement = new AlterStatement(sql, tokens, nameFrom, i);
    if (i < tokens.size() && tokens.get(i).isSymbol("*")) {
      i++;
    }
    int depth = 0;
    int start = i;
    for (; i <= tokens.size(); i++) {
      if (i == tokens.size() || depth == 0 && tokens.get(i).isSymbol(",")) {
        if (i > start) {
          statement.actions.add(statement.action(start, i));
        }
        start = i + 1;
      } else if (tokens.get(i).isSymbol("(")) {
        depth++;
      } else if (tokens.get(i).isSymbol(")")) {
        depth--;
      }
    }
    return Optional.of(statement);
  }

  /** Returns the altered object's name as written. */
  String name() {
    return name;
  }

  /**
   * Returns whether the statement adds constraints without naming them: PostgreSQL names each
   * after its table, so the shards' names must be set afterwards.
   */
  boolean addsUnnamedConstraints() {
    return unnamedConstraints;
  }

  /** Returns the columns the statement adds. */
  Set<String> addedColumns() {
    return addedColumns;
  }

  /** Returns the columns the statement adds with a DEFAULT clause. */
  Set<String> addedDefaults() {
    return addedDefaults;
  }

  /** Returns the columns whose default the statement sets. */
  List<String> setDefaults() {
    return actions.stream().map(Action::setsDefault).filter(c -> c != null).toList();
  }

  /**
   * Throws 0A000 naming the first action Spar cannot carry to the shards of a distributed
   * table or its index ({@code index}).
   */
  void requireSupported(boolean index) throws SQLException {
    for (Action each : actions) {
      if (each.edits() == null || index && !supportedOnIndex(each)) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "ALTER " + (index ? "INDEX"
            : "TABLE") + " … " + text(each.from(), each.to()) + " is not supported for "
            + (index ? "indexes of " : "") + "distributed tables");
      }
    }
  }

  private boolean supportedOnIndex(Action action) {
    String first = word(action.from());
    return first.equals("rename") || first.equals("set") && (is(tokens, action.from() + 1,
        "tablespace") || isSymbol(action.from() + 1, "(")) || first.equals("reset")
        || first.equals("alter");
  }

  /**
   * Returns the statements for {@code shard}: the statement itself, then for each column it
   * added with a default given as a literal the removal of that default (PostgreSQL cannot
   * alter a column in the statement that adds it). Empty if no action reaches the shards.
   */
  List<String> forShard(Shard shard, Defaults defaults) throws SQLException {
    List<String> parts = new ArrayList<>();
    List<String> after = new ArrayList<>();
    String prefix = sql.substring(tokens.get(0).start(), tokens.get(nameFrom).start())
        + shard.object() + sql.substring(tokens.get(nameTo - 1).end(),
        tokens.get(actions.get(0).from()).start());
    for (Action each : actions) {
      if (!each.onShards()) {
        continue;
      }
      if (each.setsDefault() != null && !defaults.kept(each.setsDefault())) {
        parts.add("ALTER COLUMN " + SqlQuoting.identifier(each.setsDefault()) + " DROP DEFAULT");
        continue;
      }
      parts.add(render(each, shard, defaults));
      for (Edit edit : each.edits()) {
        if (edit.kind() == EditKind.DEFAULT && defaults.literal(edit.column()) != null) {
          after.add("ALTER TABLE " + shard.object() + " ALTER COLUMN "
              + SqlQuoting.identifier(edit.column()) + " DROP DEFAULT");
        }
      }
    }
    if (parts.isEmpty()) {
      return List.of();
    }
    List<String> statements = new ArrayList<>();
    statements.add(prefix + String.join(", ", parts));
    statements.addAll(after);
    return statements;
  }

  private String render(Action action, Shard shard, Defaults defaults) throws SQLException {
    StringBuilder out = new StringBuilder();
    int position = tokens.get(action.from()).start();
    for (Edit edit : action.edits()) {
      String replacement = switch (edit.kind()) {
        case SUFFIX -> SqlQuoting.identifier(tokens.get(edit.from()).name() + "_" + shard.id());
        case REFERENCE -> shard.referenced(text(edit.from(), edit.to()));
        case DEFAULT -> defaults.literal(edit.column());
      };
      if (replacement == null) {
        continue;
      }
      out.append(sql, position, tokens.get(edit.from()).start()).append(replacement);
      position = tokens.get(edit.to() - 1).end();
    }
    return out.append(sql, position, tokens.get(action.to() - 1).end()).toString();
  }

  // Reading actions ----------------------------------------------------------------------------

  /** Reads the action in tokens {@code from} to {@code to}; its edits are null if unsupported. */
  private Action action(int from, int to) {
    List<Edit> edits = new ArrayList<>();
    String first = word(from);
    switch (first) {
      case "add":
        return add(from, to, edits);
      case "drop":
        if (is(tokens, from + 1, "constraint")) {
          int at = from + 2;
          if (is(tokens, at, "if") && is(tokens, at + 1, "exists")) {
            at += 2;
          }
          edits.add(suffix(at));
        }
        return new Action(from, to, edits, true, null);
      case "alter":
        return alter(from, to, edits);
      case "rename":
        if (is(tokens, from + 1, "to")) {
          edits.add(suffix(from + 2));
        } else if (is(tokens, from + 1, "constraint")) {
          edits.add(suffix(from + 2));
          edits.add(suffix(from + 4));
        }
        return new Action(from, to, edits, true, null);
      case "validate":
        return new Action(from, to, List.of(suffix(from + 2)), true, null);
      case "attach":
        // A new partition's shards are made as partitions of the shards (PartitionChanges).
        return new Action(from, to, is(tokens, from + 1, "partition") ? edits : null, false,
            null);
      case "detach":
        if (!is(tokens, from + 1, "partition")) {
          return new Action(from, to, null, true, null);
        }
        int end = SqlTokens.nameEnd(tokens, from + 2);
        edits.add(new Edit(EditKind.REFERENCE, from + 2, end, null));
        return new Action(from, to, edits, true, null);
      case "set":
        boolean known = SET_TABLE.contains(word(from + 1)) || isSymbol(from + 1, "(");
        return new Action(from, to, known ? edits : null, true, null);
      case "reset":
        return new Action(from, to, edits, true, null);
      default:
        return new Action(from, to, null, true, null);
    }
  }

  private Action add(int from, int to, List<Edit> edits) {
    int at = from + 1;
    if (is(tokens, at, "constraint")) {
      edits.add(suffix(at + 1));
      constraintNames(at + 2, to, edits);
      return new Action(from, to, edits, true, null);
    }
    if (TABLE_CONSTRAINTS.contains(word(at))) {
      unnamedConstraints = true;
      constraintNames(at, to, edits);
      return new Action(from, to, edits, true, null);
    }
    if (is(tokens, at, "column")) {
      at++;
    }
    if (is(tokens, at, "if") && is(tokens, at + 1, "not") && is(tokens, at + 2, "exists")) {
      at += 3;
    }
    String column = tokens.get(Math.min(at, to - 1)).name();
    addedColumns.add(column);
    int depth = 0;
    boolean named = false;
    for (int i = at + 1; i < to; i++) {
      if (isSymbol(i, "(")) {
        depth++;
      } else if (isSymbol(i, ")")) {
        depth--;
      } else if (depth == 0 && is(tokens, i, "constraint")) {
        edits.add(suffix(++i));
        named = true;
        continue;
      } else if (depth == 0 && is(tokens, i, "references")) {
        int end = SqlTokens.nameEnd(tokens, i + 1);
        edits.add(new Edit(EditKind.REFERENCE, i + 1, end, null));
        unnamedConstraints |= !named;
        i = end - 1;
      } else if (depth == 0 && (is(tokens, i, "check") || is(tokens, i, "unique")
          || is(tokens, i, "primary"))) {
        unnamedConstraints |= !named;
      } else if (depth == 0 && is(tokens, i, "default")) {
        int end = defaultEnd(i + 1, to);
        edits.add(new Edit(EditKind.DEFAULT, i + 1, end, column));
        addedDefaults.add(column);
        i = end - 1;
        continue;
      }
      if (depth == 0 && !is(tokens, i, "not")) {
        named = false;
      }
    }
    return new Action(from, to, edits, true, null);
  }

  /** Adds the edits of a table constraint's referenced table and USING INDEX name. */
  private void constraintNames(int from, int to, List<Edit> edits) {
    for (int i = from; i < to; i++) {
      if (is(tokens, i, "references")) {
        int end = SqlTokens.nameEnd(tokens, i + 1);
        edits.add(new Edit(EditKind.REFERENCE, i + 1, end, null));
        i = end - 1;
      } else if (is(tokens, i, "using") && is(tokens, i + 1, "index")) {
        edits.add(suffix(i + 2));
        i += 2;
      }
    }
  }

  private Action alter(int from, int to, List<Edit> edits) {
    if (is(tokens, from + 1, "constraint")) {
      return new Action(from, to, List.of(suffix(from + 2)), true, null);
    }
    int at = from + 1;
    if (is(tokens, at, "column")) {
      at++;
    }
    String column = tokens.get(Math.min(at, to - 1)).name();
    at++;
    if (is(tokens, at, "set") && is(tokens, at + 1, "default")) {
      return new Action(from, to, edits, true, column);
    }
    boolean identity = is(tokens, at, "add") && is(tokens, at + 1, "generated")
        || is(tokens, at, "drop") && is(tokens, at + 1, "identity")
        || is(tokens, at, "restart")
        || is(tokens, at, "set") && IDENTITY_OPTIONS.contains(word(at + 1));
    return new Action(from, to, edits, !identity, null);
  }

  /** Returns the token after the default expression that starts at {@code from}. */
  private int defaultEnd(int from, int to) {
    int depth = 0;
    for (int i = from; i < to; i++) {
      if (isSymbol(i, "(")) {
        depth++;
      } else if (isSymbol(i, ")")) {
        depth--;
      } else if (depth == 0 && i > from && COLUMN_CONSTRAINT_WORDS.contains(word(i))
          && !(is(tokens, i, "null") && is(tokens, i - 1, "not"))) {
        return i;
      }
    }
    return to;
  }

  private Edit suffix(int token) {
    return new Edit(EditKind.SUFFIX, token, token + 1, null);
  }

  // Tokens --------------------------------------------------------------------------------------

  private String text(int from, int to) {
    return sql.substring(tokens.get(from).start(), tokens.get(to - 1).end());
  }

  private String word(int i) {
    return i < tokens.size() && tokens.get(i).kind() == SqlTokens.Kind.WORD
        ? tokens.get(i).name() : "";
  }

  private boolean isSymbol(int i, String symbol) {
    return i < tokens.size() && tokens.get(i).isSymbol(symbol);
  }

  private static boolean is(List<Token> tokens, int i, String keyword) {
    return i < tokens.size() && tokens.get(i).is(keyword);
  }


  /** Returns decisions from a map of literal defaults and a set of defaults the shards drop. */
  static Defaults of(Map<String, String> literals, Set<String> dropped) {
    return new Defaults() {
      @Override
      public String literal(String column) {
        return literals.get(column);
      }

      @Override
      public boolean kept(String column) {
        return !dropped.contains(column);
      }
    };
  }
}
