package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.outcome.SparErrors;
import io.spar.router.SplicedSql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Plan of a statement whose views over distributed tables were replaced by their definitions:
 * the expanded statement's plan, with the user's parameters rebound to the expanded text's
 * markers.
 */
final class ExpandedPlan implements StatementPlan {
  private final StatementPlan expanded;
  private final SplicedSql text;

  ExpandedPlan(StatementPlan expanded, SplicedSql text) {
    this.expanded = expanded;
    this.text = text;
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    return expanded.execute(bind(text, parameters));
  }

  @Override
  public List<String> explain(List<Object> parameters) throws SQLException {
    return expanded.explain(bind(text, parameters));
  }

  @Override
  public long[] executeBatch(List<List<Object>> parameterSets) throws SQLException {
    List<List<Object>> bound = new ArrayList<>();
    for (List<Object> each : parameterSets) {
      bound.add(bind(text, each));
    }
    return expanded.executeBatch(bound);
  }

  /** Returns {@code parameters} bound to the markers of {@code text}, which moved them. */
  static List<Object> bind(SplicedSql text, List<Object> parameters) throws SQLException {
    try {
      return text.bind(parameters);
    } catch (IllegalArgumentException e) {
      throw SparErrors.error("08P01", e.getMessage());
    }
  }
}
