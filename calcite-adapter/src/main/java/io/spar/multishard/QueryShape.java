package io.spar.multishard;

import io.spar.parser.SparSqlLockedQuery;
import java.util.Optional;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;

/**
 * A SELECT block at the top of a statement with the ORDER BY, OFFSET and LIMIT that the parser
 * keeps around it, and whether it locks rows.
 *
 * @param select the query block
 * @param orderBy its ORDER BY items, or null
 * @param offset its OFFSET expression, or null
 * @param fetch its LIMIT expression, or null
 * @param locking whether a locking clause ({@code FOR UPDATE}, ...) follows it
 */
record QueryShape(SqlSelect select, SqlNodeList orderBy, SqlNode offset, SqlNode fetch,
    boolean locking) {

  /** Returns the shape of {@code statement}, or empty if it is not a single SELECT block. */
  static Optional<QueryShape> of(SqlNode statement) {
    boolean locking = false;
    SqlNode node = statement;
    if (node instanceof SparSqlLockedQuery locked) {
      locking = true;
      node = locked.getQuery();
    }
    SqlNodeList orderBy = null;
    SqlNode offset = null;
    SqlNode fetch = null;
    if (node instanceof SqlOrderBy ordered) {
      orderBy = ordered.orderList.isEmpty() ? null : ordered.orderList;
      offset = ordered.offset;
      fetch = ordered.fetch;
      node = ordered.query;
    }
    if (!(node instanceof SqlSelect select)) {
      return Optional.empty();
    }
    if (select.getOrderList() != null && !select.getOrderList().isEmpty()
        || select.getOffset() != null || select.getFetch() != null) {
      if (orderBy != null || offset != null || fetch != null) {
        return Optional.empty();
      }
      orderBy = select.getOrderList() == null || select.getOrderList().isEmpty() ? null
          : select.getOrderList();
      offset = select.getOffset();
      fetch = select.getFetch();
    }
    return Optional.of(new QueryShape(select, orderBy, offset, fetch, locking));
  }

  /** Returns whether the coordinator must sort, deduplicate, offset or limit merged rows. */
  boolean needsMerge() {
    return orderBy != null || offset != null || fetch != null || select.isDistinct();
  }
}
