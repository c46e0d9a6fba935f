package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.StatementLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pg_shard's {@code master_copy_shard_placement}: brings an INACTIVE placement of a shard back
 * to FINALIZED by copying the shard from a FINALIZED placement.
 *
 * <p>Writers are kept away for the whole copy by a {@link ShardFence}: the shard's advisory
 * write lock, taken exclusively on the node where writers take it (the first FINALIZED
 * placement, never the INACTIVE target), and a SHARE lock on the source's shard table for the
 * writers that take no advisory lock because the source is the shard's only FINALIZED
 * placement. Both wait for uncommitted writes, so the copy sees every committed write and no
 * write can slip in until the metadata says the target is FINALIZED again.
 *
 * <p>The order of commits is what keeps a crash harmless: the target's table is replaced and
 * filled in one worker transaction, the metadata flips to FINALIZED only after that
 * committed, and the fence is released last. A crash before the metadata commit leaves the
 * placement INACTIVE (a later repair replaces the table again); a crash after it leaves a
 * complete copy, because no writer could run in between.
 *
 * <p>DDL of the table waits for the repair: once its fence is up, it holds SHARE UPDATE
 * EXCLUSIVE on the coordinator's table until the metadata commit, so the target's table, made
 * from the coordinator's definition, cannot miss a change that reached the source only. If
 * DDL holds the table then, the repair fails with 55P03 rather than wait.
 */
public final class PlacementRepair {
  private static final Logger LOG = LoggerFactory.getLogger(PlacementRepair.class);
  private static final String NOT_READY = "55000";

  private final NodePools pools;
  private final MetadataCache metadata;
  private final StatementLog log;

  /** The shard, its two placements and the node where writers take its lock. */
  private record Plan(long relationId, TableName shardName, long shardId, ShardPlacement source,
      ShardPlacement target, NodeAddress lockNode, CatalogSnapshot catalog, int index) {
    /** Returns the shard of table {@code relationId} co-located with the repaired one. */
    TableName coLocated(long relationId) {
      return catalog.table(relationId).filter(table -> table.shards().size() > index)
          .map(table -> table.shardInGroup(index).shardName()).orElse(null);
    }
  }

  /** Creates the repair over an engine's pools, metadata cache and statement log. */
  public PlacementRepair(NodePools pools, MetadataCache metadata, StatementLog log) {
    this.pools = pools;
    this.metadata = metadata;
    this.log = log;
  }

  /**
   * Copies shard {@code shardId} from its FINALIZED placement on {@code source} over its
   * INACTIVE placement on {@code target}, and marks the target FINALIZED.
   *
   * @throws OperationException {@code source placement must be in finalized state} or
   *     {@code target placement must be in inactive state} (55000), or if the shard or one of
   *     the placements does not exist
   */
  public void copyShardPlacement(Connection coordinator, long shardId, NodeAddress source,
      NodeAddress target) throws SQLException {
    if (!coordinator.getAutoCommit()) {
      // The metadata change must commit on its own, after the target's copy has committed.
      throw new OperationException("25001",
          "master_copy_shard_placement cannot run inside a transaction block");
    }
    Plan before = plan(coordinator, shardId, source, target);
    coordinator.setAutoCommit(false);
    try {
      try (ShardFence fence = ShardFence.raise(pools, log, shardId, before.shardName(),
          before.lockNode(), source)) {
        lockTable(coordinator, before);
        // Writers may have changed the placements while the locks were awaited: check again.
        Plan plan = plan(coordinator, shardId, source, target);
        if (!plan.lockNode().equals(before.lockNode())) {
          throw new OperationException("40001", "placements of shard " + shardId
              + " changed while waiting for its lock", null, "Retry the repair.");
        }
        long rows = copy(coordinator, plan, fence.source());
        markFinalized(coordinator, plan);
        fence.release();
        LOG.info("repaired placement of shard {} on {} from {} ({} rows)", shardId, target,
            source, rows);
      }
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(coordinator);
      throw e;
    } finally {
      coordinator.setAutoCommit(true);
    }
  }

  /**
   * Locks the coordinator's table until the target is FINALIZED, so that DDL of it waits: it
   * would reach the source and not the target, whose table is made from the coordinator's
   * definition. Without waiting: DDL under way may hold the table and wait for the fence, and
   * a transaction that holds the shard's lock may run DDL next.
   */
  private static void lockTable(Connection coordinator, Plan plan) throws SQLException {
    String table = plan.catalog().table(plan.relationId()).orElseThrow().name().quoted();
    try (Statement statement = coordinator.createStatement()) {
      statement.execute("LOCK TABLE " + table + " IN SHARE UPDATE EXCLUSIVE MODE NOWAIT");
    } catch (SQLException e) {
      if (!"55P03".equals(e.getSQLState())) {
        throw e;
      }
      throw new OperationException("55P03", "could not lock table " + table + " to repair"
          + " shard " + plan.shardId() + ": DDL of it is under way", null, "Retry the repair"
          + " once it has ended.");
    }
  }

  /** Reads the shard's placements afresh from the coordinator and checks pg_shard's rules. */
  private Plan plan(Connection coordinator, long shardId, NodeAddress source,
      NodeAddress target) throws SQLException {
    // Straight from the catalog, not the cache: another process may have changed a state.
    CatalogSnapshot snapshot = CatalogStore.load(coordinator);
    for (DistributedTable table : snapshot.tables()) {
      Optional<Shard> found = table.shard(shardId);
      if (found.isPresent()) {
        Shard shard = found.get();
        ShardPlacement from = placement(shard, source);
        ShardPlacement to = placement(shard, target);
        checkStates(from.state(), to.state());
        // The source is FINALIZED, so the list is not empty.
        NodeAddress lockNode = shard.finalizedPlacements().get(0).node();
        return new Plan(table.relationId(), shard.shardName(), shardId, from, to, lockNode,
            snapshot, table.shards().indexOf(shard));
      }
    }
    throw new OperationException("42704", "shard " + shardId + " does not exist");
  }

  private static ShardPlacement placement(Shard shard, NodeAddress node) throws SQLException {
    return shard.placements().stream().filter(p -> p.node().equals(node)).findFirst()
        .orElseThrow(() -> new OperationException("22000", "could not find placement matching "
            + node, null, "Confirm the placement still exists and try again."));
  }

  private static void checkStates(PlacementState source, PlacementState target)
      throws SQLException {
    if (source != PlacementState.FINALIZED) {
      throw new OperationException(NOT_READY, "source placement must be in finalized state");
    }
    if (target != PlacementState.INACTIVE) {
      throw new OperationException(NOT_READY, "target placement must be in inactive state");
    }
  }

  /**
   * Replaces the shard table on the target with a copy of the source's, in one target
   * transaction, and returns the number of rows copied.
   */
  private long copy(Connection coordinator, Plan plan, Connection source) throws SQLException {
    NodeAddress sourceNode = plan.source().node();
    NodeAddress targetNode = plan.target().node();
    try (Connection target = pools.open(targetNode)) {
      // A shard made with force_unlogged is unlogged while its coordinator table is not.
      boolean unlogged = isUnlogged(source, plan.shardName());
      List<String> ddl = ShardDdl.createShard(coordinator, plan.relationId(), plan.shardName(),
          plan.shardId(), unlogged);
      target.setAutoCommit(false);
      try {
        run(target, plan, ShardDdl.createSchema(plan.shardName()));
        // CASCADE: keys of other shards on the target that reference this one; they are
        // added again below, once the new table is there.
        run(target, plan, "DROP TABLE IF EXISTS " + plan.shardName().quoted() + " CASCADE");
        // ddl's first statement creates the table; constraints and indexes are built after
        // the load, which is faster than maintaining them row by row and checks them all.
        run(target, plan, ddl.get(0));
        long rows = ShardCopy.stream(source, target, plan.shardName());
        log.record(targetNode, plan.shardId(), "COPY " + plan.shardName().quoted()
            + " FROM STDIN -- " + rows + " rows from " + sourceNode);
        for (String each : ddl.subList(1, ddl.size())) {
          run(target, plan, each);
        }
        // Its foreign keys reference the co-located shards beside it on the target.
        for (String each : ShardDdl.foreignKeys(coordinator, plan.relationId(),
            plan.shardName(), plan.shardId(), plan.target().node(), plan::coLocated)) {
          run(target, plan, each);
        }
        for (String each : referencingKeys(coordinator, plan)) {
          run(target, plan, each);
        }
        target.commit();
        return rows;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(target);
        throw e;
      }
    }
  }

  /**
   * Returns the statements that give the target's FINALIZED shards of other tables, co-located
   * with the repaired one, back their foreign keys to it.
   */
  private static List<String> referencingKeys(Connection coordinator, Plan plan)
      throws SQLException {
    NodeAddress node = plan.target().node();
    List<String> statements = new ArrayList<>();
    for (ShardDdl.ForeignKey key : ShardDdl.foreignKeysTo(coordinator, plan.relationId())) {
      Optional<Shard> referencing = plan.catalog().table(key.relationId())
          .filter(table -> table.shards().size() > plan.index())
          .map(table -> table.shards().get(plan.index()));
      if (referencing.isPresent() && referencing.get().finalizedPlacements().stream()
          .anyMatch(p -> p.node().equals(node))) {
        statements.add(key.onShard(referencing.get().shardName(), referencing.get().id(),
            plan.shardName()));
      }
    }
    return statements;
  }

  private void run(Connection target, Plan plan, String sql) throws SQLException {
    log.record(plan.target().node(), plan.shardId(), sql);
    try (Statement statement = target.createStatement()) {
      statement.execute(sql);
    }
  }

  private static boolean isUnlogged(Connection source, TableName shardName) throws SQLException {
    try (PreparedStatement ps = source.prepareStatement(
        "SELECT relpersistence = 'u' FROM pg_class WHERE oid = to_regclass(?)")) {
      ps.setString(1, shardName.quoted());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new OperationException("42P01", "shard table " + shardName
              + " does not exist on the source node");
        }
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Sets the target FINALIZED and commits {@code coordinator}'s transaction, after checking
   * under row locks that neither placement changed state during the copy.
   */
  private void markFinalized(Connection coordinator, Plan plan) throws SQLException {
    try {
      try (PreparedStatement ps = coordinator.prepareStatement("SELECT shard_state FROM"
          + " pgs_distribution_metadata.shard_placement WHERE id = ? FOR UPDATE")) {
        checkStates(lockedState(ps, plan.source()), lockedState(ps, plan.target()));
      }
      CatalogStore.updatePlacementState(coordinator, plan.target().id(), PlacementState.FINALIZED);
      coordinator.commit();
    } finally {
      metadata.placementsChanged();
    }
  }

  private static PlacementState lockedState(PreparedStatement ps, ShardPlacement placement)
      throws SQLException {
    ps.setLong(1, placement.id());
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new OperationException("22000", "could not find placement matching "
            + placement.node(), null, "Confirm the placement still exists and try again.");
      }
      return PlacementState.of(rs.getInt(1));
    }
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.debug("rollback failed after a failed repair: {}", e.getMessage());
    }
  }
}
