package io.spar.router;

import io.spar.engine.catalog.TableName;
import io.spar.parser.SparSqlInsert;
import io.spar.parser.SparSqlLockedQuery;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import io.spar.parser.SparSqlDelete;
import io.spar.parser.SparSqlUpdate;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;

/**
 * Collector of every table reference in a statement, including those in joins, subqueries and
 * common table expressions; names of common table expressions are not tables, nor are the
 * names after a locking clause's {@code OF}.
 */
public final class TableReferenceCollector {
  private final Function<List<String>, TableName> resolver;
  private final List<TableReference> references = new ArrayList<>();
  private final Set<String> cteNames = new HashSet<>();

  private TableReferenceCollector(Function<List<String>, TableName> resolver) {
    this.resolver = resolver;
  }

  /**
   * Returns the table references of {@code statement}, in the order they appear.
   *
   * @param resolver resolves an identifier's name parts to a table name (applying the search
   *     path to unqualified names)
   */
  public static List<TableReference> collect(
      SqlNode statement, Function<List<String>, TableName> resolver) {
    TableReferenceCollector collector = new TableReferenceCollector(resolver);
    collector.visit(statement);
    return collector.references;
  }

  private void visit(SqlNode node) {
    if (node instanceof SparSqlLockedQuery locked) {
      // The names after FOR UPDATE OF are the query's FROM aliases, not tables: a splice keeps
      // them, and the shard's alias ("AS articles") keeps them valid.
      visit(locked.getQuery());
    } else if (node instanceof SqlSelect select) {
      visitSelect(select);
    } else if (node instanceof SqlWith with) {
      for (SqlNode each : with.withList) {
        SqlWithItem item = (SqlWithItem) each;
        cteNames.add(item.name.getSimple());
        visit(item.query);
      }
      visit(with.body);
    } else if (node instanceof SqlInsert insert) {
      // The alias of INSERT INTO t AS x is kept when only the table identifier is spliced.
      addTarget(insert.getTargetTable(),
          insert instanceof SparSqlInsert spar ? spar.getAlias() : null);
      visit(insert.getSource());
    } else if (node instanceof SqlUpdate update) {
      addTarget(update.getTargetTable(), update.getAlias(), update.getCondition());
      if (update instanceof SparSqlUpdate spar && spar.getFrom() != null) {
        visitFrom(spar.getFrom(), update.getCondition(), false);
      }
      visit(update.getSourceExpressionList());
      visit(update.getCondition());
    } else if (node instanceof SqlDelete delete) {
      addTarget(delete.getTargetTable(), delete.getAlias(), delete.getCondition());
      if (delete instanceof SparSqlDelete spar && spar.getUsing() != null) {
        visitFrom(spar.getUsing(), delete.getCondition(), false);
      }
      visit(delete.getCondition());
    } else if (node instanceof SqlNodeList list) {
      // Select lists, ORDER BY, GROUP BY and SET lists hold scalar subqueries too.
      for (SqlNode each : list) {
        if (each != null) {
          visit(each);
        }
      }
    } else if (node instanceof SqlCall call) {
      visitOperands(call);
    }
  }

  private void visitOperands(SqlNode node) {
    if (node instanceof SqlCall call) {
      for (SqlNode each : call.getOperandList()) {
        if (each != null) {
          visit(each);
        }
      }
    }
  }

  private void visitSelect(SqlSelect select) {
    SqlNode from = select.getFrom();
    if (from != null) {
      visitFrom(from, select.getWhere(), !(from instanceof SqlJoin));
    }
    for (SqlNode each : select.getOperandList()) {
      if (each != null && each != from) {
        visit(each);
      }
    }
  }

  private void visitFrom(SqlNode from, SqlNode where, boolean sole) {
    if (from instanceof SqlIdentifier identifier) {
      addReference(identifier, null, where, sole);
    } else if (from instanceof SqlJoin join) {
      visitFrom(join.getLeft(), where, false);
      visitFrom(join.getRight(), where, false);
      visit(join.getCondition());
    } else if (from.getKind() == SqlKind.AS
        && ((SqlBasicCall) from).operand(0) instanceof SqlIdentifier identifier) {
      SqlIdentifier alias = ((SqlBasicCall) from).operand(1);
      addReference(identifier, alias.getSimple(), where, sole);
    } else {
      visit(from);
    }
  }

  private void addTarget(SqlNode target, SqlIdentifier alias) {
    addTarget(target, alias, null);
  }

  private void addTarget(SqlNode target, SqlIdentifier alias, SqlNode where) {
    if (target instanceof SqlIdentifier identifier) {
      addReference(identifier, alias == null ? null : alias.getSimple(), where, true);
    } else {
      visit(target);
    }
  }

  private void addReference(SqlIdentifier identifier, String alias, SqlNode where, boolean sole) {
    if (identifier.isSimple() && cteNames.contains(identifier.getSimple())) {
      return;
    }
    references.add(new TableReference(
        identifier, resolver.apply(identifier.names), alias, where, sole));
  }
}
