package io.spar.adapter;

import io.spar.engine.catalog.PgFunction;
import io.spar.engine.catalog.PgFunctions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.SqlSyntax;
import org.apache.calcite.sql.validate.SqlNameMatcher;
import org.apache.calcite.sql.validate.SqlNameMatchers;

/**
 * Resolution of PostgreSQL function names that Calcite's operator table misses, chained before
 * it, and of {@code +}/{@code -} with PostgreSQL's date arithmetic. Functions, in order:
 * <ol>
 *   <li>names Calcite knows in another case: identifiers arrive folded to lower case while
 *       Calcite's library functions ({@code LENGTH}, {@code BOOL_AND}, {@code CONCAT}) are
 *       upper case, and a case-sensitive connection would otherwise never find them;</li>
 *   <li>functions Spar maps to Calcite's implementations ({@code date_trunc});</li>
 *   <li>scalar functions in the coordinator's {@code pg_proc}, of any installed extension, as
 *       {@link PgPassThroughFunction}s.</li>
 * </ol>
 */
final class PgOperatorTable {
  private final PgFunctions functions;

  /** Creates a table that reads {@code pg_proc} through {@code functions}. */
  PgOperatorTable(PgFunctions functions) {
    this.functions = functions;
  }

  /** Returns the lookup to chain before {@code standard}, which it consults first. */
  SqlOperatorTable over(SqlOperatorTable standard) {
    return new SqlOperatorTable() {
      @Override
      public void lookupOperatorOverloads(SqlIdentifier name, SqlFunctionCategory category,
          SqlSyntax syntax, List<SqlOperator> result, SqlNameMatcher matcher) {
        if (syntax == SqlSyntax.FUNCTION && name.isSimple()) {
          result.addAll(resolve(standard, name, category, matcher));
        } else if (syntax == SqlSyntax.BINARY && name.isSimple()) {
          // The validator looks binary operators up again by name while deriving types.
          switch (name.getSimple()) {
            case "+" -> result.add(DateArithmetic.PLUS);
            case "-" -> result.add(DateArithmetic.MINUS);
            default -> {
            }
          }
        }
      }

      @Override
      public List<SqlOperator> getOperatorList() {
        return List.of();
      }
    };
  }

  private List<SqlOperator> resolve(SqlOperatorTable standard, SqlIdentifier name,
      SqlFunctionCategory category, SqlNameMatcher matcher) {
    List<SqlOperator> found = new ArrayList<>();
    standard.lookupOperatorOverloads(name, category, SqlSyntax.FUNCTION, found, matcher);
    if (!found.isEmpty()) {
      return List.of(); // the standard table, next in the chain, returns them itself
    }
    String simple = name.getSimple();
    if (simple.equalsIgnoreCase("date_trunc")) {
      return List.of(PgDateTrunc.INSTANCE);
    }
    standard.lookupOperatorOverloads(name, category, SqlSyntax.FUNCTION, found,
        SqlNameMatchers.withCaseSensitive(false));
    if (!found.isEmpty()) {
      return found;
    }
    List<PgFunction> scalar = functions.lookup(simple).stream()
        .filter(PgFunction::isScalar).toList();
    if (scalar.isEmpty() && !simple.equals(simple.toLowerCase(Locale.ROOT))) {
      // Names the parser treats as keywords arrive in upper case.
      simple = simple.toLowerCase(Locale.ROOT);
      scalar = functions.lookup(simple).stream().filter(PgFunction::isScalar).toList();
    }
    return scalar.isEmpty() ? List.of() : List.of(new PgPassThroughFunction(simple, scalar));
  }
}
