package io.spar.commands;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.parser.SqlTokens;
import io.spar.parser.SqlTokens.Token;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code VACUUM} and {@code ANALYZE} of distributed tables. The coordinator runs the statement
 * as written first (its own tables, the shells, PostgreSQL's checks and errors, such as 25001
 * for {@code VACUUM} in a transaction block); then the same command, with the same options and
 * column lists, runs on every FINALIZED placement of each distributed table it names, with the
 * shard's name, or on every worker when it names no table, as PostgreSQL then processes every
 * table of its database.
 */
public final class MaintenanceCommands {
  private static final Set<String> KEYWORDS = Set.of("vacuum", "analyze", "analyse");
  /** The options of the older syntax, written without parentheses before the tables. */
  private static final Set<String> BARE_OPTIONS = Set.of("full", "freeze", "verbose", "analyze",
      "analyse");

  /**
   * One command for a worker: for the placement of shard {@code shardId} there, or for the
   * whole worker when {@code shardId} is null.
   */
  public record ShardCommand(NodeAddress node, Long shardId, String sql) {
  }

  private MaintenanceCommands() {
  }

  /** Returns whether a statement whose first keyword is {@code keyword} is handled here. */
  public static boolean handles(String keyword) {
    return KEYWORDS.contains(keyword);
  }

  /**
   * Returns the commands that carry {@code sql}, which the coordinator has run, to the
   * workers; {@code resolver} resolves table names as the session's search path does.
   */
  public static List<ShardCommand> forShards(String sql, CatalogSnapshot snapshot,
      Function<List<String>, TableName> resolver) throws SQLException {
    List<Token> tokens = new ArrayList<>(SqlTokens.of(sql));
    if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isSymbol(";")) {
      tokens.remove(tokens.size() - 1);
    }
    int i = 1;
    if (i < tokens.size() && tokens.get(i).isSymbol("(")) {
      i = SqlTokens.closing(tokens, i) + 1;
    }
    while (i < tokens.size() && tokens.get(i).kind() == SqlTokens.Kind.WORD
        && BARE_OPTIONS.contains(tokens.get(i).text().toLowerCase(Locale.ROOT))) {
      i++;
    }
    List<ShardCommand> commands = new ArrayList<>();
    if (i >= tokens.size()) {
      String whole = sql.substring(0, tokens.get(tokens.size() - 1).end());
      for (NodeAddress worker : snapshot.workers()) {
        commands.add(new ShardCommand(worker, null, whole));
      }
      return commands;
    }
    String prefix = sql.substring(0, tokens.get(i).start());
    while (i < tokens.size()) {
      int end = SqlTokens.nameEnd(tokens, i);
      if (end == i) {
        break; // not a name: the coordinator accepted it, so it names nothing of Spar's
      }
      List<String> parts = new ArrayList<>();
      for (Token each : tokens.subList(i, end)) {
        if (each.isIdentifier()) {
          parts.add(each.name());
        }
      }
      String columns = "";
      if (end < tokens.size() && tokens.get(end).isSymbol("(")) {
        int close = SqlTokens.closing(tokens, end);
        columns = " " + sql.substring(tokens.get(end).start(), tokens.get(close).end());
        end = close + 1;
      }
      Optional<DistributedTable> table = snapshot.table(resolver.apply(parts));
      if (table.isPresent()) {
        for (Shard shard : table.get().shards()) {
          for (ShardPlacement placement : shard.finalizedPlacements()) {
            commands.add(new ShardCommand(placement.node(), shard.id(),
                prefix + shard.shardName().quoted() + columns));
          }
        }
      }
      i = end < tokens.size() && tokens.get(end).isSymbol(",") ? end + 1 : tokens.size();
    }
    return commands;
  }
}
