package io.spar.session;

import io.spar.outcome.SparErrors;
import io.spar.engine.catalog.CatalogSnapshot;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refusal of statements that Spar would pass to the coordinator as written although they read
 * or fill a distributed table: the coordinator's copy of such a table is an empty shell, so
 * they would answer from no rows, or store rows where no query through Spar sees them.
 */
final class ShellReads {
  /** Statements that read or write rows and that Spar does not plan itself. */
  private static final Set<String> DATA_COMMANDS = Set.of("copy", "declare", "prepare",
      "refresh");
  /** CREATE TABLE … AS, CREATE MATERIALIZED VIEW … AS, which store a query's rows. */
  private static final Pattern STORES_QUERY = Pattern.compile(
      "^\\s*create\\s+(?:or\\s+replace\\s+)?(?:(?:global|local)\\s+)?"
          + "(?:(?:temp|temporary|unlogged)\\s+)?(?:table|materialized\\s+view)\\b.*\\bas\\b"
          + "\\s*[(]*\\s*(?:select|with|values|table|execute)\\b.*",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private ShellReads() {
  }

  /**
   * Throws 0A000 if {@code sql}, which starts with {@code keyword} and would run on the
   * coordinator as written, names a distributed table or a view that reads one.
   */
  static void refuse(String keyword, String sql, CatalogSnapshot snapshot) throws SQLException {
    boolean data = DATA_COMMANDS.contains(keyword);
    if (!data && !(keyword.equals("create") && STORES_QUERY.matcher(stripComments(sql))
        .matches())) {
      return;
    }
    Optional<String> table = DistributedNames.firstMentioned(sql, snapshot);
    if (table.isEmpty()) {
      return;
    }
    String name = "\"" + table.get() + "\"";
    if (keyword.equals("copy")) {
      boolean fromFile = Pattern.compile("\\bfrom\\s+'", Pattern.CASE_INSENSITIVE)
          .matcher(sql).find();
      throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, fromFile
          ? "COPY FROM a file into distributed table " + name + " is not supported"
          : "COPY of distributed table " + name + " is not supported through Spar", null,
          "COPY FROM STDIN and TO STDOUT through the Spar connection's COPY API"
              + " (SparConnection.getCopyAPI()); the coordinator's copy of a distributed table"
              + " holds no rows.");
    }
    String command = keyword.toUpperCase(Locale.ROOT);
    throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, (data ? command
        : "storing the rows of a query") + " on distributed table " + name
        + " is not supported through Spar", null, data && !keyword.equals("refresh")
            ? "Use JDBC prepared statements and result sets instead."
            : "Query the distributed tables through Spar and store the rows with INSERT.");
  }

  private static String stripComments(String sql) {
    return sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\\n]*", " ");
  }
}
