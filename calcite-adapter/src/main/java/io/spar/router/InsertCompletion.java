package io.spar.router;

import io.spar.engine.catalog.SqlQuoting;
import io.spar.parser.SparSqlInsert;
import io.spar.outcome.SparErrors;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;

/**
 * Completion of an INSERT's text so that it names every column whose value the coordinator
 * must supply, with {@code DEFAULT} in every row, which is how PostgreSQL reads a column that
 * an INSERT omits.
 *
 * <p>Those columns are the ones whose default only the coordinator may evaluate
 * ({@link ColumnDefaults.Column#evaluatedAtCoordinator()}), and the partition column when it has
 * a default, which then decides the shard. A column list gets them appended; an INSERT without
 * one, whose rows are shorter than the table, gets {@code DEFAULT} up to the last of them; and
 * {@code DEFAULT VALUES} becomes a VALUES row of {@code DEFAULT}s. {@link ModificationAnalysis}
 * then replaces each such {@code DEFAULT} by the value the coordinator computes.
 */
public final class InsertCompletion {
  private final String text;
  private final ShardSqlSplicer splicer;
  private final ColumnDefaults columns;
  private final String partitionColumn;
  private final List<Edit> edits = new ArrayList<>();

  /** Text that replaces the original text in [start, end); an insertion if they are equal. */
  private record Edit(int start, int end, String text) {
  }

  private InsertCompletion(String text, ShardSqlSplicer splicer, ColumnDefaults columns,
      String partitionColumn) {
    this.text = text;
    this.splicer = splicer;
    this.columns = columns;
    this.partitionColumn = partitionColumn;
  }

  /**
   * Returns the text of {@code insert}, parsed from {@code text} (which {@code splicer} reads),
   * with the columns the coordinator must supply added; {@code text} itself if there are none.
   *
   * @throws SQLException for {@code DEFAULT VALUES} after a column list, as PostgreSQL does
   */
  public static String complete(String text, SqlInsert insert, ShardSqlSplicer splicer,
      ColumnDefaults columns, String partitionColumn) throws SQLException {
    InsertCompletion completion = new InsertCompletion(text, splicer, columns, partitionColumn);
    if (insert instanceof SparSqlInsert spar && spar.isDefaultValues()) {
      completion.defaultValues(spar);
    } else if (insert.getSource().getKind() == SqlKind.VALUES) {
      completion.values(insert.getTargetColumnList(),
          ((SqlBasicCall) insert.getSource()).getOperandList());
    }
    return completion.apply();
  }

  private void defaultValues(SparSqlInsert insert) throws SQLException {
    if (insert.getTargetColumnList() != null) {
      throw SparErrors.error("42601", "syntax error at or near \"DEFAULT\"");
    }
    int last = lastSupplied(0);
    if (last >= 0) {
      SqlNode source = insert.getSource();
      replace(splicer.startOf(source), splicer.endOf(source),
          "VALUES (" + String.join(", ", Collections.nCopies(last + 1, "DEFAULT")) + ")");
    }
  }

  private void values(SqlNodeList targets, List<SqlNode> rows) throws SQLException {
    if (targets != null) {
      Set<String> named = targets.stream().map(InsertCompletion::lastName)
          .collect(Collectors.toSet());
      List<String> added = new ArrayList<>();
      for (ColumnDefaults.Column each : supplied()) {
        if (!named.contains(each.name())) {
          added.add(SqlQuoting.identifier(each.name()));
        }
      }
      if (!added.isEmpty()) {
        SqlNode lastTarget = targets.get(targets.size() - 1);
        insert(splicer.endOf(lastTarget), ", " + String.join(", ", added));
        appendToRows(rows, added.size());
      }
      return;
    }
    int width = ((SqlBasicCall) rows.get(0)).operandCount();
    int last = lastSupplied(width);
    if (last >= 0) {
      appendToRows(rows, last + 1 - width);
    }
  }

  /** Appends {@code count} DEFAULTs to each row, before its closing parenthesis. */
  private void appendToRows(List<SqlNode> rows, int count) throws SQLException {
    String defaults = ", DEFAULT".repeat(count);
    for (SqlNode row : rows) {
      int close = splicer.endOf(row) - 1;
      while (close > 0 && Character.isWhitespace(text.charAt(close))) {
        close--;
      }
      if (text.charAt(close) != ')') {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot add the columns that"
            + " the coordinator fills to this VALUES row: " + text.substring(
                splicer.startOf(row), splicer.endOf(row)));
      }
      insert(close, defaults);
    }
  }

  /** Returns the columns whose values the coordinator supplies when a write omits them. */
  private List<ColumnDefaults.Column> supplied() {
    List<ColumnDefaults.Column> result = new ArrayList<>();
    for (String name : columns.names()) {
      ColumnDefaults.Column column = columns.column(name).orElseThrow();
      boolean routing = name.equals(partitionColumn) && column.expression() != null
          && !column.generated();
      if (column.evaluatedAtCoordinator() || routing) {
        result.add(column);
      }
    }
    return result;
  }

  /** Returns the position of the last supplied column at or after {@code from}, or -1. */
  private int lastSupplied(int from) {
    List<String> names = columns.names();
    int last = -1;
    for (ColumnDefaults.Column each : supplied()) {
      int position = names.indexOf(each.name());
      if (position >= from) {
        last = Math.max(last, position);
      }
    }
    return last;
  }

  private void insert(int offset, String addition) {
    replace(offset, offset, addition);
  }

  private void replace(int start, int end, String replacement) {
    edits.add(new Edit(start, end, replacement));
  }

  private String apply() {
    // The edits never overlap: a replaced DEFAULT VALUES has no other, and insertions are
    // at distinct offsets (after the column list, before each row's parenthesis).
    edits.sort(Comparator.comparingInt(Edit::start));
    StringBuilder result = new StringBuilder();
    int cursor = 0;
    for (Edit each : edits) {
      result.append(text, cursor, each.start()).append(each.text());
      cursor = each.end();
    }
    return result.append(text, cursor, text.length()).toString();
  }

  private static String lastName(SqlNode node) {
    List<String> names = ((SqlIdentifier) node).names;
    return names.get(names.size() - 1);
  }
}
