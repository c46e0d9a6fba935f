package io.spar.router;

import io.spar.engine.catalog.TableName;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;

/**
 * Reference to a table in a statement: the identifier as written, the name it resolves to,
 * its alias if any, and the WHERE clause that filters it.
 *
 * @param identifier the table identifier in the parse tree, whose position is spliced
 * @param table the resolved, case-folded table name
 * @param alias the alias, or null when the statement uses the table's own name
 * @param where the WHERE clause of the query block whose FROM holds the reference, or null
 * @param soleTable whether it is the only table of its FROM clause, so unqualified columns
 *     belong to it
 */
public record TableReference(
    SqlIdentifier identifier, TableName table, String alias, SqlNode where, boolean soleTable) {

  /** Returns the name by which columns of this reference are qualified. */
  public String qualifier() {
    return alias != null ? alias : table.name();
  }
}
