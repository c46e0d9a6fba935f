package io.spar.session;

import io.spar.engine.execution.RowCursor;
import io.spar.engine.execution.RowSet;
import io.spar.outcome.SparErrors;
import io.spar.outcome.StatementResult;
import io.spar.parser.SqlTokens;
import io.spar.parser.SqlTokens.Token;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plan of {@code INSERT INTO t [(columns)] SELECT … [ON CONFLICT …] [RETURNING …]} where the
 * query or the target is a distributed table: the query runs as Spar runs any query (on the
 * shards, merged as needed), and its rows go into the target as multi-row INSERTs of at most
 * {@value #BATCH_ROWS} rows, each routed to the target's shards like any INSERT, all in the
 * statement's transaction. RETURNING gives the rows of every batch, and the update count is
 * theirs together.
 */
final class InsertSelectPlan implements StatementPlan {
  private static final int BATCH_ROWS = 1_000;
  /** pgjdbc's limit of parameters per statement. */
  private static final int MAX_PARAMETERS = 32_767;

  /**
   * The parts of the statement's text.
   *
   * @param target the target as written, with its alias
   * @param columns the column list as written, or null
   * @param query the source query
   * @param tail ON CONFLICT and RETURNING, or empty
   */
  record Parts(String target, String columns, String query, String tail) {
  }

  private final Parts parts;
  private final long targetOid;
  private final StatementPlanner planner;
  private final SessionContext context;

  InsertSelectPlan(Parts parts, long targetOid, StatementPlanner planner,
      SessionContext context) {
    this.parts = parts;
    this.targetOid = targetOid;
    this.planner = planner;
    this.context = context;
  }

  /**
   * Returns the parts of {@code sql} if it is an INSERT whose rows come from a query, empty if
   * they come from VALUES or DEFAULT VALUES.
   */
  static Optional<Parts> parts(String sql) throws SQLException {
    List<Token> tokens = SqlTokens.of(sql);
    int i = 0;
    if (i + 1 >= tokens.size() || !tokens.get(0).is("insert") || !tokens.get(1).is("into")) {
      return Optional.empty();
    }
    i = 2;
    int targetStart = i;
    while (i < tokens.size() && !tokens.get(i).isSymbol("(") && !SqlTokens.startsQuery(tokens, i)
        && !tokens.get(i).is("overriding") && !tokens.get(i).is("default")) {
      i++;
    }
    if (i >= tokens.size() || i == targetStart) {
      return Optional.empty();
    }
    String target = sql.substring(tokens.get(targetStart).start(), tokens.get(i - 1).end());
    String columns = null;
    if (tokens.get(i).isSymbol("(") && !SqlTokens.startsQuery(tokens, i + 1)) {
      int close = SqlTokens.closing(tokens, i);
      columns = sql.substring(tokens.get(i).start(), tokens.get(close).end());
      i = close + 1;
    }
    if (i < tokens.size() && tokens.get(i).is("overriding")) {
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED,
          "OVERRIDING in INSERT … SELECT is not supported for distributed tables");
    }
    if (i >= tokens.size() || !SqlTokens.startsQuery(tokens, i) || tokens.get(i).is("values")) {
      return Optional.empty();
    }
    int queryStart = i;
    int depth = 0;
    for (; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (token.isSymbol("(")) {
        depth++;
      } else if (token.isSymbol(")")) {
        depth--;
      } else if (depth == 0 && (token.is("returning") || token.is("on") && i + 1 < tokens.size()
          && tokens.get(i + 1).is("conflict"))) {
        break;
      }
    }
    String query = sql.substring(tokens.get(queryStart).start(), tokens.get(i - 1).end());
    String tail = i < tokens.size() ? sql.substring(tokens.get(i).start()).strip() : "";
    for (int j = i; j < tokens.size(); j++) {
      if (tokens.get(j).kind() == SqlTokens.Kind.PARAMETER) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "parameters in ON CONFLICT"
            + " or RETURNING of INSERT … SELECT are not supported for distributed tables");
      }
    }
    if (tail.endsWith(";")) {
      tail = tail.substring(0, tail.length() - 1);
    }
    return Optional.of(new Parts(target, columns, query, tail));
  }


  @Override
  public StatementResult execute(List<Object> parameters) throws SQLException {
    RowSet source = planner.prepare(parts.query()).execute(parameters).rows();
    List<String[]> targetColumns = targetColumns(source.columns().size());
    int perBatch = Math.max(1, Math.min(BATCH_ROWS, MAX_PARAMETERS
        / Math.max(1, targetColumns.size())));
    List<Object[]> batch = new ArrayList<>();
    Inserted inserted = new Inserted();
    if (source.isStreaming()) {
      try (RowCursor cursor = source.takeCursor()) {
        for (Object[] row = cursor.next(); row != null; row = cursor.next()) {
          batch.add(row);
          if (batch.size() == perBatch) {
            inserted.add(insert(targetColumns, batch));
            batch.clear();
          }
        }
      } catch (Exception e) {
        throw e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), "XX000", e);
      }
    } else {
      for (Object[] row : source.rows()) {
        batch.add(row);
        if (batch.size() == perBatch) {
          inserted.add(insert(targetColumns, batch));
          batch.clear();
        }
      }
    }
    if (!batch.isEmpty() || inserted.result == null) {
      inserted.add(batch.isEmpty() ? emptyResult(targetColumns) : insert(targetColumns, batch));
    }
    return inserted.result;
  }

  /** The results of the batches, together. */
  private static final class Inserted {
    private StatementResult result;

    void add(StatementResult batch) {
      if (result == null) {
        result = batch;
        return;
      }
      StatementResult together;
      if (batch.hasRows()) {
        List<Object[]> rows = new ArrayList<>(result.rows().rows());
        rows.addAll(batch.rows().rows());
        together = StatementResult.ofRows(new RowSet(result.rows().columns(), rows));
      } else {
        together = StatementResult.ofCount(result.updateCount() + batch.updateCount());
      }
      for (SQLWarning each : result.warnings()) {
        together = together.withWarning(each);
      }
      for (SQLWarning each : batch.warnings()) {
        together = together.withWarning(each);
      }
      result = together;
    }
  }

  /**
   * Returns the result of inserting no rows: no update, or RETURNING's columns without rows, as
   * PostgreSQL describes them on the coordinator's table (described, not run).
   */
  private StatementResult emptyResult(List<String[]> columns) throws SQLException {
    if (SqlTokens.of(parts.tail()).stream().noneMatch(t -> t.is("returning"))) {
      return StatementResult.ofCount(0);
    }
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(parts.target())
        .append(columnList(columns)).append(" VALUES (");
    for (int i = 0; i < columns.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("CAST(NULL AS ").append(columns.get(i)[1])
          .append(')');
    }
    sql.append(") ").append(parts.tail());
    return context.coordinator().noRows(sql.toString());
  }

  private StatementResult insert(List<String[]> columns, List<Object[]> rows)
      throws SQLException {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(parts.target())
        .append(columnList(columns)).append(" VALUES ");
    List<Object> values = new ArrayList<>(rows.size() * columns.size());
    for (int r = 0; r < rows.size(); r++) {
      sql.append(r == 0 ? "(" : ", (");
      for (int c = 0; c < columns.size(); c++) {
        // The cast stands for the assignment PostgreSQL makes from the query's column.
        sql.append(c == 0 ? "" : ", ").append("CAST(? AS ").append(columns.get(c)[1])
            .append(')');
        values.add(rows.get(r)[c]);
      }
      sql.append(')');
    }
    if (!parts.tail().isEmpty()) {
      sql.append(' ').append(parts.tail());
    }
    return planner.prepare(sql.toString()).execute(values);
  }

  private String columnList(List<String[]> columns) {
    if (parts.columns() != null) {
      return " " + parts.columns();
    }
    List<String> names = columns.stream()
        .map(c -> io.spar.engine.catalog.SqlQuoting.identifier(c[0])).toList();
    return " (" + String.join(", ", names) + ")";
  }

  /**
   * Returns the target columns the query's {@code count} columns go to, with their types: the
   * listed ones, or the table's first {@code count} columns, as PostgreSQL assigns them.
   */
  private List<String[]> targetColumns(int count) throws SQLException {
    // An array type by its own name (pg_catalog._int4), which Spar's parser reads in a CAST
    // where it does not read integer[].
    List<Object[]> rows = context.coordinator().query("SELECT a.attname::text,"
        + " CASE WHEN t.typcategory = 'A' THEN pg_catalog.quote_ident(n.nspname) || '.'"
        + " || pg_catalog.quote_ident(t.typname)"
        + " ELSE pg_catalog.format_type(a.atttypid, a.atttypmod) END"
        + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
        + " WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped"
        + " AND a.attgenerated = '' ORDER BY a.attnum", List.of(targetOid)).rows();
    List<String[]> all = new ArrayList<>();
    rows.forEach(row -> all.add(new String[] {(String) row[0], (String) row[1]}));
    List<String[]> chosen = new ArrayList<>();
    if (parts.columns() != null) {
      for (Token each : SqlTokens.of(parts.columns())) {
        if (each.isIdentifier()) {
          String name = each.name();
          all.stream().filter(c -> c[0].equals(name)).findFirst().ifPresentOrElse(chosen::add,
              () -> chosen.add(new String[] {name, "unknown"}));
        }
      }
    } else {
      chosen.addAll(all.subList(0, Math.min(count, all.size())));
    }
    if (chosen.size() != count) {
      throw SparErrors.error("42601", count > chosen.size()
          ? "INSERT has more expressions than target columns"
          : "INSERT has more target columns than expressions");
    }
    return chosen;
  }

  @Override
  public List<String> explain(List<Object> parameters) throws SQLException {
    List<String> lines = new ArrayList<>();
    lines.add("Spar INSERT … SELECT: the query's rows are inserted in batches of up to "
        + BATCH_ROWS + " rows");
    lines.addAll(planner.prepare(parts.query()).explain(parameters));
    return lines;
  }

}
