package io.spar.adapter;

import io.spar.engine.SparEngine;
import io.spar.engine.execution.ReadScope;
import io.spar.engine.execution.RowSet;
import io.spar.engine.execution.SessionConnections;
import io.spar.parser.SparQueries;
import io.spar.parser.SqlLockingClause;
import io.spar.parser.SqlParsing;
import io.spar.planner.exec.ScanSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.jdbc.Driver;
import org.apache.calcite.schema.SchemaPlus;

/**
 * Runner of one session's SELECTs through Calcite with Spar's rules: filters and projections go
 * to the shards, everything else runs at the coordinator.
 *
 * <p>Owns one Calcite connection, opened on first use, whose root schema holds a
 * {@link SparSchema} per PostgreSQL schema. Not thread-safe, like the session it serves.
 */
public final class CalciteQueryRunner implements AutoCloseable {
  static {
    // Calcite reads these once; without them it rejects non-Latin-1 string literals.
    setDefault("calcite.default.charset", "UTF-8");
    setDefault("calcite.default.nationalcharset", "UTF-8");
    setDefault("calcite.default.collation.name", "UTF-8$en_US");
  }

  private static final String SCHEMAS_SQL = "SELECT nspname FROM pg_catalog.pg_namespace"
      + " WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
      + " AND nspname <> 'pgs_distribution_metadata'";

  private final SparEngine engine;
  private final SessionConnections connections;
  private final Supplier<ReadScope> scope;
  private final Set<String> schemas = new HashSet<>();
  private CalciteConnection calcite;
  private long schemasGeneration = -1;

  /**
   * Creates a runner for the session that holds {@code connections} on {@code engine}, whose
   * reads run in the transaction {@code scope} returns when they run.
   */
  public CalciteQueryRunner(SparEngine engine, SessionConnections connections,
      Supplier<ReadScope> scope) {
    this.engine = engine;
    this.connections = connections;
    this.scope = scope;
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /**
   * Plans and runs a SELECT (any query expression) through Calcite with Spar's rules. A query
   * with locking clauses ({@code FOR UPDATE}, ...) is refused with 0A000: Calcite's plan would
   * read the shards without locking their rows.
   */
  public RowSet query(String sql, List<Object> parameters) throws SQLException {
    try {
      CalciteConnection connection = connection();
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        for (int i = 0; i < parameters.size(); i++) {
          statement.setObject(i + 1, parameters.get(i));
        }
        try (ResultSet resultSet = statement.executeQuery()) {
          return ColumnLabels.relabel(RowSet.read(resultSet), sql);
        }
      }
    } catch (SQLException | RuntimeException e) {
      throw CalciteErrors.translate(e);
    }
  }

  /**
   * Returns Calcite's plan of the query {@code sql} as rows of text. A query with locking
   * clauses is refused as {@link #query} refuses it; Calcite's EXPLAIN would not even parse it.
   */
  public RowSet explain(String sql, List<Object> parameters) throws SQLException {
    var locking = SparQueries.lockingClauses(SqlParsing.parse(sql));
    if (locking.isPresent()) {
      throw CalciteErrors.lockingNotSupported(new LockingNotSupportedException(
          ((SqlLockingClause) locking.get().get(0)).getStrength()));
    }
    return query("EXPLAIN PLAN FOR " + sql, parameters);
  }

  private CalciteConnection connection() throws SQLException {
    if (calcite == null) {
      PgOperatorTable functions = new PgOperatorTable(engine.functions());
      Connection connection = new Driver().withPrepareFactory(() -> new SparPrepare(functions))
          .connect("jdbc:calcite:", properties());
      calcite = connection.unwrap(CalciteConnection.class);
      for (String type : PgColumnTypes.CAST_TARGETS) {
        // CAST(x AS text) and x::text look the type name up in the root schema.
        calcite.getRootSchema().add(type, factory -> PgColumnTypes.ofTypeName(factory, type));
      }
    }
    addSchemas();
    return calcite;
  }

  private static Properties properties() {
    Properties result = new Properties();
    result.setProperty("quoting", "DOUBLE_QUOTE");
    result.setProperty("unquotedCasing", "TO_LOWER");
    result.setProperty("quotedCasing", "UNCHANGED");
    result.setProperty("caseSensitive", "true");
    result.setProperty("conformance", "BABEL");
    result.setProperty("parserFactory",
        "io.spar.parser.impl.SparSqlParserImpl#FACTORY");
    result.setProperty("fun", "standard,postgresql");
    result.setProperty("defaultNullCollation", "HIGH");
    result.setProperty("typeSystem", PostgresTypeSystem.class.getName() + "#INSTANCE");
    return result;
  }

  /** Adds a sub-schema for every PostgreSQL schema created since the last check. */
  private void addSchemas() throws SQLException {
    long generation = engine.metadata().generation();
    if (generation == schemasGeneration) {
      return;
    }
    SchemaPlus root = calcite.getRootSchema();
    try (PreparedStatement statement = connections.coordinator().prepareStatement(SCHEMAS_SQL);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        if (schemas.add(name)) {
          SchemaPlus added = root.add(name,
              new SparSchema(name, new ScanSource(engine, scope), connections::coordinator));
          // Lookups must reach SparSchema, whose own cache follows the metadata generation.
          added.setCacheEnabled(false);
        }
      }
    }
    if (schemas.contains("public")) {
      calcite.setSchema("public");
    }
    schemasGeneration = generation;
  }

  @Override
  public void close() {
    if (calcite != null) {
      try {
        calcite.close();
      } catch (SQLException e) {
        // Closing an in-memory Calcite connection releases nothing that could fail usefully.
      }
      calcite = null;
    }
  }
}
