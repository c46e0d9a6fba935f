package io.spar.adapter;

import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.CalciteSqlValidator;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperatorTable;

/**
 * Validator that first gives {@code +} and {@code -} PostgreSQL's date arithmetic
 * ({@link DateArithmetic}); otherwise Calcite's.
 */
final class SparSqlValidator extends CalciteSqlValidator {
  /** Creates a validator over {@code operators} and {@code catalogReader}. */
  SparSqlValidator(SqlOperatorTable operators, CalciteCatalogReader catalogReader,
      JavaTypeFactory typeFactory, Config config) {
    super(operators, catalogReader, typeFactory, config);
  }

  @Override
  public SqlNode validate(SqlNode topNode) {
    return super.validate(DateArithmetic.rewrite(topNode));
  }
}
