package io.spar.router;

import java.util.List;
import java.util.Optional;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;

/**
 * What a modification's analysis knows of its target table's columns: their order, declared
 * types and defaults, their base types, and which one is the partition column.
 *
 * @param defaults the columns in order, with declared types and defaults
 * @param types the columns' base types, domains resolved
 * @param partitionColumn the partition column's name
 */
public record TargetColumns(ColumnDefaults defaults, ColumnTypes types, String partitionColumn) {
  /** Columns of no table, for analyses that need none. */
  public static final TargetColumns NONE =
      new TargetColumns(ColumnDefaults.NONE, ColumnTypes.NONE, null);

  /**
   * Returns the column that {@code node} names if it is a plain reference to one of the
   * table's columns ({@code c}, {@code t.c}, or {@code EXCLUDED.c}, which has c's type).
   */
  public Optional<String> columnOf(SqlNode node) {
    if (!(node instanceof SqlIdentifier identifier) || identifier.names.size() > 2
        || FunctionVolatility.isSqlValueFunction(identifier)) {
      return Optional.empty();
    }
    String name = identifier.names.get(identifier.names.size() - 1);
    return types.type(name).isPresent() ? Optional.of(name) : Optional.empty();
  }

  /** Returns the names of the columns, in order. */
  public List<String> names() {
    return defaults.names();
  }
}
