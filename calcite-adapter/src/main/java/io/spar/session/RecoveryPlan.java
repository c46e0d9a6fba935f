package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.engine.SparEngine;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Plan of {@code SELECT recover_prepared_transactions()}: commits the prepared transactions
 * that have a commit record, rolls back the others, and returns how many it resolved.
 */
final class RecoveryPlan implements StatementPlan {
  private final SparEngine engine;

  RecoveryPlan(SparEngine engine) {
    this.engine = engine;
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    ColumnInfo column = new ColumnInfo("recover_prepared_transactions", Types.INTEGER, "int4", 10,
        0, 0, Integer.class.getName());
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {engine.recovery().recover()});
    return StatementResult.ofRows(new RowSet(List.of(column), rows));
  }

  @Override
  public List<String> explain(List<Object> parameters) {
    return List.of("Spar Function recover_prepared_transactions (runs in the engine)");
  }
}
