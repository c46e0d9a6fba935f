package io.spar.router;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.DistributionMethod;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.ShardQuery;
import io.spar.engine.routing.PartitionConstraint;
import io.spar.engine.routing.ShardPruner;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.sql.SqlNode;

/**
 * Planner of router queries: queries whose every distributed table reference prunes to one
 * shard, all co-located, so the whole query runs unchanged on one placement.
 *
 * <p>As in Citus's router planner, co-location means hash tables with identical shard
 * intervals; the shards at the same interval index share their placement nodes. A reference
 * table's one shard joins any shard on a node that holds both.
 */
public final class RouterPlanner {
  private RouterPlanner() {
  }

  /**
   * Returns the single-shard query for {@code references}, all of which name distributed
   * tables, or empty if the query needs more than one shard or cannot be routed.
   *
   * @throws IllegalArgumentException if a partition value has the wrong type for its column
   */
  public static Optional<ShardQuery> plan(List<TableReference> references,
      CatalogSnapshot snapshot, ShardSqlSplicer splicer, List<Object> parameters) {
    List<Shard> chosen = new ArrayList<>();
    List<DistributedTable> tables = new ArrayList<>();
    for (TableReference each : references) {
      DistributedTable table = snapshot.table(each.table()).orElseThrow();
      PartitionConstraint constraint = PartitionPredicates.extract(each, table.partitionColumn());
      List<Shard> shards = ShardPruner.prune(table, constraint, parameters);
      if (shards.size() != 1) {
        return Optional.empty();
      }
      chosen.add(shards.get(0));
      tables.add(table);
    }
    if (!coLocated(tables, chosen)) {
      return Optional.empty();
    }
    List<NodeAddress> nodes = commonNodes(chosen);
    if (nodes.isEmpty()) {
      return Optional.empty();
    }
    Map<SqlNode, Replacement> replacements = new IdentityHashMap<>();
    for (int i = 0; i < references.size(); i++) {
      replacements.put(references.get(i).identifier(),
          Replacement.text(shardReference(references.get(i), chosen.get(i))));
    }
    SplicedSql spliced = splicer.splice(replacements);
    return Optional.of(new ShardQuery(chosen.get(leader(tables)).id(), nodes, spliced.sql(),
        spliced.bind(parameters)));
  }

  /**
   * Returns the index of the table that leads a co-located group: the first that is not a
   * reference table (whose one shard joins any shard), or the first if all are.
   */
  public static int leader(List<DistributedTable> tables) {
    for (int i = 0; i < tables.size(); i++) {
      if (!tables.get(i).isReference()) {
        return i;
      }
    }
    return 0;
  }

  /** Returns the text that replaces a table identifier: the shard, aliased as the table. */
  public static String shardReference(TableReference reference, Shard shard) {
    String shardName = shard.shardName().quoted();
    return reference.alias() != null ? shardName
        : shardName + " AS " + SqlQuoting.identifier(reference.table().name());
  }

  private static boolean coLocated(List<DistributedTable> tables, List<Shard> shards) {
    int leader = leader(tables);
    DistributedTable first = tables.get(leader);
    int index = first.shards().indexOf(shards.get(leader));
    for (int i = 0; i < tables.size(); i++) {
      DistributedTable other = tables.get(i);
      if (i != leader && !other.isReference() && (!sameLayout(first, other)
          || other.shards().indexOf(shards.get(i)) != index)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns whether two tables are co-located: hash-distributed on the same partition type into
   * as many shards, so that their shards at the same index hold the same hash interval, or
   * tables of one distributed schema.
   */
  public static boolean sameLayout(DistributedTable first, DistributedTable other) {
    if (first.isSingleShard() || other.isSingleShard()) {
      return first.isCoLocatedWith(other); // one distributed schema's tables, on its node
    }
    return first.method() == DistributionMethod.HASH
        && other.method() == DistributionMethod.HASH
        && first.shards().size() == other.shards().size()
        && first.partitionType() == other.partitionType();
  }

  /** Returns the nodes that hold a finalized placement of every shard of {@code shards}. */
  public static List<NodeAddress> commonNodes(List<Shard> shards) {
    List<NodeAddress> nodes = new ArrayList<>();
    for (ShardPlacement each : shards.get(0).finalizedPlacements()) {
      nodes.add(each.node());
    }
    for (Shard shard : shards.subList(1, shards.size())) {
      List<NodeAddress> holding = shard.finalizedPlacements().stream()
          .map(ShardPlacement::node).toList();
      nodes.retainAll(holding);
    }
    return nodes;
  }
}
