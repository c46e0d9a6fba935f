package io.spar.session;

import io.spar.commands.CoordinatorExecutor;
import io.spar.outcome.StatementResult;
import java.sql.SQLException;
import java.util.List;

/**
 * Plan of a statement that touches no distributed table: it runs on the coordinator as written.
 */
final class CoordinatorPlan implements StatementPlan {
  private final String sql;
  private final CoordinatorExecutor coordinator;

  CoordinatorPlan(String sql, CoordinatorExecutor coordinator) {
    this.sql = sql;
    this.coordinator = coordinator;
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    return coordinator.execute(sql, parameters);
  }

  @Override
  public List<String> explain(List<Object> parameters) {
    return List.of("Coordinator Statement (no distributed table)", "  " + sql.strip());
  }
}
