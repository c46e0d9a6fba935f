package io.spar.multishard;

import io.spar.router.TableReference;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlSelectKeyword;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/** Questions about parse trees that the multi-shard planners ask. */
final class SqlTrees {
  private SqlTrees() {
  }

  /** Returns whether {@code node} holds a query (a subquery, set operation or WITH). */
  static boolean containsQuery(SqlNode node) {
    return node != null && any(node, each -> each.getKind().belongsTo(SqlKind.QUERY)
        || each.getKind() == SqlKind.WITH);
  }

  /** Returns whether {@code node} or a node inside it satisfies {@code test}. */
  static boolean any(SqlNode node, Predicate<SqlNode> test) {
    if (node == null) {
      return false;
    }
    boolean[] found = {false};
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlCall call) {
        if (!found[0] && test.test(call)) {
          found[0] = true;
          return null;
        }
        return found[0] ? null : super.visit(call);
      }

      @Override
      public Void visit(SqlNodeList list) {
        if (!found[0] && test.test(list)) {
          found[0] = true;
          return null;
        }
        return found[0] ? null : super.visit(list);
      }

      @Override
      public Void visit(SqlIdentifier id) {
        found[0] |= test.test(id);
        return null;
      }

      @Override
      public Void visit(SqlLiteral literal) {
        found[0] |= test.test(literal);
        return null;
      }
    });
    return found[0];
  }

  /** Returns the expression of a select item, without its alias. */
  static SqlNode unalias(SqlNode item) {
    return item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
  }

  /** Returns a select item's alias, or null if it has none. */
  static String alias(SqlNode item) {
    return item.getKind() == SqlKind.AS
        ? ((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple() : null;
  }

  /** Returns the expression of an ORDER BY item, without DESC and NULLS FIRST/LAST. */
  static SqlNode sortExpression(SqlNode item) {
    SqlNode node = item;
    while (node.getKind() == SqlKind.DESCENDING || node.getKind() == SqlKind.NULLS_FIRST
        || node.getKind() == SqlKind.NULLS_LAST) {
      node = ((SqlCall) node).operand(0);
    }
    return node;
  }

  /** Returns the 1-based position an integer literal names, or -1 if it is none. */
  static int ordinal(SqlNode node) {
    if (node instanceof SqlNumericLiteral literal && literal.isInteger()) {
      return literal.intValue(true);
    }
    return -1;
  }

  /**
   * Returns whether {@code node} names column {@code column} of {@code reference}: qualified by
   * the reference's name, or unqualified when {@code alone} (the reference is the only table).
   */
  static boolean isColumn(SqlNode node, TableReference reference, String column,
      boolean alone) {
    if (!(node instanceof SqlIdentifier id) || id.isStar()) {
      return false;
    }
    List<String> names = id.names;
    if (!names.get(names.size() - 1).equals(column)) {
      return false;
    }
    return names.size() == 1 && alone
        || names.size() == 2 && names.get(0).equals(reference.qualifier());
  }

  /**
   * Returns the simple name of a function call as PostgreSQL would look it up, or null if
   * {@code call} calls none. The parser resolves some built-in names (such as
   * {@code string_agg}) to Calcite's operators, whose names are upper case; those were
   * written unquoted, so they fold to lower case.
   */
  static String functionName(SqlCall call) {
    if (!(call.getOperator() instanceof SqlFunction function)) {
      return null;
    }
    SqlIdentifier id = function.getSqlIdentifier();
    return id != null ? id.names.get(id.names.size() - 1)
        : function.getName().toLowerCase(Locale.ROOT);
  }

  /** Returns whether {@code call} is an aggregate call with DISTINCT. */
  static boolean isDistinct(SqlCall call) {
    SqlLiteral quantifier = call.getFunctionQuantifier();
    return quantifier != null && quantifier.getValue() == SqlSelectKeyword.DISTINCT;
  }

  /** Returns whether {@code node} is a call that takes ORDER BY or WITHIN GROUP arguments. */
  static boolean isOrderedAggregate(SqlNode node) {
    return node.getKind() == SqlKind.WITHIN_GROUP || node.getKind() == SqlKind.WITHIN_DISTINCT;
  }

  /** Returns the aggregate call of a {@code FILTER} call, or {@code node} itself. */
  static SqlNode unfiltered(SqlNode node) {
    return node.getKind() == SqlKind.FILTER ? ((SqlBasicCall) node).operand(0) : node;
  }
}
