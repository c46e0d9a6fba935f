package io.spar.engine.transactions;

import io.spar.engine.catalog.MetadataCache;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.ReadScope;
import io.spar.engine.execution.RunningQueries;
import io.spar.engine.execution.SessionConnections;
import io.spar.engine.execution.ValueForm;
import io.spar.engine.execution.StatementLog;
import io.spar.engine.execution.WorkerSettings;
import io.spar.engine.execution.WriteScope;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * One session's transaction across the coordinator and worker nodes: a whole transaction block,
 * or the implicit transaction of one statement in autocommit mode.
 *
 * <p>The transaction opens lazily on each node it touches ("joins" the node): the session's
 * connection to the node begins a transaction with the transaction's {@link TransactionMode},
 * replays the savepoints the transaction has set so far (so that rolling back to one undoes
 * everything done on a node joined later, as Citus does), and, once a second node joins, takes
 * the transaction's {@link TransactionTag} lock on every node it is open on, so that the
 * deadlock detector can link its backends.
 *
 * <p>It commits with one-phase commit when at most one node holds writes and nothing else must
 * change with them, otherwise with {@link TwoPhaseCommit}. Nodes that were only read are
 * committed first; their commit cannot lose anything. Replicated writes and placement failures
 * always take two-phase commit, so that a failed placement is marked INACTIVE atomically with
 * the commit decision.
 */
public final class DistributedTransaction implements WriteScope, ReadScope {
  private final SessionConnections connections;
  private final TwoPhaseCommit twoPhaseCommit;
  private final StatementLog log;
  private final boolean block;
  private TransactionMode mode;
  /** Open savepoints, oldest first, with names folded as PostgreSQL folds identifiers. */
  private final List<String> savepoints = new ArrayList<>();
  /** Nodes the transaction is open on, with whether they hold its tag lock. */
  private final Map<NodeAddress, Boolean> participants = new LinkedHashMap<>();
  private final Map<NodeAddress, List<ShardPlacement>> written = new LinkedHashMap<>();
  private final Set<NodeAddress> failedNodes = new HashSet<>();
  private final List<ShardPlacement> failed = new ArrayList<>();
  private final Set<Long> shards = new HashSet<>();
  /** The FINALIZED placements every write of each written shard was routed to. */
  private final Map<Long, Set<Long>> routing = new HashMap<>();
  private TransactionTag tag;
  private boolean spansShards;
  private boolean replicated;
  private SQLException firstNodeFailure;

  private DistributedTransaction(SessionConnections connections, TwoPhaseCommit twoPhaseCommit,
      StatementLog log, TransactionMode mode, boolean block) {
    this.connections = connections;
    this.twoPhaseCommit = twoPhaseCommit;
    this.log = log;
    this.mode = mode;
    this.block = block;
  }

  /**
   * Creates a transaction in {@code mode}: a transaction block if {@code block}, otherwise the
   * implicit transaction of one statement. Its commit sends each phase to every node at once,
   * on {@code threads}.
   */
  public static DistributedTransaction begin(SessionConnections connections, StatementLog log,
      MetadataCache cache, TransactionIds ids, Executor threads, TransactionMode mode,
      boolean block) {
    return new DistributedTransaction(connections,
        new TwoPhaseCommit(connections, log, cache, ids, threads), log, mode, block);
  }

  /**
   * Returns a coordinator connection outside this transaction, which reads the catalog as it
   * is committed now; the caller closes it.
   */
  public Connection catalogConnection() throws SQLException {
    return connections.pools().borrowInternal(connections.coordinatorNode());
  }

  /** Returns the coordinator's address. */
  public NodeAddress coordinatorNode() {
    return connections.coordinatorNode();
  }

  /** Returns whether this is a transaction block rather than one statement's transaction. */
  public boolean isBlock() {
    return block;
  }

  /** Returns the transaction's characteristics. */
  public TransactionMode mode() {
    return mode;
  }

  /** Returns the tag of the transaction, if it spans several nodes; else null. */
  public TransactionTag tag() {
    return tag;
  }

  /** Returns whether the transaction is open on any node. */
  public boolean hasParticipants() {
    return !participants.isEmpty();
  }

  /**
   * Changes the transaction's characteristics to {@code newMode}: nodes it joins later begin in
   * it, and nodes it is open on run {@code setTransaction} (the {@code SET TRANSACTION} of the
   * changed modes only, or null if nothing is left to send). The caller has checked
   * PostgreSQL's rules for changing them mid-transaction.
   */
  public void changeMode(TransactionMode newMode, String setTransaction) throws SQLException {
    if (setTransaction != null) {
      forEachParticipant(setTransaction);
    }
    mode = newMode;
  }

  /**
   * Returns whether the coordinator's part of the transaction has written anything, which
   * decides whether it must commit atomically with the workers.
   */
  public boolean coordinatorHasWrites() throws SQLException {
    if (!participants.containsKey(connections.coordinatorNode())) {
      return false;
    }
    try (Statement statement = connections.coordinator().createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT pg_current_xact_id_if_assigned() IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  // Joining nodes -------------------------------------------------------------------------------

  @Override
  public Connection join(NodeAddress node) throws SQLException {
    Connection connection = connections.forStatement(node);
    if (participants.containsKey(node)) {
      return connection;
    }
    List<String> setup = new ArrayList<>();
    if (!mode.isDefault()) {
      setup.add(mode.setTransactionSql());
    }
    boolean tagged = !participants.isEmpty() && (block || spansShards);
    try {
      if (tagged) {
        tagParticipants();
        setup.add(tag.lockStatement());
      }
      for (String each : savepoints) {
        setup.add("SAVEPOINT " + SqlQuoting.identifier(each));
      }
      connection.setAutoCommit(false);
      participants.put(node, tagged);
      if (!setup.isEmpty()) {
        // pgjdbc sends BEGIN in the same round trip, before these.
        run(node, String.join("; ", setup));
      }
    } catch (SQLException e) {
      participants.remove(node);
      connections.release(node);
      throw e;
    }
    return connection;
  }

  /** Takes the tag lock on the nodes that joined while the transaction was on one node only. */
  private void tagParticipants() throws SQLException {
    if (tag == null) {
      tag = TransactionTag.next();
    }
    for (Map.Entry<NodeAddress, Boolean> each : participants.entrySet()) {
      if (!each.getValue()) {
        run(each.getKey(), tag.lockStatement());
        each.setValue(true);
      }
    }
  }

  /** Returns whether the transaction is open on {@code node}. */
  public boolean hasJoined(NodeAddress node) {
    return participants.containsKey(node);
  }

  @Override
  public Connection joined(NodeAddress node) throws SQLException {
    return participants.containsKey(node) ? connections.forStatement(node) : null;
  }

  @Override
  public WorkerSettings workerSettings() throws SQLException {
    return connections.workerSettings();
  }

  @Override
  public boolean readsJoin(boolean lockRows) {
    return block || lockRows || !mode.isDefault();
  }

  /**
   * Returns the coordinator connection for reads of its own tables: inside the transaction in
   * a block or for row locks; otherwise the session's connection as it is, whose session
   * settings already give an implicit transaction the session's characteristics.
   */
  @Override
  public Connection coordinator(boolean lockRows) throws SQLException {
    return lockRows ? join(connections.coordinatorNode()) : coordinatorForStatement();
  }

  /**
   * Returns the coordinator connection for a user statement or an expression the coordinator
   * evaluates for one: inside the transaction in a transaction block (so that it sees and
   * commits with the block's work, and {@code now()} is the transaction's time), otherwise the
   * session's connection as it is.
   */
  public Connection coordinatorForStatement() throws SQLException {
    return coordinatorForStatement(false);
  }

  /**
   * Returns the coordinator connection as {@link #coordinatorForStatement()} does, for a
   * statement that, if {@code leavesNoState}, calls no volatile function and so cannot leave
   * session state behind on the connection.
   */
  public Connection coordinatorForStatement(boolean leavesNoState) throws SQLException {
    if (block || participants.containsKey(connections.coordinatorNode())) {
      return join(connections.coordinatorNode());
    }
    return leavesNoState ? connections.coordinatorForSpar() : connections.coordinator();
  }

  @Override
  public void readNodeFailed(NodeAddress node, SQLException cause) {
    lose(node, cause);
  }

  @Override
  public RunningQueries running() {
    return connections.running();
  }

  @Override
  public ValueForm valueForm() {
    return connections.valueForm();
  }

  // Writes -------------------------------------------------------------------------------------

  @Override
  public boolean allowsAutocommit() {
    return !block && mode.isDefault() && participants.isEmpty() && failed.isEmpty();
  }

  @Override
  public Connection connection(ShardPlacement placement) throws SQLException {
    FaultPoint.BEFORE_SHARD_WRITE.reach();
    if (!block && !shards.contains(placement.shardId()) && !shards.isEmpty()) {
      // An implicit transaction that writes one shard takes the shard's placements in their
      // order, after the shard lock, so it cannot close a deadlock across nodes; one that
      // writes several can, and from now on carries a tag.
      spansShards = true;
    }
    Connection connection = join(placement.node());
    if (spansShards && participants.size() > 1) {
      tagParticipants();
    }
    return connection;
  }

  @Override
  public Connection autocommitConnection(NodeAddress node) throws SQLException {
    Connection connection = connections.forStatement(node);
    if (!connection.getAutoCommit()) {
      connection.setAutoCommit(true);
    }
    return connection;
  }

  @Override
  public boolean hasFailed(NodeAddress node) {
    return failedNodes.contains(node);
  }

  @Override
  public void written(Shard routed, ShardPlacement placement, boolean replicatedShard) {
    // A placement counts as reached only if every write of the shard was routed to it: a
    // write routed by a catalog from before a placement was added left it without that write,
    // even if a later write reached it.
    Set<Long> placements = new HashSet<>();
    routed.finalizedPlacements().forEach(each -> placements.add(each.id()));
    routing.merge(routed.id(), placements, (before, now) -> {
      before.retainAll(now);
      return before;
    });
    written.computeIfAbsent(placement.node(), k -> new ArrayList<>()).add(placement);
    shards.add(placement.shardId());
    replicated |= replicatedShard;
  }

  /**
   * Notes that the transaction changed {@code node} outside any placement (DDL of a schema,
   * type or function a worker's shards need), so that the node commits with the rest.
   */
  public void changed(NodeAddress node) {
    written.computeIfAbsent(node, k -> new ArrayList<>());
  }

  @Override
  public void nodeFailed(ShardPlacement placement, SQLException cause) {
    failed.add(placement);
    shards.add(placement.shardId());
    lose(placement.node(), cause);
  }

  /** Drops {@code node} from the transaction: every placement written there is lost. */
  private void lose(NodeAddress node, SQLException cause) {
    failedNodes.add(node);
    List<ShardPlacement> lost = written.remove(node);
    if (lost != null) {
      failed.addAll(lost);
    }
    participants.remove(node);
    connections.release(node);
    firstNodeFailure = firstNodeFailure == null ? cause : firstNodeFailure;
  }

  @Override
  public void skipped(ShardPlacement placement) {
    failed.add(placement);
    shards.add(placement.shardId());
  }

  @Override
  public boolean hasLivePlacement(long shardId) {
    return written.values().stream()
        .anyMatch(list -> list.stream().anyMatch(p -> p.shardId() == shardId));
  }

  @Override
  public SQLException firstNodeFailure() {
    return firstNodeFailure;
  }

  // Savepoints ---------------------------------------------------------------------------------

  /** Returns the open savepoints, oldest first. */
  public List<String> savepoints() {
    return List.copyOf(savepoints);
  }

  /** Sets savepoint {@code name} (folded) on every node the transaction is open on. */
  public void savepoint(String name) throws SQLException {
    forEachParticipant("SAVEPOINT " + SqlQuoting.identifier(name));
    savepoints.add(name);
  }

  /**
   * Rolls every node back to the latest savepoint {@code name}, which must be open, and forgets
   * the savepoints set after it.
   */
  public void rollbackTo(String name) throws SQLException {
    int index = savepoints.lastIndexOf(name);
    forEachParticipant("ROLLBACK TO SAVEPOINT " + SqlQuoting.identifier(name));
    savepoints.subList(index + 1, savepoints.size()).clear();
  }

  /** Releases the latest savepoint {@code name}, which must be open, and those set after it. */
  public void release(String name) throws SQLException {
    int index = savepoints.lastIndexOf(name);
    forEachParticipant("RELEASE SAVEPOINT " + SqlQuoting.identifier(name));
    savepoints.subList(index, savepoints.size()).clear();
  }

  private void forEachParticipant(String sql) throws SQLException {
    for (NodeAddress each : new ArrayList<>(participants.keySet())) {
      run(each, sql);
    }
  }

  // Ending ------------------------------------------------------------------------------------

  /**
   * Commits: nodes that were only read first, then the writes, with one-phase commit when one
   * node holds them all and nothing else must change with them, otherwise with two-phase
   * commit. On any failure everything not yet committed is rolled back.
   *
   * @throws SQLException if the transaction was rolled back instead
   */
  public void commit() throws SQLException {
    try {
      for (long each : shards) {
        if (!hasLivePlacement(each)) {
          throw firstNodeFailure != null ? firstNodeFailure : new SQLException(
              "could not find any healthy placement for shard " + each, "XX000");
        }
      }
      NodeAddress coordinatorNode = connections.coordinatorNode();
      boolean workerWrites = !written.isEmpty() || !failed.isEmpty();
      boolean coordinatorWrote = workerWrites && coordinatorHasWrites();
      for (NodeAddress each : new ArrayList<>(participants.keySet())) {
        boolean coordinator = each.equals(coordinatorNode);
        if (coordinator ? workerWrites && !coordinatorWrote : !written.containsKey(each)) {
          commitNode(each);
        }
      }
      boolean onePhase = written.size() <= 1 && !replicated && failed.isEmpty()
          && !coordinatorWrote;
      if (onePhase) {
        for (NodeAddress each : new ArrayList<>(participants.keySet())) {
          commitNode(each);
        }
      } else {
        Set<Long> reached = new HashSet<>();
        routing.values().forEach(reached::addAll);
        twoPhaseCommit.commit(written, failed, shards, reached, mode.keepsSnapshot());
      }
    } catch (SQLException | RuntimeException e) {
      rollback();
      throw e;
    } finally {
      end();
    }
  }

  private void commitNode(NodeAddress node) throws SQLException {
    connections.connection(node).commit();
    participants.remove(node);
    if (!node.equals(connections.coordinatorNode())) {
      connections.release(node);
    } else {
      connections.coordinator().setAutoCommit(true);
    }
  }

  /** Rolls back every node's part of the transaction. */
  public void rollback() {
    end();
  }

  private void end() {
    connections.releaseWorkers();
    connections.release(connections.coordinatorNode());
    participants.clear();
    savepoints.clear();
  }

  private void run(NodeAddress node, String sql) throws SQLException {
    log.record(node, null, sql);
    try (Statement statement = connections.connection(node).createStatement()) {
      statement.execute(sql);
    }
  }
}
