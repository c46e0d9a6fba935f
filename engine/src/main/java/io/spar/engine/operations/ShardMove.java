package io.spar.engine.operations;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.CatalogStore;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.PlacementState;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.TenantSchemas;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import io.spar.engine.execution.NodePools;
import io.spar.engine.execution.RunningQueries;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.transactions.DistributedTransaction;
import io.spar.engine.transactions.FaultPoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code master_move_shard_placement}: moves a shard's placement, with the placements of the
 * shards co-located with it, from one worker to another while the application runs.
 *
 * <p>With {@link Mode#LOGICAL} the target catches up by PostgreSQL's logical replication (a
 * publication on the source, a subscription on the target) while reads and writes go on. Writes
 * stop only for the switch. With {@link Mode#BLOCK_WRITES} the rows are copied during the
 * switch, for workers without {@code wal_level = logical}.
 *
 * <p>The switch is one distributed transaction, the statement's: the source's shard tables are
 * locked against writes (reads go on), the target is known to hold every committed write, the
 * source's tables are dropped (which waits for the reads in flight), and the catalog moves the
 * placements. The source prepares with the drop, so the catalog change and the drop commit
 * together (recovery finishes either side after a crash), and until the source commits its
 * prepared transaction holds the tables' locks. This is the fence: an engine that still routes
 * by the old catalog finds the old placement locked, then gone (42P01), never writable, and
 * retries with the new catalog.
 *
 * <p>Its progress is recorded as it goes ({@link MoveProgress}). Cancelling the statement
 * (JDBC's {@code cancel}, a PostgreSQL client's cancel request, a query timeout) stops it at its
 * next step or query; the catalog then still names the source, and what the move made on the
 * target is dropped.
 */
final class ShardMove {
  private static final Logger LOG = LoggerFactory.getLogger(ShardMove.class);
  /**
   * First key of the coordinator's move locks ("move" in ASCII); the catalog's view
   * {@code spar_move_progress} shows a move only while its lock is held.
   */
  private static final int MOVE_LOCK_SPACE = 0x6d6f7665;
  /** How often the initial copy's progress is checked. */
  private static final long COPY_POLL_MILLIS = 20;
  /** How often the catch-up is checked while writes wait. */
  private static final long SWITCH_POLL_MILLIS = 2;
  private static final long CATCH_UP_TIMEOUT_MILLIS = 30 * 60 * 1000L;

  /** How the rows reach the target. */
  enum Mode {
    /** Logical replication while the application writes; writes wait for the switch only. */
    LOGICAL,
    /** A copy under a write lock. */
    BLOCK_WRITES;

    /** Parses pg_shard's and Citus's names, {@code null} or {@code 'auto'} for the default. */
    static Optional<Mode> parse(String name) throws SQLException {
      if (name == null || name.equalsIgnoreCase("auto")) {
        return Optional.empty();
      }
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "logical", "force_logical" -> Optional.of(LOGICAL);
        case "block_writes" -> Optional.of(BLOCK_WRITES);
        default -> throw new OperationException("22023", "invalid transfer mode \"" + name
            + "\"", null, "Use 'auto', 'logical' or 'block_writes'.");
      };
    }
  }

  /** The shards that move together, each with its placement on the source. */
  private record Plan(List<Shard> shards, List<ShardPlacement> sources,
      List<DistributedTable> tables) {
    List<TableName> shardNames() {
      return shards.stream().map(Shard::shardName).toList();
    }

    /** Returns the shards' names, by shard id: every move locks them in the same order. */
    String quotedList() {
      return shards.stream().sorted(Comparator.comparingLong(Shard::id))
          .map(shard -> shard.shardName().quoted()).collect(Collectors.joining(", "));
    }

    /**
     * The group's shard of the smallest id, which names its publication, subscription and
     * marker: the same in every process, so that another engine finds what an interrupted
     * move left.
     */
    Shard first() {
      return shards.stream().min(Comparator.comparingLong(Shard::id)).orElseThrow();
    }

    /**
     * The table that claims the target's new shard tables for the move until its switch
     * commits, when it is dropped: one left behind tells {@link MoveLeftovers} that they are
     * a dead move's.
     */
    TableName claim() {
      return new TableName(first().shardName().schema(),
          MoveLeftovers.PREFIX + first().id() + MoveLeftovers.CLAIM);
    }
  }

  private final NodePools pools;
  private final StatementLog log;

  ShardMove(NodePools pools, StatementLog log) {
    this.pools = pools;
    this.log = log;
  }

  /**
   * Moves shard {@code shardId}'s placement on {@code source}, and those of its co-located
   * shards, to {@code target} in {@code transaction}, which must be the implicit transaction
   * of one statement: its commit is the switch. Returns the mode used.
   */
  Mode move(DistributedTransaction transaction, long shardId, NodeAddress source,
      NodeAddress target, String transferMode) throws SQLException {
    if (transaction.isBlock()) {
      throw new OperationException("25001",
          "master_move_shard_placement cannot run inside a transaction block");
    }
    Optional<Mode> requested = Mode.parse(transferMode);
    Connection coordinator = transaction.coordinator(true);
    // Held by the switch's coordinator transaction, so they end when its catalog change
    // commits (or rolls back), not when this method returns: MoveLeftovers, which takes them
    // before it reads the catalog, would otherwise find the target's new shard tables
    // unplaced in the catalog of before the switch, and drop them as a dead move's.
    lockMove(coordinator, shardId);
    Plan plan = plan(CatalogStore.load(coordinator), shardId, source, target);
    // The group's lock too: it guards the objects named after the group (and a move of a
    // co-located shard), which MoveLeftovers removes only once no engine holds it.
    if (plan.first().id() != shardId) {
      lockMove(coordinator, plan.first().id());
    }
    // DDL on the tables would reach the source's shards and not the target's, made from
    // the shell's definition now: it waits until the move commits. Reads and writes do not.
    try (Statement statement = coordinator.createStatement()) {
      statement.execute("LOCK TABLE " + plan.tables().stream()
          .map(t -> t.name().quoted()).collect(Collectors.joining(", "))
          + " IN SHARE UPDATE EXCLUSIVE MODE");
    }
    // A distributed schema's tables all move: a table made in it meanwhile waits, and is
    // then placed where the schema went (taken after the table locks, as its DDL takes them).
    TenantSchemas.lockForMove(coordinator, shardId);
    // The catalog again, under the locks: DDL that ran meanwhile may have changed it.
    plan = plan(CatalogStore.load(coordinator), shardId, source, target);
    RunningQueries running = transaction.running();
    try (Connection from = pools.open(source, "spar move");
        Connection to = pools.open(target, "spar move");
        RunningQueries.Registration cancelsFrom = running.include(from);
        RunningQueries.Registration cancelsTo = running.include(to)) {
      Links links = new Links(from, source, to, target, running, List.of(cancelsFrom,
          cancelsTo));
      Optional<String> noLogical = logicalProblem(from, plan);
      Mode mode = requested.orElse(noLogical.isEmpty() ? Mode.LOGICAL : Mode.BLOCK_WRITES);
      if (mode == Mode.LOGICAL && noLogical.isPresent()) {
        throw new OperationException("55000", "cannot move shard " + shardId
            + " with logical replication: " + noLogical.get(), null,
            "Use transfer_mode 'block_writes'.");
      }
      try (MoveProgress progress = MoveProgress.start(pools, transaction.coordinatorNode(),
          shardId, plan.tables().get(0).name().toString(), source, target,
          mode.name().toLowerCase(Locale.ROOT), plan.shardNames())) {
        move(transaction, coordinator, plan, mode, links, progress);
      }
      return mode;
    }
  }

  /**
   * The move's own connections to the source and the target, outside its transaction, which a
   * cancel of the statement reaches while {@code cancels} are open.
   */
  private record Links(Connection from, NodeAddress source, Connection to, NodeAddress target,
      RunningQueries running, List<RunningQueries.Registration> cancels) {
    /** Ends the cancels' reach, once every cancel under way was delivered. */
    void detach() {
      cancels.forEach(RunningQueries.Registration::close);
    }
  }

  private void move(DistributedTransaction transaction, Connection coordinator, Plan plan,
      Mode mode, Links links, MoveProgress progress) throws SQLException {
    String name = MoveLeftovers.PREFIX + plan.first().id();
    TableName marker = new TableName(plan.first().shardName().schema(),
        name + MoveLeftovers.MARKER);
    cleanUp(plan, links, name, marker);
    long start = System.nanoTime();
    long switchStart = start;
    try {
      run(links.to(), links.target(), plan, ShardDdl.createSchema(plan.claim()));
      run(links.to(), links.target(), plan, "CREATE TABLE " + plan.claim().quoted() + " ()");
      if (mode == Mode.LOGICAL) {
        replicate(coordinator, plan, links, name, marker, progress);
        switchStart = System.nanoTime();
      } else {
        // Made outside the switch's transaction, so that the copy's progress can be measured;
        // a failed move drops them.
        createTargetTables(coordinator, plan, links.to(), links.target(), false);
      }
      links.running().checkCancelled();
      switchOver(transaction, coordinator, plan, links, mode, name, marker, progress);
    } catch (SQLException | RuntimeException e) {
      // A cancel of the statement may be on its way to these connections still; the clean-up's
      // queries wait for it to arrive, then run without it.
      links.detach();
      cleanUpQuietly(plan, links, name, marker);
      throw e;
    }
    long end = System.nanoTime();
    // The write block ends with the statement's commit, a few round trips later.
    LOG.info("moved shards {} from {} to {} ({}): copied in {} ms, writes blocked for {} ms"
        + " before the commit", plan.shards().stream().map(Shard::id).toList(), links.source(),
        links.target(), mode, (switchStart - start) / 1_000_000, (end - switchStart) / 1_000_000);
  }

  /** Takes the coordinator's session lock that lets one move of a shard run at a time. */
  /** Takes the move lock of {@code shardId} until {@code coordinator}'s transaction ends. */
  private static void lockMove(Connection coordinator, long shardId) throws SQLException {
    try (Statement statement = coordinator.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_try_advisory_xact_lock("
            + MOVE_LOCK_SPACE + ", " + (int) shardId + ")")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        throw new OperationException("55P03", "shard " + shardId + " is being moved already");
      }
    }
  }

  /**
   * Takes the move lock of {@code shardId} on {@code connection}, a coordinator session, if no
   * session holds it; returns whether it did.
   */
  static boolean tryLockMove(Connection connection, long shardId) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_try_advisory_lock(" + MOVE_LOCK_SPACE
            + ", " + (int) shardId + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** Releases the move lock of {@code shardId} that {@code connection} took. */
  static void unlockMove(Connection connection, long shardId) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_unlock(" + MOVE_LOCK_SPACE + ", " + (int) shardId
          + ")");
    }
  }

  private static Plan plan(CatalogSnapshot snapshot, long shardId, NodeAddress source,
      NodeAddress target) throws SQLException {
    if (source.equals(target)) {
      throw new OperationException("22023", "shard " + shardId
          + " cannot move to the node it is on");
    }
    if (!snapshot.workers().contains(target)) {
      throw new OperationException("22023", "node " + target + " is not a worker",
          null, "Add it with master_add_node first.");
    }
    for (DistributedTable table : snapshot.tables()) {
      Optional<Shard> found = table.shard(shardId);
      if (found.isPresent() && table.isReference()) {
        throw new OperationException("0A000", "cannot move shard " + shardId + " of reference"
            + " table \"" + table.name().name() + "\"", "Reference tables have a placement on"
            + " every worker.", null);
      }
      if (found.isPresent()) {
        List<Shard> shards = new ArrayList<>();
        List<DistributedTable> tables = new ArrayList<>();
        int index = table.shards().indexOf(found.get());
        // Co-located shards placed on the same nodes move together, so joins stay local.
        for (DistributedTable other : snapshot.tables()) {
          if (other == table || table.isCoLocatedWith(other)
              && nodes(other.shards().get(index)).equals(nodes(found.get()))) {
            shards.add(other.shards().get(index));
            tables.add(other);
          }
        }
        List<ShardPlacement> sources = new ArrayList<>();
        for (Shard each : shards) {
          sources.add(check(each, source, target));
        }
        return new Plan(shards, sources, tables);
      }
    }
    throw new OperationException("XX000", "could not find valid entry for shard " + shardId);
  }

  private static Set<NodeAddress> nodes(Shard shard) {
    return shard.placements().stream().map(ShardPlacement::node).collect(Collectors.toSet());
  }

  private static ShardPlacement check(Shard shard, NodeAddress source, NodeAddress target)
      throws SQLException {
    ShardPlacement from = shard.placements().stream().filter(p -> p.node().equals(source))
        .findFirst().orElseThrow(() -> new OperationException("22000", "could not find"
            + " placement matching " + source + " for shard " + shard.id(), null,
            "Confirm the placement still exists and try again."));
    if (nodes(shard).contains(target)) {
      throw new OperationException("42710", "shard " + shard.id()
          + " already has a placement on " + target);
    }
    if (from.state() != PlacementState.FINALIZED) {
      throw new OperationException("55000", "source placement must be in finalized state");
    }
    return from;
  }

  /**
   * Returns why logical replication cannot carry the shards: the source's WAL level, or a
   * table without a replica identity, whose UPDATE and DELETE the publication would refuse.
   */
  private static Optional<String> logicalProblem(Connection source, Plan plan)
      throws SQLException {
    try (Statement statement = source.createStatement();
        ResultSet rs = statement.executeQuery("SHOW wal_level")) {
      rs.next();
      if (!rs.getString(1).equals("logical")) {
        return Optional.of("wal_level is " + rs.getString(1) + " on the source node");
      }
    }
    try (PreparedStatement ps = source.prepareStatement("SELECT c.relreplident = 'f'"
        + " OR EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid"
        + " AND CASE c.relreplident WHEN 'd' THEN i.indisprimary"
        + " WHEN 'i' THEN i.indisreplident ELSE false END)"
        + " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(?)")) {
      for (TableName each : plan.shardNames()) {
        ps.setString(1, each.quoted());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new OperationException("42P01", "shard table " + each
                + " does not exist on the source node");
          }
          if (!rs.getBoolean(1)) {
            return Optional.of("table " + each + " has no primary key or replica identity");
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Creates the shard tables on the target, complete with constraints and indexes, and
   * subscribes it to a publication of them on the source; returns once the initial copy is
   * done and the target applies the source's changes as they commit.
   */
  private void replicate(Connection coordinator, Plan plan, Links links, String name,
      TableName marker, MoveProgress progress) throws SQLException {
    Connection from = links.from();
    Connection to = links.to();
    NodeAddress source = links.source();
    NodeAddress target = links.target();
    createTargetTables(coordinator, plan, to, target, true);
    run(from, source, plan, "CREATE TABLE " + marker.quoted() + " (n bigint)");
    run(to, target, plan, "CREATE TABLE " + marker.quoted() + " (n bigint)");
    run(from, source, plan, "CREATE PUBLICATION " + SqlQuoting.identifier(name) + " FOR TABLE "
        + plan.quotedList() + ", " + marker.quoted());
    run(to, target, plan, "CREATE SUBSCRIPTION " + SqlQuoting.identifier(name) + " CONNECTION "
        + SqlQuoting.literal(pools.conninfo(source)) + " PUBLICATION "
        + SqlQuoting.identifier(name));
    waitFor(links, to, "the initial copy of shard " + plan.first().id(),
        "SELECT count(*) = " + (plan.shards().size() + 1) + " AND bool_and(r.srsubstate"
            + " IN ('r', 's')) FROM pg_catalog.pg_subscription_rel r JOIN"
            + " pg_catalog.pg_subscription s ON s.oid = r.srsubid WHERE s.subname = "
            + SqlQuoting.literal(name), COPY_POLL_MILLIS);
    progress.phase("catching up");
    FaultPoint.MOVE_COPIED.reach();
    // Catch up with the writes made during the copy before writes are blocked, so that only
    // the last moments' are left to apply while they are.
    awaitMarker(plan, links, marker, 1);
  }

  /** Runs the switch in {@code transaction}; see the class comment. */
  private void switchOver(DistributedTransaction transaction, Connection coordinator, Plan plan,
      Links links, Mode mode, String name, TableName marker, MoveProgress progress)
      throws SQLException {
    NodeAddress source = links.source();
    NodeAddress target = links.target();
    Connection from = transaction.join(source);
    Connection to = transaction.join(target);
    transaction.changed(target);
    // Waits for the writes in flight and keeps new ones out; reads go on.
    lockForSwitch(from, source, plan, links);
    FaultPoint.MOVE_WRITES_BLOCKED.reach();
    if (mode == Mode.LOGICAL) {
      progress.phase("switching");
      catchUp(plan, links, name, marker);
    } else {
      for (Shard each : plan.shards()) {
        long rows = ShardCopy.stream(from, to, each.shardName());
        log.record(target, each.id(), "COPY " + each.shardName().quoted()
            + " FROM STDIN -- " + rows + " rows from " + source);
      }
      for (int i = 0; i < plan.shards().size(); i++) {
        List<String> ddl = shardDdl(coordinator, plan, i);
        for (String each : ddl.subList(1, ddl.size())) {
          run(to, target, plan, each);
        }
      }
      progress.phase("switching");
    }
    addForeignKeys(coordinator, plan, to, target);
    // The target's tables are the move's for good once this commits.
    run(to, target, plan, "DROP TABLE " + plan.claim().quoted());
    // Waits for the reads in flight on the source; with the catalog change in one commit.
    run(from, source, plan, "DROP TABLE " + plan.quotedList());
    transaction.changed(source);
    moveInCatalog(coordinator, plan, target);
  }

  /**
   * Returns once the target has applied every write the source committed before its tables
   * were locked, then drops the subscription, the publication and the markers: nothing more
   * can come.
   */
  private void catchUp(Plan plan, Links links, String name, TableName marker)
      throws SQLException {
    awaitMarker(plan, links, marker, 2);
    run(links.to(), links.target(), plan, "DROP SUBSCRIPTION " + SqlQuoting.identifier(name));
    run(links.from(), links.source(), plan, "DROP PUBLICATION " + SqlQuoting.identifier(name)
        + "; DROP TABLE " + marker.quoted());
    run(links.to(), links.target(), plan, "DROP TABLE " + marker.quoted());
  }

  /**
   * Writes row {@code n} to the marker table on the source and returns once the target has
   * it: a subscription applies transactions in their commit order, so by then the target has
   * every write the source committed before.
   */
  private void awaitMarker(Plan plan, Links links, TableName marker, int n)
      throws SQLException {
    // A walsender sends only flushed WAL: the marker's commit must not wait for the WAL
    // writer (workers may run with synchronous_commit off).
    run(links.from(), links.source(), plan, "SET synchronous_commit = on; INSERT INTO "
        + marker.quoted() + " VALUES (" + n + ")");
    waitFor(links, links.to(), "shard " + plan.first().id() + " to catch up",
        "SELECT EXISTS (SELECT 1 FROM " + marker.quoted() + " WHERE n = " + n + ")",
        SWITCH_POLL_MILLIS);
  }

  private void createTargetTables(Connection coordinator, Plan plan, Connection to,
      NodeAddress target, boolean complete) throws SQLException {
    for (int i = 0; i < plan.shards().size(); i++) {
      TableName shardName = plan.shards().get(i).shardName();
      List<String> ddl = shardDdl(coordinator, plan, i);
      run(to, target, plan, ShardDdl.createSchema(shardName));
      run(to, target, plan, "DROP TABLE IF EXISTS " + shardName.quoted());
      for (String each : complete ? ddl : ddl.subList(0, 1)) {
        run(to, target, plan, each);
      }
    }
  }

  /**
   * Gives the target's shards their tables' foreign keys, once every shard of the move is
   * there: each references the co-located shard that moves with it (a key to a table outside
   * the move has none on the target, and the move fails rather than lose the key).
   */
  private void addForeignKeys(Connection coordinator, Plan plan, Connection to,
      NodeAddress target) throws SQLException {
    for (int i = 0; i < plan.shards().size(); i++) {
      Shard shard = plan.shards().get(i);
      int index = plan.tables().get(i).shards().indexOf(shard);
      for (String each : ShardDdl.foreignKeys(coordinator, plan.tables().get(i).relationId(),
          shard.shardName(), shard.id(), target, referenced -> plan.tables().stream()
              .filter(table -> table.relationId() == referenced).findFirst()
              .map(table -> table.shards().get(index).shardName()).orElse(null))) {
        run(to, target, plan, each);
      }
    }
  }

  private static List<String> shardDdl(Connection coordinator, Plan plan, int index)
      throws SQLException {
    Shard shard = plan.shards().get(index);
    return ShardDdl.createShard(coordinator, plan.tables().get(index).relationId(),
        shard.shardName(), shard.id(), false);
  }

  /**
   * Replaces each source placement with a FINALIZED one on the target, after checking under
   * row locks that the source placements are still FINALIZED where the move found them.
   */
  private static void moveInCatalog(Connection coordinator, Plan plan, NodeAddress target)
      throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement("SELECT shard_state, node_name,"
        + " node_port FROM pgs_distribution_metadata.shard_placement WHERE id = ? FOR UPDATE")) {
      for (ShardPlacement each : plan.sources()) {
        ps.setLong(1, each.id());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || PlacementState.of(rs.getInt(1)) != PlacementState.FINALIZED
              || !new NodeAddress(rs.getString(2), rs.getInt(3)).equals(each.node())) {
            throw new OperationException("40001", "placement " + each.id() + " of shard "
                + each.shardId() + " changed during the move", null, "Retry the move.");
          }
        }
      }
    }
    for (ShardPlacement each : plan.sources()) {
      CatalogStore.deletePlacement(coordinator, each.id());
      CatalogStore.insertPlacement(coordinator, each.shardId(), PlacementState.FINALIZED, target);
    }
  }

  /**
   * Removes what an earlier, interrupted move of the same shards left: its subscription (and
   * with it the replication slot), publication, markers and the target's partial tables. The
   * move lock guarantees no move of these shards is running.
   */
  private void cleanUp(Plan plan, Links links, String name, TableName marker)
      throws SQLException {
    Connection from = links.from();
    Connection to = links.to();
    NodeAddress source = links.source();
    NodeAddress target = links.target();
    if (exists(to, "SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = ?", name)) {
      run(to, target, plan, "ALTER SUBSCRIPTION " + SqlQuoting.identifier(name) + " DISABLE");
      run(to, target, plan, "DROP SUBSCRIPTION " + SqlQuoting.identifier(name));
    }
    if (exists(from, "SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = ?",
        name)) {
      run(from, source, plan, "SELECT pg_catalog.pg_drop_replication_slot("
          + SqlQuoting.literal(name) + ")");
    }
    run(from, source, plan, "DROP PUBLICATION IF EXISTS " + SqlQuoting.identifier(name));
    run(from, source, plan, "DROP TABLE IF EXISTS " + marker.quoted());
    run(to, target, plan, "DROP TABLE IF EXISTS " + marker.quoted());
    run(to, target, plan, "DROP TABLE IF EXISTS " + plan.claim().quoted());
    for (TableName each : plan.shardNames()) {
      // The target holds no placement of these shards (plan checked), so these are partial.
      run(to, target, plan, "DROP TABLE IF EXISTS " + each.quoted());
    }
  }

  private void cleanUpQuietly(Plan plan, Links links, String name, TableName marker) {
    try {
      cleanUp(plan, links, name, marker);
    } catch (SQLException | RuntimeException e) {
      LOG.warn("could not clean up after a failed move of shard {}: {}",
          plan.first().id(), e.getMessage());
    }
  }

  private static boolean exists(Connection connection, String sql, String name)
      throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Polls {@code condition}, a query of one boolean, until it is true or the statement is
   * cancelled.
   */
  private static void waitFor(Links links, Connection connection, String what,
      String condition, long pollMillis) throws SQLException {
    long deadline = System.nanoTime() + CATCH_UP_TIMEOUT_MILLIS * 1_000_000L;
    try (Statement statement = connection.createStatement()) {
      while (true) {
        links.running().checkCancelled();
        try (ResultSet rs = statement.executeQuery(condition)) {
          if (rs.next() && rs.getBoolean(1)) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new OperationException("57014", "gave up waiting for " + what);
        }
        try {
          Thread.sleep(pollMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new OperationException("57014", "interrupted while waiting for " + what);
        }
      }
    }
  }

  /**
   * Takes the write lock on the source's tables. They are locked one after another, and no
   * order suits every writer: a key check locks the referenced table after the referencing
   * one, a cascade the other way round. So a lock that waits long gives way (lock_timeout):
   * the move lets go of what it took and asks again, waiting longer each time but never as
   * long as a writer waits before it looks for a deadlock, so that a writer never becomes the
   * victim of a deadlock with the move.
   */
  private void lockForSwitch(Connection from, NodeAddress source, Plan plan, Links links)
      throws SQLException {
    try (Statement statement = from.createStatement()) {
      long longest;
      try (ResultSet rs = statement.executeQuery("SELECT EXTRACT(epoch FROM"
          + " pg_catalog.current_setting('deadlock_timeout')::interval) * 1000")) {
        rs.next();
        longest = Math.max(5, rs.getLong(1) / 2);
      }
      long timeoutMillis = Math.min(20, longest);
      while (true) {
        statement.execute("SAVEPOINT spar_switch_lock");
        statement.execute("SET LOCAL lock_timeout = " + timeoutMillis);
        try {
          run(from, source, plan, "LOCK TABLE " + plan.quotedList() + " IN EXCLUSIVE MODE");
          statement.execute("SET LOCAL lock_timeout = DEFAULT");
          statement.execute("RELEASE SAVEPOINT spar_switch_lock");
          return;
        } catch (SQLException e) {
          if (!"55P03".equals(e.getSQLState())) {
            throw e;
          }
          statement.execute("ROLLBACK TO SAVEPOINT spar_switch_lock");
          links.running().checkCancelled();
          timeoutMillis = Math.min(timeoutMillis * 2, longest);
        }
      }
    }
  }

  private void run(Connection connection, NodeAddress node, Plan plan, String sql)
      throws SQLException {
    log.record(node, plan.first().id(), sql);
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
