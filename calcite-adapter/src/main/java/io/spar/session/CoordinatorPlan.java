package io.spar.session;

import io.spar.commands.CoordinatorExecutor;
import io.spar.outcome.StatementResult;
import io.spar.parser.SqlTokens;
import java.sql.SQLException;
import java.util.List;

/**
 * Plan of a statement that touches no distributed table: it runs on the coordinator as written.
 */
final class CoordinatorPlan implements StatementPlan {
  private final String sql;
  private final CoordinatorExecutor coordinator;
  private final boolean setsConfiguration;
  private final boolean mayRunDdl;
  private final boolean leavesNoState;

  /**
   * Creates the plan of {@code sql}; {@code mayRunDdl} if it calls a function that may run DDL
   * ({@link io.spar.router.FunctionVolatility#mayRunDdl}); {@code leavesNoState} if it is a
   * query that calls no volatile function, so that the session need not read back its state
   * on the coordinator after it (a round trip that costs more than a small query).
   */
  CoordinatorPlan(String sql, CoordinatorExecutor coordinator, boolean mayRunDdl,
      boolean leavesNoState) {
    this.sql = sql;
    this.coordinator = coordinator;
    this.mayRunDdl = mayRunDdl;
    this.leavesNoState = leavesNoState;
    this.setsConfiguration = SqlTokens.of(sql).stream()
        .anyMatch(each -> "set_config".equals(each.name()));
  }

  /**
   * Returns whether the statement calls {@code set_config}, which may change the search path
   * the session resolves names on, as {@code SET} does.
   */
  boolean setsConfiguration() {
    return setsConfiguration;
  }

  /**
   * Returns whether the statement calls a function that may run DDL, which must then be
   * carried to the workers.
   */
  boolean mayRunDdl() {
    return mayRunDdl;
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    return coordinator.execute(sql, parameters, leavesNoState);
  }

  @Override
  public List<String> explain(List<Object> parameters) {
    return List.of("Coordinator Statement (no distributed table)", "  " + sql.strip());
  }
}
