package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.commands.SqlApiCall;
import io.spar.commands.SqlApiFunctions;
import io.spar.router.ShardSqlSplicer;
import java.sql.SQLException;
import java.util.List;

/**
 * Plan of a call of one of Spar's SQL API functions, carried out by the engine.
 */
final class SqlApiPlan implements StatementPlan {
  private final SqlApiCall call;
  private final ShardSqlSplicer splicer;
  private final SqlApiFunctions functions;

  SqlApiPlan(SqlApiCall call, ShardSqlSplicer splicer, SqlApiFunctions functions) {
    this.call = call;
    this.splicer = splicer;
    this.functions = functions;
  }

  /** Returns the name of the function the plan calls. */
  SqlApiCall call() {
    return call;
  }

  String function() {
    return call.function();
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    return functions.execute(call, splicer, parameters);
  }

  @Override
  public List<String> explain(List<Object> parameters) {
    return List.of("Spar Function " + call.function() + " (runs in the engine)");
  }
}
