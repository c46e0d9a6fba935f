package io.spar.session;

import io.spar.outcome.StatementResult;
import io.spar.outcome.SparErrors;
import io.spar.engine.SparEngine;
import io.spar.engine.execution.ColumnInfo;
import io.spar.engine.execution.RowSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spar's own settings in the {@code spar.} namespace, set and shown with PostgreSQL's
 * {@code SET} and {@code SHOW} syntax.
 *
 * <p>{@code spar.enable_schema_based_sharding} makes {@code CREATE SCHEMA} distribute the
 * schema it creates (schema-based sharding).
 *
 * <p>{@code spar.log_distributed_statements} (pg_shard's
 * {@code pg_shard.log_distributed_statements}) logs every statement sent to a node through
 * SLF4J, with its shard and node. It applies to the whole engine, since the log is shared.
 */
final class SparSettings {
  private static final Pattern SET = Pattern.compile(
      "^\\s*SET\\s+(?:SESSION\\s+)?spar\\.(\\w+)\\s*(?:=|TO)\\s*'?(\\w+)'?\\s*;?\\s*$",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern SHOW = Pattern.compile(
      "^\\s*SHOW\\s+spar\\.(\\w+)\\s*;?\\s*$", Pattern.CASE_INSENSITIVE);
  private static final String LOG_STATEMENTS = "log_distributed_statements";
  /**
   * Whether {@code CREATE SCHEMA} makes a distributed schema (issue 14). Unlike the log
   * setting it belongs to the session, so it is the coordinator session's own setting, with
   * PostgreSQL's {@code SET}, {@code SET LOCAL} and {@code RESET}; its value is checked here.
   */
  private static final String SCHEMA_BASED_SHARDING = "enable_schema_based_sharding";

  private final SparEngine engine;

  SparSettings(SparEngine engine) {
    this.engine = engine;
  }

  /** Carries out {@code sql} if it sets or shows a Spar setting. */
  Optional<StatementResult> handle(String sql) throws java.sql.SQLException {
    Matcher set = SET.matcher(sql);
    if (set.matches() && set.group(1).equalsIgnoreCase(SCHEMA_BASED_SHARDING)) {
      parseBoolean(set.group(1), set.group(2));
      return Optional.empty(); // the coordinator's session keeps it, as PostgreSQL keeps any
    }
    if (set.matches()) {
      requireKnown(set.group(1));
      engine.statementLog().setLogStatements(parseBoolean(LOG_STATEMENTS, set.group(2)));
      return Optional.of(StatementResult.ofCount(0));
    }
    Matcher show = SHOW.matcher(sql);
    if (show.matches() && !show.group(1).equalsIgnoreCase(SCHEMA_BASED_SHARDING)) {
      requireKnown(show.group(1));
      String value = engine.statementLog().logsStatements() ? "on" : "off";
      ColumnInfo column = new ColumnInfo("spar." + LOG_STATEMENTS, Types.VARCHAR, "text",
          Integer.MAX_VALUE, 0, 0, String.class.getName());
      List<Object[]> rows = new ArrayList<>();
      rows.add(new Object[] {value});
      return Optional.of(StatementResult.ofRows(new RowSet(List.of(column), rows)));
    }
    return Optional.empty();
  }

  private static void requireKnown(String name) throws java.sql.SQLException {
    if (!name.equalsIgnoreCase(LOG_STATEMENTS)) {
      throw SparErrors.error("42704", "unrecognized configuration parameter \"spar." + name
          + "\"");
    }
  }

  private static boolean parseBoolean(String name, String value)
      throws java.sql.SQLException {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1" -> true;
      case "off", "false", "no", "0" -> false;
      default -> throw SparErrors.error(SparErrors.INVALID_PARAMETER_VALUE,
          "parameter \"spar." + name + "\" requires a Boolean value");
    };
  }
}
