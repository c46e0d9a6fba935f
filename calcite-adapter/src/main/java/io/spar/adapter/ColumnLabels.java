package io.spar.adapter;

import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import io.spar.parser.SqlParsing;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;

/**
 * Renaming of the result columns Calcite names {@code EXPR$0} to the names PostgreSQL gives
 * them: the function's name ({@code count}, {@code sum}) or {@code ?column?}.
 */
final class ColumnLabels {
  private static final Pattern GENERATED = Pattern.compile("^(EXPR\\$|\\$f)\\d+$");

  private ColumnLabels() {
  }

  /** Returns {@code rows} with generated column labels replaced by PostgreSQL's. */
  static RowSet relabel(RowSet rows, String sql) {
    if (rows.columns().stream().noneMatch(c -> GENERATED.matcher(c.label()).matches())) {
      return rows;
    }
    List<SqlNode> items = selectItems(sql);
    List<ColumnInfo> columns = new ArrayList<>();
    for (int i = 0; i < rows.columns().size(); i++) {
      ColumnInfo each = rows.columns().get(i);
      if (GENERATED.matcher(each.label()).matches()) {
        String label = i < items.size() ? pgName(items.get(i)) : "?column?";
        each = new ColumnInfo(label, each.jdbcType(), each.typeName(), each.precision(),
            each.scale(), each.nullable(), each.className());
      }
      columns.add(each);
    }
    return new RowSet(columns, rows.rows());
  }

  private static List<SqlNode> selectItems(String sql) {
    try {
      SqlNode node = SqlParser.create(SqlParsing.parsedText(sql), SqlParsing.CONFIG).parseQuery();
      while (node instanceof SqlOrderBy orderBy) {
        node = orderBy.query;
      }
      while (node instanceof SqlCall call && node.getKind() != SqlKind.SELECT
          && node.isA(SqlKind.SET_QUERY)) {
        node = call.operand(0);
      }
      if (node instanceof SqlSelect select) {
        SqlNodeList list = select.getSelectList();
        boolean star = list.stream().anyMatch(n -> n.toString().endsWith("*"));
        return star ? List.of() : list.getList();
      }
    } catch (SqlParseException e) {
      // Calcite parsed it already; without a parse tree the generic name is the fallback.
    }
    return List.of();
  }

  private static String pgName(SqlNode item) {
    if (item instanceof SqlCall call && call.getOperator() instanceof SqlFunction function
        && call.getKind() != SqlKind.CAST) {
      return function.getName().toLowerCase(Locale.ROOT);
    }
    if (item instanceof SqlCall call && call.getKind() == SqlKind.CASE) {
      return "case";
    }
    return "?column?";
  }
}
