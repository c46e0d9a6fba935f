package io.spar.multishard;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import io.spar.router.SplicedSql;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows shards returned, as a relation of the coordinator's query: each column travels as
 * one {@code text[]} parameter of PostgreSQL's text forms and is read back as its own type, so
 * the coordinator sees exactly the values the shards computed. Parameters rather than a
 * temporary table keep this working in read-only transactions and cost no catalog writes.
 */
final class IntermediateRows {
  private IntermediateRows() {
  }

  /**
   * Returns the derived table {@code (SELECT ... FROM unnest(?::text[], ...)) AS alias} over the
   * columns {@code columns}, named {@code names}, whose arrays bind from parameter
   * {@code firstParameter} on; without {@code AS} if {@code alias} is null.
   */
  static SplicedSql relation(List<ColumnInfo> columns, List<String> names, String alias,
      int firstParameter) {
    StringBuilder select = new StringBuilder("(SELECT ");
    StringBuilder arrays = new StringBuilder();
    StringBuilder unnamed = new StringBuilder();
    int[] order = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      String separator = i == 0 ? "" : ", ";
      select.append(separator).append("spar_u.c").append(i + 1).append("::")
          .append(typeName(columns.get(i))).append(" AS ")
          .append(SqlQuoting.identifier(names.get(i)));
      arrays.append(separator).append("?::text[]");
      unnamed.append(separator).append('c').append(i + 1);
      order[i] = firstParameter + i;
    }
    select.append(" FROM unnest(").append(arrays).append(") AS spar_u(").append(unnamed)
        .append("))").append(alias == null ? "" : " AS " + alias);
    return new SplicedSql(select.toString(), order);
  }

  /** Returns one {@code String[]} per column of {@code rows}, in PostgreSQL's text forms. */
  static List<String[]> arrays(RowSet rows) {
    int count = rows.columns().size();
    List<String[]> result = new ArrayList<>(count);
    for (int column = 0; column < count; column++) {
      String[] values = new String[rows.rows().size()];
      for (int row = 0; row < values.length; row++) {
        values[row] = (String) rows.rows().get(row)[column];
      }
      result.add(values);
    }
    return result;
  }

  /**
   * Returns the type to read a column back as: pgjdbc's name of its type, quoted so that
   * names like {@code bit} and {@code bpchar} keep any length rather than taking the grammar's
   * default of one.
   */
  private static String typeName(ColumnInfo column) {
    String name = column.typeName();
    return name.startsWith("\"") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
