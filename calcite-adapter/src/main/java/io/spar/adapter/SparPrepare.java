package io.spar.adapter;

import io.spar.planner.rules.SparRules;
import java.lang.reflect.Type;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.interpreter.BindableConvention;
import org.apache.calcite.jdbc.CalcitePrepare;
import org.apache.calcite.plan.RelOptCostFactory;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.CalcitePrepareImpl;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.SqlRexConvertletTable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Calcite's statement preparation with Spar's front end: PostgreSQL's functions (from
 * {@code pg_proc}), date arithmetic and GROUP BY rules in the validator, conversions of
 * PostgreSQL functions to Calcite's implementations, and Spar's planner rules.
 *
 * <p>Calcite offers no connection property for an own operator table or validator, so the
 * runner's driver is given this class through {@code Driver.withPrepareFactory}.
 */
final class SparPrepare extends CalcitePrepareImpl {
  private final PgOperatorTable functions;

  /** Creates a preparer that resolves unknown functions through {@code functions}. */
  SparPrepare(PgOperatorTable functions) {
    this.functions = functions;
  }

  @Override
  protected SqlRexConvertletTable createConvertletTable() {
    return SparConvertletTable.INSTANCE;
  }

  @Override
  protected RelOptPlanner createPlanner(CalcitePrepare.Context prepareContext,
      org.apache.calcite.plan.@Nullable Context externalContext, @Nullable RelOptCostFactory costFactory) {
    RelOptPlanner planner = super.createPlanner(prepareContext, externalContext, costFactory);
    // Before any rel registers, so that replaced default rules never match.
    SparRules.register(planner);
    return planner;
  }

  @Override
  protected CalcitePreparingStmt getPreparingStmt(CalcitePrepare.Context context,
      Type elementType, CalciteCatalogReader catalogReader, RelOptPlanner planner) {
    JavaTypeFactory typeFactory = context.getTypeFactory();
    EnumerableRel.Prefer prefer = elementType == Object[].class
        ? EnumerableRel.Prefer.ARRAY : EnumerableRel.Prefer.CUSTOM;
    return new CalcitePreparingStmt(this, context, catalogReader, typeFactory,
        context.getRootSchema(), prefer, createCluster(planner, new RexBuilder(typeFactory)),
        enableBindable ? BindableConvention.INSTANCE : EnumerableConvention.INSTANCE,
        createConvertletTable()) {
      @Override
      protected SqlValidator createSqlValidator(Prepare.CatalogReader reader,
          UnaryOperator<SqlValidator.Config> configTransform) {
        return validator(context, (CalciteCatalogReader) reader, configTransform);
      }
    };
  }

  private SqlValidator validator(CalcitePrepare.Context context, CalciteCatalogReader reader,
      UnaryOperator<SqlValidator.Config> configTransform) {
    SqlOperatorTable standard =
        context.config().fun(SqlOperatorTable.class, SqlStdOperatorTable.instance());
    SqlOperatorTable table =
        SqlOperatorTables.chain(List.of(functions.over(standard), standard, reader));
    SqlValidator.Config config = configTransform.apply(SqlValidator.Config.DEFAULT
        .withLenientOperatorLookup(context.config().lenientOperatorLookup())
        .withConformance(PgConformance.INSTANCE)
        .withDefaultNullCollation(context.config().defaultNullCollation())
        .withIdentifierExpansion(true));
    return new SparSqlValidator(table, reader, context.getTypeFactory(), config);
  }
}
