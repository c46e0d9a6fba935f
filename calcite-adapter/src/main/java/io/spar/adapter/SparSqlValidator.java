package io.spar.adapter;

import io.spar.parser.SparQueries;
import io.spar.parser.SqlLockingClause;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.CalciteSqlValidator;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperatorTable;

/**
 * Validator that first gives {@code +} and {@code -} PostgreSQL's date arithmetic
 * ({@link DateArithmetic}); otherwise Calcite's.
 *
 * <p>It refuses a statement with locking clauses ({@code FOR UPDATE}, ...): Calcite would plan
 * the query without them, reading rows that it does not lock. A name without parentheses is a
 * function only if PostgreSQL makes it one ({@code current_date}, {@code user}, ...): Calcite
 * would also read {@code pi}, {@code current_path} and {@code system_user} as functions, and
 * answer with a constant where a column of that name was meant.
 */
final class SparSqlValidator extends CalciteSqlValidator {
  /** Creates a validator over {@code operators} and {@code catalogReader}. */
  SparSqlValidator(SqlOperatorTable operators, CalciteCatalogReader catalogReader,
      JavaTypeFactory typeFactory, Config config) {
    super(operators, catalogReader, typeFactory, config);
  }

  /** PostgreSQL's functions that are called without parentheses (SQL value functions). */
  private static final Set<String> NILADIC = Set.of("current_catalog", "current_date",
      "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
      "localtime", "localtimestamp", "session_user", "user");

  @Override
  public SqlCall makeNullaryCall(SqlIdentifier id) {
    if (!id.isSimple() || !NILADIC.contains(id.getSimple().toLowerCase(Locale.ROOT))) {
      return null;
    }
    return super.makeNullaryCall(id);
  }

  @Override
  public SqlNode validate(SqlNode topNode) {
    SparQueries.lockingClauses(topNode).ifPresent(clauses -> {
      throw new LockingNotSupportedException(((SqlLockingClause) clauses.get(0)).getStrength());
    });
    return super.validate(DateArithmetic.rewrite(topNode));
  }
}
