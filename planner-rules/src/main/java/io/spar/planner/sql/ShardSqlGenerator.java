package io.spar.planner.sql;

import io.spar.engine.catalog.TableName;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.sql.util.SqlString;

/**
 * Generator of the SQL of one pushed-down subtree for any physical relation, caching the text per
 * relation so that repeated executions of a plan render each shard once.
 */
public final class ShardSqlGenerator {
  private final RelNode root;
  private final Map<TableName, ShardSql> rendered = new ConcurrentHashMap<>();

  /** Creates a generator for the Spar subtree {@code root}. */
  public ShardSqlGenerator(RelNode root) {
    this.root = root;
  }

  /** Returns the SQL that evaluates the subtree over relation {@code target}. */
  public ShardSql render(TableName target) {
    return rendered.computeIfAbsent(target, this::renderUncached);
  }

  private ShardSql renderUncached(TableName target) {
    SparImplementor implementor = new SparImplementor(target);
    SqlString sql = implementor.visitRoot(root).asStatement()
        .toSqlString(SparSqlDialect.INSTANCE);
    List<Integer> indexes = Objects.requireNonNullElse(sql.getDynamicParameters(), List.of());
    return new ShardSql(sql.getSql(), indexes);
  }
}
