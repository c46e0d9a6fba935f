package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.execution.NodePools;
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
 * Carries out a plan of shard moves ({@code rebalance_table_shards}, {@code master_drain_node})
 * one move at a time, recording the plan and each move's progress in
 * {@code pgs_distribution_metadata.rebalance_move}.
 *
 * <p>The plan is written before the first move, and each move is one atomic switch (see
 * {@link ShardMove}). A run cut short, by an error or by its engine being killed, leaves the
 * plan unfinished; the next run resumes it: a move the catalog shows done (it committed just
 * before the kill) is marked done without moving again, one whose shard has left its source is
 * skipped, and the others run. No shard moves twice, and none is lost. One rebalance runs at a
 * time, under a session lock on the coordinator that dies with its engine.
 */
public final class Rebalancer {
  private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
  /** First key of the coordinator's rebalance lock ("rbal" in ASCII). */
  private static final int LOCK_SPACE = 0x7262616c;
  private static final String MOVES = "pgs_distribution_metadata.rebalance_move";

  /** Runs one move as a statement of its own (and its own distributed transaction). */
  @FunctionalInterface
  public interface Mover {
    /** Moves {@code shardId}'s placement from {@code source} to {@code target}. */
    void move(long shardId, NodeAddress source, NodeAddress target, String transferMode)
        throws SQLException;
  }

  /** Plans the moves over the current catalog. */
  @FunctionalInterface
  public interface Planner {
    /** Returns the moves to make over {@code snapshot}. */
    List<RebalancePlanner.Move> plan(CatalogSnapshot snapshot) throws SQLException;
  }

  private final NodePools pools;
  private final NodeAddress coordinatorNode;

  /** Creates a rebalancer that records its plans on the coordinator at {@code coordinatorNode}. */
  public Rebalancer(NodePools pools, NodeAddress coordinatorNode) {
    this.pools = pools;
    this.coordinatorNode = coordinatorNode;
  }

  /**
   * Resumes the unfinished plan if there is one, or else plans with {@code planner} over the
   * current catalog, and carries the plan out with {@code mover}; returns the number of shards
   * moved by this call.
   */
  public int run(Planner planner, String transferMode, Mover mover) throws SQLException {
    try (Connection coordinator = pools.open(coordinatorNode, "spar rebalance")) {
      lock(coordinator);
      Optional<Long> unfinished = unfinishedPlan(coordinator);
      long plan = unfinished.isPresent() ? unfinished.get()
          : record(coordinator, planner.plan(CatalogStore.load(coordinator)), transferMode);
      int moved = 0;
      for (Planned each : moves(coordinator, plan)) {
        if (carryOut(coordinator, plan, each, mover)) {
          moved++;
        }
      }
      return moved;
    }
  }

  /** Returns the moves {@code planner} would make, without making them. */
  public List<RebalancePlanner.Move> plan(Planner planner) throws SQLException {
    try (Connection coordinator = pools.borrowInternal(coordinatorNode)) {
      return planner.plan(CatalogStore.load(coordinator));
    }
  }

  private record Planned(int id, long shardId, NodeAddress source, NodeAddress target,
      String transferMode, String state) {
  }

  private static void lock(Connection coordinator) throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT pg_try_advisory_lock(" + LOCK_SPACE + ", 0)")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        throw new OperationException("55P03", "a rebalance is already running");
      }
    }
  }

  private static Optional<Long> unfinishedPlan(Connection coordinator) throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT plan_id FROM " + MOVES
            + " WHERE state IN ('planned', 'moving', 'failed') ORDER BY plan_id LIMIT 1")) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }

  private static long record(Connection coordinator, List<RebalancePlanner.Move> moves,
      String transferMode) throws SQLException {
    coordinator.setAutoCommit(false);
    try {
      long plan;
      try (Statement statement = coordinator.createStatement();
          ResultSet rs = statement.executeQuery(
              "SELECT nextval('pgs_distribution_metadata.rebalance_plan_id_seq')")) {
        rs.next();
        plan = rs.getLong(1);
      }
      try (PreparedStatement ps = coordinator.prepareStatement("INSERT INTO " + MOVES
          + " (plan_id, move_id, shard_id, table_name, source_name, source_port, target_name,"
          + " target_port, transfer_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        int id = 0;
        for (RebalancePlanner.Move each : moves) {
          ps.setLong(1, plan);
          ps.setInt(2, ++id);
          ps.setLong(3, each.shardId());
          ps.setString(4, each.table().toString());
          ps.setString(5, each.source().host());
          ps.setInt(6, each.source().port());
          ps.setString(7, each.target().host());
          ps.setInt(8, each.target().port());
          ps.setString(9, transferMode);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      coordinator.commit();
      return plan;
    } finally {
      coordinator.setAutoCommit(true);
    }
  }

  private static List<Planned> moves(Connection coordinator, long plan) throws SQLException {
    List<Planned> moves = new ArrayList<>();
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT move_id, shard_id,"
        + " source_name, source_port, target_name, target_port, transfer_mode, state FROM "
        + MOVES + " WHERE plan_id = ? ORDER BY move_id")) {
      ps.setLong(1, plan);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          moves.add(new Planned(rs.getInt(1), rs.getLong(2),
              new NodeAddress(rs.getString(3), rs.getInt(4)),
              new NodeAddress(rs.getString(5), rs.getInt(6)), rs.getString(7),
              rs.getString(8)));
        }
      }
    }
    return moves;
  }

  /** Carries out one planned move unless it is done already; returns whether it moved. */
  private boolean carryOut(Connection coordinator, long plan, Planned move, Mover mover)
      throws SQLException {
    if (move.state().equals("done") || move.state().equals("skipped")) {
      return false;
    }
    Optional<Shard> shard = CatalogStore.load(coordinator).shard(move.shardId());
    boolean onSource = shard.isPresent() && on(shard.get(), move.source());
    boolean onTarget = shard.isPresent() && on(shard.get(), move.target());
    if (onTarget && !onSource) {
      // The move committed, and its engine was killed before it could record so.
      setState(coordinator, plan, move, "done", null, null);
      return false;
    }
    if (!onSource || onTarget) {
      setState(coordinator, plan, move, "skipped", "the shard's placements changed", null);
      return false;
    }
    setState(coordinator, plan, move, "moving", null, size(move.source(), shard.get()));
    try {
      mover.move(move.shardId(), move.source(), move.target(), move.transferMode());
    } catch (SQLException | RuntimeException e) {
      setState(coordinator, plan, move, "failed", e.getMessage(), null);
      throw e;
    }
    setState(coordinator, plan, move, "done", null, null);
    LOG.info("rebalance {}: move {} of shard {} from {} to {} done", plan, move.id(),
        move.shardId(), move.source(), move.target());
    return true;
  }

  private static void setState(Connection coordinator, long plan, Planned move, String state,
      String error, Long bytes) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("UPDATE " + MOVES
        + " SET state = ?, error = ?, bytes = coalesce(?, bytes),"
        + " started = CASE WHEN ? = 'moving' THEN now() ELSE started END,"
        + " finished = CASE WHEN ? IN ('done', 'skipped', 'failed') THEN now() END"
        + " WHERE plan_id = ? AND move_id = ?")) {
      ps.setString(1, state);
      ps.setString(2, error);
      ps.setObject(3, bytes);
      ps.setString(4, state);
      ps.setString(5, state);
      ps.setLong(6, plan);
      ps.setInt(7, move.id());
      ps.executeUpdate();
    }
  }

  /**
   * Returns the size of {@code shard}'s table on {@code node} without its indexes, as a move
   * measures what it copied; null if unknown.
   */
  private Long size(NodeAddress node, Shard shard) {
    try (Connection source = pools.borrowInternal(node);
        PreparedStatement ps = source.prepareStatement(
            "SELECT pg_catalog.pg_table_size(pg_catalog.to_regclass(?))")) {
      ps.setString(1, shard.shardName().quoted());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? (Long) rs.getObject(1) : null;
      }
    } catch (SQLException e) {
      return null;
    }
  }

  private static boolean on(Shard shard, NodeAddress node) {
    return shard.placements().stream().map(ShardPlacement::node).anyMatch(node::equals);
  }
}
