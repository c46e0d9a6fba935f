package io.spar.planner;

import io.spar.engine.catalog.TableName;
import io.spar.planner.rel.SparTableScan;
import io.spar.planner.rules.SparRules;
import java.util.List;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRules;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.RelBuilder;

/**
 * Test fixture: a schema {@code public} with table {@code articles (id bigint, author_id bigint,
 * title varchar, word_count int)} whose scans are {@link SparTableScan}s, and a Volcano run.
 */
public final class PlannerFixture {
  private PlannerFixture() {
  }

  /** Returns a relational expression builder over the test schema. */
  public static RelBuilder builder() {
    return builder(org.apache.calcite.rel.type.RelDataTypeSystem.DEFAULT);
  }

  /** Returns a builder over the test schema whose types follow {@code typeSystem}. */
  public static RelBuilder builder(org.apache.calcite.rel.type.RelDataTypeSystem typeSystem) {
    SchemaPlus root = Frameworks.createRootSchema(true);
    SchemaPlus schema = root.add("public", new org.apache.calcite.schema.impl.AbstractSchema());
    schema.add("articles", new ArticlesTable());
    return RelBuilder.create(Frameworks.newConfigBuilder().defaultSchema(schema)
        .typeSystem(typeSystem).build());
  }

  /** Returns the best Enumerable plan for {@code logical} with Spar's and Enumerable's rules. */
  public static RelNode optimize(RelNode logical) {
    RelOptPlanner planner = logical.getCluster().getPlanner();
    planner.clear();
    SparRules.ALL.forEach(planner::addRule);
    List.of(EnumerableRules.ENUMERABLE_FILTER_RULE, EnumerableRules.ENUMERABLE_PROJECT_RULE,
        EnumerableRules.ENUMERABLE_AGGREGATE_RULE, EnumerableRules.ENUMERABLE_SORT_RULE,
        EnumerableRules.ENUMERABLE_LIMIT_RULE).forEach(planner::addRule);
    planner.setRoot(planner.changeTraits(logical,
        logical.getTraitSet().replace(EnumerableConvention.INSTANCE)));
    return planner.findBestExp();
  }

  /** Returns the plan as text, one operator per line. */
  public static String explain(RelNode rel) {
    return RelOptUtil.toString(rel);
  }

  /** Table whose scans are Spar scans of {@code public.articles}. */
  private static final class ArticlesTable extends AbstractTable implements TranslatableTable {
    @Override
    public RelDataType getRowType(RelDataTypeFactory factory) {
      return factory.builder()
          .add("id", SqlTypeName.BIGINT)
          .add("author_id", SqlTypeName.BIGINT)
          .add("title", factory.createTypeWithNullability(
              factory.createSqlType(SqlTypeName.VARCHAR), true))
          .add("word_count", SqlTypeName.INTEGER)
          .build();
    }

    @Override
    public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable table) {
      return new SparTableScan(context.getCluster(), table, new TableName("public", "articles"),
          null);
    }
  }
}
