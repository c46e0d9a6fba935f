package io.spar.adapter;

import io.spar.engine.SparEngine;
import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.execution.ReadScope;
import io.spar.engine.execution.RunningQueries;
import io.spar.engine.execution.WorkerSettings;
import io.spar.jdbc.EngineRegistry;
import io.spar.outcome.SparErrors;
import io.spar.planner.exec.ScanSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.SchemaFactory;
import org.apache.calcite.schema.SchemaPlus;

/**
 * Factory of a Calcite schema over one schema of a Spar coordinator, for an application that
 * already queries through Calcite: its distributed tables join the connection's other tables,
 * and Spar's rules push filters and projections to the shards that pruning leaves.
 *
 * <pre>{"type": "custom", "factory": "io.spar.adapter.SparSchemaFactory",
 *  "operand": {"coordinator": "jdbc:postgresql://host:5432/db", "user": "u",
 *              "password": "p", "schema": "public"}}</pre>
 *
 * <p>The engine is shared with {@code jdbc:spar:} connections to the same coordinator. Reads
 * run outside any transaction, each shard query on a pooled connection, as autocommit reads
 * through Spar do.
 */
public final class SparSchemaFactory implements SchemaFactory {
  /** Creates the factory; Calcite instantiates it by name from a model. */
  public SparSchemaFactory() {
  }

  @Override
  public Schema create(SchemaPlus parentSchema, String name, Map<String, Object> operand) {
    String coordinator = (String) operand.get("coordinator");
    if (coordinator == null) {
      throw new IllegalArgumentException("operand \"coordinator\" (a jdbc:postgresql: URL of"
          + " Spar's coordinator) is required");
    }
    Object schema = operand.getOrDefault("schema", "public");
    try {
      SparEngine engine = EngineRegistry.engine(coordinator, (String) operand.get("user"),
          (String) operand.get("password"));
      PooledReads reads = new PooledReads(engine);
      return new SparSchema(String.valueOf(schema), new ScanSource(engine, () -> reads),
          reads::coordinator);
    } catch (SQLException e) {
      throw new IllegalStateException("could not start Spar on " + coordinator, e);
    }
  }

  /** Reads outside any transaction: every shard query on a pooled connection. */
  private static final class PooledReads implements ReadScope {
    private final SparEngine engine;
    private final RunningQueries running = new RunningQueries();
    private Connection coordinator;

    PooledReads(SparEngine engine) {
      this.engine = engine;
    }

    @Override
    public boolean readsJoin(boolean lockRows) {
      return false;
    }

    @Override
    public Connection joined(NodeAddress node) {
      return null;
    }

    @Override
    public WorkerSettings workerSettings() {
      return WorkerSettings.DEFAULTS;
    }

    @Override
    public Connection join(NodeAddress node) throws SQLException {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "a Calcite connection reads Spar's tables outside transactions");
    }

    /** Returns the one coordinator connection of this schema, for catalog reads. */
    @Override
    public synchronized Connection coordinator(boolean lockRows) throws SQLException {
      if (coordinator == null || coordinator.isClosed()) {
        coordinator = engine.pools().borrow(engine.coordinator());
      }
      return coordinator;
    }

    Connection coordinator() throws SQLException {
      return coordinator(false);
    }

    @Override
    public void readNodeFailed(NodeAddress node, SQLException cause) {
      // Nothing was written through this scope, so nothing is lost.
    }

    @Override
    public RunningQueries running() {
      // Calcite's statements are not cancelled through Spar; the registry only tracks them.
      return running;
    }
  }
}
