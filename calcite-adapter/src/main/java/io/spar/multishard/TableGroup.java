package io.spar.multishard;

import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.router.Replacement;
import io.spar.router.RouterPlanner;
import io.spar.router.SplicedSql;
import io.spar.router.TableReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;

/**
 * The distributed tables of a query that its shards can read shard by shard: one table, or
 * co-located tables that the query joins on their distribution columns, so that the i-th shard
 * of one only ever meets the i-th shard of the others, as in Citus's co-located joins; and
 * reference tables inner-joined to them in any way, whose one shard each group reads whole.
 *
 * @param references the table references, in statement order
 * @param columns each reference's distribution column
 * @param outerJoins whether an outer join may NULL-extend a table's rows, so that its
 *     distribution column can be NULL in rows of every shard
 */
record TableGroup(List<TableReference> references, List<String> columns, boolean outerJoins) {

  /** Returns the group of {@code shape}'s tables, or empty if its shards cannot read alone. */
  static Optional<TableGroup> of(QueryShape shape, List<TableReference> distributed,
      int references, CatalogSnapshot snapshot) {
    if (distributed.isEmpty() || references != distributed.size()) {
      return Optional.empty();
    }
    List<String> columns = new ArrayList<>();
    List<DistributedTable> tables = new ArrayList<>();
    for (TableReference each : distributed) {
      tables.add(snapshot.table(each.table()).orElseThrow());
      columns.add(tables.get(tables.size() - 1).partitionColumn());
    }
    DistributedTable leader = tables.get(RouterPlanner.leader(tables));
    boolean anyReference = false;
    for (DistributedTable each : tables) {
      anyReference |= each.isReference();
      if (each != leader && !each.isReference() && !RouterPlanner.sameLayout(leader, each)) {
        return Optional.empty();
      }
    }
    if (distributed.size() == 1) {
      return Optional.of(new TableGroup(distributed, columns, false));
    }
    if (leader.isReference()) {
      return Optional.empty(); // reference tables alone: the router reads them on one node
    }
    Set<SqlNode> leaves = Collections.newSetFromMap(new IdentityHashMap<>());
    List<SqlNode> conditions = new ArrayList<>();
    boolean[] outer = {false};
    if (shape.select().getFrom() == null
        || !tablesOnly(shape.select().getFrom(), leaves, conditions, outer)) {
      return Optional.empty();
    }
    for (TableReference each : distributed) {
      if (!leaves.contains(each.identifier())) {
        return Optional.empty();
      }
    }
    if (anyReference && outer[0]) {
      // An outer join could keep a reference table's unmatched rows once per shard.
      return Optional.empty();
    }
    TableGroup group = new TableGroup(distributed, columns, outer[0]);
    conditions.add(shape.select().getWhere());
    return group.connected(conditions, tables) ? Optional.of(group) : Optional.empty();
  }

  /** Returns whether the query reads one table, not a join. */
  boolean single() {
    return references.size() == 1;
  }

  /** Returns whether {@code node} names the distribution column of a table of the group. */
  boolean isDistributionColumn(SqlNode node) {
    for (int i = 0; i < references.size(); i++) {
      if (SqlTrees.isColumn(node, references.get(i), columns.get(i), single())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns whether rows that agree on {@code node} are always in one group of co-located
   * shards: it names a distribution column no outer join can make NULL.
   */
  boolean keepsRowsTogether(SqlNode node) {
    return !outerJoins && isDistributionColumn(node);
  }

  /** Returns the replacements that put each table's marker in place of its identifier. */
  Map<SqlNode, Replacement> markers() {
    Map<SqlNode, Replacement> result = new IdentityHashMap<>();
    for (int i = 0; i < references.size(); i++) {
      result.put(references.get(i).identifier(), Replacement.text(MultiShardQuery.marker(i)));
    }
    return result;
  }

  /** Returns the scan of the group with shard query {@code template}. */
  MultiShardQuery.Scan scan(SplicedSql template) {
    // A table on the nullable side of an outer join is not filtered by its WHERE predicates.
    return MultiShardQuery.Scan.of(references, single() || !outerJoins, template);
  }

  /**
   * Returns whether equalities of distribution columns in {@code conditions} (their top-level
   * conjuncts) join every table of the group ({@code tables}, in reference order) but its
   * reference tables to every other.
   */
  private boolean connected(List<SqlNode> conditions, List<DistributedTable> tables) {
    int[] parent = new int[references.size()];
    int leader = RouterPlanner.leader(tables);
    for (int i = 0; i < parent.length; i++) {
      // Each shard group has the whole of a reference table: it needs no join condition.
      parent[i] = tables.get(i).isReference() ? leader : i;
    }
    for (SqlNode condition : conditions) {
      for (SqlNode each : conjuncts(condition)) {
        if (each.getKind() != SqlKind.EQUALS) {
          continue;
        }
        int left = tableOf(((SqlCall) each).operand(0));
        int right = tableOf(((SqlCall) each).operand(1));
        if (left >= 0 && right >= 0) {
          parent[find(parent, left)] = find(parent, right);
        }
      }
    }
    for (int i = 1; i < parent.length; i++) {
      if (find(parent, i) != find(parent, 0)) {
        return false;
      }
    }
    return true;
  }

  private int tableOf(SqlNode node) {
    for (int i = 0; i < references.size(); i++) {
      if (SqlTrees.isColumn(node, references.get(i), columns.get(i), false)) {
        return i;
      }
    }
    return -1;
  }

  private static int find(int[] parent, int i) {
    int root = i;
    while (parent[root] != root) {
      root = parent[root];
    }
    return root;
  }

  private static List<SqlNode> conjuncts(SqlNode condition) {
    List<SqlNode> result = new ArrayList<>();
    if (condition == null) {
      return result;
    }
    if (condition.getKind() == SqlKind.AND) {
      for (SqlNode each : ((SqlCall) condition).getOperandList()) {
        result.addAll(conjuncts(each));
      }
    } else {
      result.add(condition);
    }
    return result;
  }

  /**
   * Returns whether a FROM clause joins only table references (any join type, ON conditions),
   * collecting their identifiers, the ON conditions, and whether a join is outer.
   */
  private static boolean tablesOnly(SqlNode from, Set<SqlNode> leaves, List<SqlNode> conditions,
      boolean[] outer) {
    if (from instanceof SqlJoin join) {
      JoinType type = join.getJoinType();
      if (join.isNatural() || join.getConditionType() == JoinConditionType.USING) {
        return false;
      }
      outer[0] |= type == JoinType.LEFT || type == JoinType.RIGHT || type == JoinType.FULL;
      if (join.getConditionType() == JoinConditionType.ON) {
        conditions.add(join.getCondition());
      }
      return tablesOnly(join.getLeft(), leaves, conditions, outer)
          && tablesOnly(join.getRight(), leaves, conditions, outer);
    }
    SqlNode item = from.getKind() == SqlKind.AS ? ((SqlCall) from).operand(0) : from;
    if (from.getKind() == SqlKind.AS && ((SqlCall) from).operandCount() > 2) {
      return false; // a column alias list renames the distribution column
    }
    if (item instanceof SqlIdentifier id && !id.isStar()) {
      leaves.add(id);
      return true;
    }
    return false;
  }
}
