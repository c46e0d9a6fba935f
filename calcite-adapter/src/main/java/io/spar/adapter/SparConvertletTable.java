package io.spar.adapter;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql2rel.SqlRexConvertlet;
import org.apache.calcite.sql2rel.SqlRexConvertletTable;
import org.apache.calcite.sql2rel.StandardConvertletTable;

/**
 * Conversions of Spar's PostgreSQL operators to row expressions Calcite can evaluate; every
 * other call converts as in Calcite.
 */
final class SparConvertletTable implements SqlRexConvertletTable {
  /** The only instance. */
  static final SparConvertletTable INSTANCE = new SparConvertletTable();

  private SparConvertletTable() {
  }

  @Override
  public SqlRexConvertlet get(SqlCall call) {
    SqlOperator operator = call.getOperator();
    if (operator == DateArithmetic.PLUS || operator == DateArithmetic.MINUS) {
      return DateArithmetic::convert;
    }
    if (operator == PgDateTrunc.INSTANCE) {
      return PgDateTrunc::convert;
    }
    return StandardConvertletTable.INSTANCE.get(call);
  }
}
