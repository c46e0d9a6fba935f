package io.spar.router;

import io.spar.parser.SqlParsing;
import io.spar.router.FunctionVolatility.Volatility;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;

/**
 * The columns of a distributed table in order, with their declared types and what fills each
 * one that a write omits or sets to {@code DEFAULT}, read from the coordinator's table with
 * {@code ShardDdl.COLUMNS}.
 *
 * <p>A default that the shards keep as their own is left to them; any other is evaluated at
 * the coordinator, once per row, so that every placement stores the same value (see
 * {@code ShardDdl} for which defaults shards keep).
 */
public final class ColumnDefaults {
  /** Columns of no table, for statements that need none. */
  public static final ColumnDefaults NONE = new ColumnDefaults(List.of());

  /**
   * One column.
   *
   * @param name the column's name
   * @param type the column's type as {@code format_type} writes it
   * @param expression what fills the column when a write omits it, or null for NULL
   * @param keptOnShards whether the shards have {@code expression} as their own default
   * @param generated whether the column is generated, {@code expression} computing it
   * @param volatility the volatility of {@code expression}, by {@link FunctionVolatility}
   */
  public record Column(String name, String type, String expression, boolean keptOnShards,
      boolean generated, Volatility volatility) {

    /** Returns whether a write that omits the column must get its default from the coordinator. */
    public boolean evaluatedAtCoordinator() {
      return expression != null && !generated
          && (!keptOnShards || volatility != Volatility.IMMUTABLE);
    }
  }

  private final List<Column> columns;

  private ColumnDefaults(List<Column> columns) {
    this.columns = List.copyOf(columns);
  }

  /** Creates the columns from the rows {@code ShardDdl.COLUMNS} returned. */
  public static ColumnDefaults fromRows(List<Object[]> rows, FunctionVolatility volatility)
      throws SQLException {
    List<Column> columns = new ArrayList<>();
    for (Object[] row : rows) {
      String expression = (String) row[2];
      boolean kept = Boolean.TRUE.equals(row[3]);
      Volatility judged = expression == null ? Volatility.IMMUTABLE
          : judge(expression, kept, volatility);
      columns.add(new Column((String) row[0], (String) row[1], expression, kept,
          Boolean.TRUE.equals(row[4]), judged));
    }
    return new ColumnDefaults(columns);
  }

  /**
   * Returns the volatility of a default. An expression that Spar's parser cannot read counts
   * as IMMUTABLE only if PostgreSQL proved it so ({@code kept}), else as VOLATILE.
   */
  private static Volatility judge(String expression, boolean kept, FunctionVolatility volatility)
      throws SQLException {
    SqlNode parsed;
    try {
      parsed = ((SqlSelect) SqlParsing.parse("SELECT " + expression)).getSelectList().get(0);
    } catch (SQLException | RuntimeException e) {
      return kept ? Volatility.IMMUTABLE : Volatility.VOLATILE;
    }
    return volatility.of(parsed);
  }

  /** Returns the names of the columns, in order. */
  public List<String> names() {
    return columns.stream().map(Column::name).toList();
  }

  /** Returns the column called {@code name}, if the table has one. */
  public Optional<Column> column(String name) {
    return columns.stream().filter(each -> each.name().equals(name)).findFirst();
  }
}
