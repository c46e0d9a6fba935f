package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.NodePools;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what shard moves killed with their engine left on the workers: subscriptions (which
 * would go on applying into tables no placement names), replication slots (which would keep
 * the source's WAL forever), publications, marker tables, and the target's new shard tables
 * while their claim table says the move never committed.
 *
 * <p>Every object a move makes is named after its group, {@code spar_move_<shard id>}, and the
 * move holds the coordinator's move lock of that shard until its switch commits or rolls back
 * (the coordinator transaction that changes the catalog holds it). A sweep takes that lock
 * before it removes anything of a group, so it never touches a running move, and reads the
 * catalog under it, so a shard table that a committed move made current stays. The engine
 * sweeps when it starts and with its periodic recovery; a move of the same shards also removes
 * what an earlier one left before it starts.
 */
public final class MoveLeftovers {
  private static final Logger LOG = LoggerFactory.getLogger(MoveLeftovers.class);
  /** The start of the names of a move's objects, followed by its group's shard id. */
  static final String PREFIX = "spar_move_";
  /** The end of a move's marker table name, written on both nodes to sequence catch-up. */
  static final String MARKER = "_marker";
  /** The end of a move's claim table name, on the target until the switch commits. */
  static final String CLAIM = "_claim";
  /** How long a terminated walsender may take to release its slot. */
  private static final long SLOT_RELEASE_NANOS = 10_000_000_000L;
  private static final Pattern NAME = Pattern.compile(
      "spar_move_(\\d+)(" + MARKER + "|" + CLAIM + ")?");
  private static final String FIND = "SELECT 'subscription', subname, NULL FROM"
      + " pg_catalog.pg_subscription WHERE subname LIKE 'spar\\_move\\_%'"
      + " AND subdbid = (SELECT oid FROM pg_catalog.pg_database"
      + " WHERE datname = pg_catalog.current_database())"
      + " UNION ALL SELECT 'slot', slot_name, NULL FROM pg_catalog.pg_replication_slots"
      + " WHERE slot_name LIKE 'spar\\_move\\_%'"
      + " UNION ALL SELECT 'publication', pubname, NULL FROM pg_catalog.pg_publication"
      + " WHERE pubname LIKE 'spar\\_move\\_%'"
      + " UNION ALL SELECT 'table', c.relname, n.nspname FROM pg_catalog.pg_class c"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE c.relname LIKE 'spar\\_move\\_%' AND c.relkind = 'r'";

  private final NodePools pools;
  private final NodeAddress coordinatorNode;

  /** Creates a sweeper for the cluster whose coordinator is {@code coordinatorNode}. */
  public MoveLeftovers(NodePools pools, NodeAddress coordinatorNode) {
    this.pools = pools;
    this.coordinatorNode = coordinatorNode;
  }

  /** A move's object found on a node. */
  private record Found(NodeAddress node, String kind, String name, String schema) {
  }

  /**
   * Removes the leftovers of every move that no engine runs now from {@code workers}; returns
   * how many objects it removed. A node that cannot be reached is left for the next sweep.
   */
  public int sweep(List<NodeAddress> workers) throws SQLException {
    Map<Long, List<Found>> groups = new TreeMap<>();
    for (NodeAddress node : workers) {
      try (Connection connection = pools.borrowInternal(node);
          Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery(FIND)) {
        while (rs.next()) {
          Matcher matcher = NAME.matcher(rs.getString(2));
          if (matcher.matches()) {
            groups.computeIfAbsent(Long.parseLong(matcher.group(1)), k -> new ArrayList<>())
                .add(new Found(node, rs.getString(1), rs.getString(2), rs.getString(3)));
          }
        }
      } catch (SQLException e) {
        LOG.debug("could not look for move leftovers on {}: {}", node, e.getMessage());
      }
    }
    int removed = 0;
    if (groups.isEmpty()) {
      return removed;
    }
    try (Connection lock = pools.open(coordinatorNode, "spar move sweep")) {
      for (Map.Entry<Long, List<Found>> group : groups.entrySet()) {
        if (!ShardMove.tryLockMove(lock, group.getKey())) {
          continue;
        }
        try {
          removed += remove(group.getKey(), group.getValue(), CatalogStore.load(lock));
        } finally {
          ShardMove.unlockMove(lock, group.getKey());
        }
      }
    }
    return removed;
  }

  /**
   * Removes group {@code groupId}'s objects {@code found}, the subscription before the slot it
   * streamed from; and on each node with a claim table, the group's shard tables that the
   * catalog {@code snapshot} places nowhere there.
   */
  private int remove(long groupId, List<Found> found, CatalogSnapshot snapshot) {
    int removed = 0;
    List<Found> ordered = new ArrayList<>(found);
    List<String> order = List.of("subscription", "table", "publication", "slot");
    ordered.sort((a, b) -> order.indexOf(a.kind()) - order.indexOf(b.kind()));
    for (Found each : ordered) {
      try (Connection connection = pools.borrowInternal(each.node());
          Statement statement = connection.createStatement()) {
        String name = SqlQuoting.identifier(each.name());
        switch (each.kind()) {
          case "subscription" -> {
            // Without its slot: the source may be gone, and its slot is swept there.
            statement.execute("ALTER SUBSCRIPTION " + name + " DISABLE");
            statement.execute("ALTER SUBSCRIPTION " + name + " SET (slot_name = NONE)");
            statement.execute("DROP SUBSCRIPTION " + name);
          }
          case "slot" -> dropSlot(statement, each.name());
          case "publication" -> statement.execute("DROP PUBLICATION IF EXISTS " + name);
          default -> {
            if (each.name().endsWith(CLAIM)) {
              for (String table : unplaced(groupId, each.node(), snapshot)) {
                statement.execute("DROP TABLE IF EXISTS " + table);
                removed++;
              }
            }
            statement.execute("DROP TABLE IF EXISTS "
                + SqlQuoting.identifier(each.schema()) + "." + name);
          }
        }
        removed++;
        LOG.info("removed {} {} on {}, left by a move that did not finish", each.kind(),
            each.name(), each.node());
      } catch (SQLException e) {
        LOG.warn("could not remove {} {} on {}: {}", each.kind(), each.name(), each.node(),
            e.getMessage());
      }
    }
    return removed;
  }

  /**
   * Drops replication slot {@code name}, ending the walsender that still streams from it for
   * a subscription no move runs (its subscription is dropped first, when it is found).
   */
  private static void dropSlot(Statement statement, String name) throws SQLException {
    String literal = SqlQuoting.literal(name);
    statement.execute("SELECT pg_catalog.pg_terminate_backend(active_pid)"
        + " FROM pg_catalog.pg_replication_slots WHERE slot_name = " + literal
        + " AND active_pid IS NOT NULL");
    long deadline = System.nanoTime() + SLOT_RELEASE_NANOS;
    while (true) {
      try (ResultSet rs = statement.executeQuery("SELECT active FROM"
          + " pg_catalog.pg_replication_slots WHERE slot_name = " + literal)) {
        if (!rs.next()) {
          return;
        }
        if (!rs.getBoolean(1)) {
          break;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new SQLException("replication slot " + name + " stayed active", "55006");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while dropping replication slot " + name, "57014");
      }
    }
    statement.execute("SELECT pg_catalog.pg_drop_replication_slot(" + literal + ")");
  }

  /**
   * Returns the quoted names of the shard tables of group {@code groupId} (its shard and the
   * shards co-located with it) that {@code snapshot} places nowhere on {@code node}.
   */
  private static List<String> unplaced(long groupId, NodeAddress node,
      CatalogSnapshot snapshot) {
    List<String> tables = new ArrayList<>();
    Optional<Shard> first = snapshot.shard(groupId);
    if (first.isEmpty()) {
      return tables;
    }
    DistributedTable owner = null;
    for (DistributedTable each : snapshot.tables()) {
      if (each.shard(groupId).isPresent()) {
        owner = each;
      }
    }
    int index = owner.shards().indexOf(first.get());
    for (DistributedTable each : snapshot.tables()) {
      if (each == owner || owner.isCoLocatedWith(each)) {
        Shard shard = each.shards().get(index);
        if (shard.placements().stream().map(ShardPlacement::node).noneMatch(node::equals)) {
          tables.add(shard.shardName().quoted());
        }
      }
    }
    return tables;
  }
}
