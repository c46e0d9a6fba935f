package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Plans shard moves over a catalog snapshot: those that even out the placements across the
 * workers ({@code rebalance_table_shards}) and those that empty one ({@code master_drain_node}).
 *
 * <p>Co-located tables move together (see {@link ShardMove}), so each group of co-located
 * tables is planned once, by its first table. Within a group, placements per worker are
 * counted and a placement moves from the fullest worker to the emptiest until the counts differ
 * by at most one; a worker that already holds a placement of a shard never gets another.
 */
public final class RebalancePlanner {
  /** One planned move. */
  public record Move(long shardId, TableName table, NodeAddress source, NodeAddress target) {
  }

  private RebalancePlanner() {
  }

  /**
   * Returns at most {@code maxMoves} moves that even out the placements of {@code table}'s
   * co-location group, or of every table if {@code table} is empty.
   */
  public static List<Move> rebalance(CatalogSnapshot snapshot, Optional<Long> table,
      int maxMoves) {
    List<Move> moves = new ArrayList<>();
    for (DistributedTable group : groups(snapshot, table)) {
      Layout layout = new Layout(snapshot.shardWorkers(), group);
      while (moves.size() < maxMoves) {
        Optional<Move> next = layout.evenOut(group.name());
        if (next.isEmpty()) {
          break;
        }
        moves.add(next.get());
      }
    }
    return moves;
  }

  /**
   * Returns the moves that take every placement off {@code node}, each to the worker of its
   * group with the fewest placements that holds none of the shard.
   *
   * @throws OperationException if some shard has no other worker to go to
   */
  public static List<Move> drain(CatalogSnapshot snapshot, NodeAddress node)
      throws SQLException {
    List<NodeAddress> others = snapshot.shardWorkers().stream().filter(w -> !w.equals(node))
        .toList();
    List<Move> moves = new ArrayList<>();
    for (DistributedTable group : groups(snapshot, Optional.empty())) {
      Layout layout = new Layout(others, group);
      for (Shard shard : group.shards()) {
        if (layout.nodesOf(shard).contains(node)) {
          NodeAddress target = layout.emptiestWithout(shard).orElseThrow(() ->
              new OperationException("55000", "cannot drain " + node + ": every other worker"
                  + " already holds a placement of shard " + shard.id(), null,
                  "Add a worker with master_add_node first."));
          moves.add(new Move(shard.id(), group.name(), node, target));
          layout.place(shard, target);
        }
      }
    }
    return moves;
  }

  /** The first table of each co-location group, of {@code table}'s group only if given. */
  private static List<DistributedTable> groups(CatalogSnapshot snapshot, Optional<Long> table) {
    List<DistributedTable> tables = new ArrayList<>();
    snapshot.tables().forEach(tables::add);
    tables.sort(Comparator.comparingLong(DistributedTable::relationId));
    List<DistributedTable> groups = new ArrayList<>();
    for (DistributedTable each : tables) {
      // A reference table's placements are on every worker; they never move.
      if (each.hasShards() && !each.isReference()
          && groups.stream().noneMatch(g -> g.isCoLocatedWith(each))) {
        groups.add(each);
      }
    }
    if (table.isEmpty()) {
      return groups;
    }
    DistributedTable chosen = snapshot.table(table.get()).orElse(null);
    return groups.stream().filter(g -> g == chosen || g.isCoLocatedWith(chosen)).toList();
  }

  /** Where a group's placements are, updated as moves are planned. */
  private static final class Layout {
    private final Map<NodeAddress, List<Shard>> onNode = new LinkedHashMap<>();
    private final Map<Long, Set<NodeAddress>> nodes = new LinkedHashMap<>();

    Layout(List<NodeAddress> workers, DistributedTable group) {
      workers.forEach(w -> onNode.put(w, new ArrayList<>()));
      for (Shard shard : group.shards()) {
        nodes.put(shard.id(), shard.placements().stream().map(ShardPlacement::node)
            .collect(Collectors.toCollection(HashSet::new)));
        for (ShardPlacement each : shard.finalizedPlacements()) {
          List<Shard> held = onNode.get(each.node());
          if (held != null) {
            held.add(shard);
          }
        }
      }
    }

    Set<NodeAddress> nodesOf(Shard shard) {
      return nodes.get(shard.id());
    }

    /** Plans one move from the fullest worker to the emptiest, if it evens them out. */
    Optional<Move> evenOut(TableName table) {
      if (onNode.size() < 2) {
        return Optional.empty();
      }
      NodeAddress fullest = onNode.keySet().stream()
          .max(Comparator.comparingInt(n -> onNode.get(n).size())).orElseThrow();
      NodeAddress emptiest = onNode.keySet().stream()
          .min(Comparator.comparingInt(n -> onNode.get(n).size())).orElseThrow();
      if (onNode.get(fullest).size() - onNode.get(emptiest).size() <= 1) {
        return Optional.empty();
      }
      for (Shard shard : onNode.get(fullest)) {
        if (!nodesOf(shard).contains(emptiest)) {
          onNode.get(fullest).remove(shard);
          nodesOf(shard).remove(fullest);
          place(shard, emptiest);
          return Optional.of(new Move(shard.id(), table, fullest, emptiest));
        }
      }
      return Optional.empty();
    }

    Optional<NodeAddress> emptiestWithout(Shard shard) {
      return onNode.keySet().stream().filter(n -> !nodesOf(shard).contains(n))
          .min(Comparator.comparingInt(n -> onNode.get(n).size()));
    }

    void place(Shard shard, NodeAddress node) {
      onNode.get(node).add(shard);
      nodesOf(shard).add(node);
    }
  }
}
