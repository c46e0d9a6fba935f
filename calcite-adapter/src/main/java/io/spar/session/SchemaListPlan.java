package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.router.Replacement;
import io.spar.router.ShardSqlSplicer;
import io.spar.router.SplicedSql;
import io.spar.router.TableReference;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlNode;

/**
 * Plan of a statement that reads {@code spar_schemas}, the view of the distributed schemas:
 * each one's name, the host and port of its node, its number of tables and their bytes on the
 * node. The bytes are only known to the nodes, so the view has no definition on the
 * coordinator: each run reads its rows and splices them into the statement as a VALUES list,
 * and the statement then runs as any other would, filtered, ordered and joined as written.
 *
 * <p>The view is {@code pgs_distribution_metadata.spar_schemas}, also found unqualified unless
 * a relation of that name is on the session's search path.
 */
final class SchemaListPlan implements StatementPlan {
  static final String NAME = "spar_schemas";
  private static final String COLUMNS = "schema_name, node_name, node_port, tables, bytes";

  /** Source of the view's rows, as {@code spar_schemas()} returns them. */
  @FunctionalInterface
  interface Rows {
    List<Object[]> read() throws SQLException;
  }

  /** Planner of the statement once the view's rows are spliced in. */
  @FunctionalInterface
  interface Planner {
    StatementPlan prepare(String sql) throws SQLException;
  }

  private final ShardSqlSplicer splicer;
  private final List<TableReference> references;
  private final Rows rows;
  private final Planner planner;

  SchemaListPlan(ShardSqlSplicer splicer, List<TableReference> references, Rows rows,
      Planner planner) {
    this.splicer = splicer;
    this.references = references;
    this.rows = rows;
    this.planner = planner;
  }

  /**
   * Returns the references of {@code references} that name the view: qualified by its schema,
   * or unqualified while no relation of its name is on the search path of {@code coordinator}.
   */
  static List<TableReference> of(List<TableReference> references, Connection coordinator)
      throws SQLException {
    List<TableReference> views = new ArrayList<>();
    Boolean hidden = null;
    for (TableReference each : references) {
      if (!each.table().name().equals(NAME)) {
        continue;
      }
      if (each.identifier().names.size() == 1) {
        if (hidden == null) {
          hidden = isHidden(coordinator);
        }
        if (!hidden) {
          views.add(each);
        }
      } else if (each.table().schema().equals("pgs_distribution_metadata")) {
        views.add(each);
      }
    }
    return views;
  }

  private static boolean isHidden(Connection coordinator) throws SQLException {
    try (PreparedStatement ps = coordinator.prepareStatement(
        "SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
      ps.setString(1, NAME);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    SplicedSql text = splice();
    return planner.prepare(text.sql()).execute(ExpandedPlan.bind(text, parameters));
  }

  @Override
  public List<String> explain(List<Object> parameters) throws SQLException {
    SplicedSql text = splice();
    return planner.prepare(text.sql()).explain(ExpandedPlan.bind(text, parameters));
  }

  /**
   * Returns {@code value} as an expression of type text that holds only hexadecimal digits
   * between quotes, so that no setting ({@code standard_conforming_strings}) and no name can
   * change how it reads.
   */
  private static String text(String value) {
    return "pg_catalog.convert_from(pg_catalog.decode('"
        + java.util.HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8))
        + "', 'hex'), 'UTF8')";
  }

  /** Returns the statement with the view's current rows in place of each reference. */
  private SplicedSql splice() throws SQLException {
    List<String> values = new ArrayList<>();
    for (Object[] row : rows.read()) {
      values.add("(" + text((String) row[0]) + ", " + text((String) row[1]) + ", "
          + row[2] + "::integer, " + row[3] + "::bigint, " + row[4] + "::bigint)");
    }
    String relation = values.isEmpty()
        ? "(SELECT NULL::text, NULL::text, NULL::integer, NULL::bigint, NULL::bigint"
            + " WHERE false)"
        : "(VALUES " + String.join(", ", values) + ")";
    Map<SqlNode, Replacement> replacements = new IdentityHashMap<>();
    for (TableReference each : references) {
      replacements.put(each.identifier(), Replacement.text("(SELECT * FROM " + relation
          + " AS v(" + COLUMNS + "))" + (each.alias() != null ? "" : " AS " + NAME)));
    }
    return splicer.splice(replacements);
  }
}
