package io.spar.engine.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which DDL invalidates only the plans that name the objects it made, rather than every plan.
 *
 * <p>A plan decides which of a statement's tables are distributed, with which columns, and
 * which are co-located. Creating a table, an index, a sequence or a schema, and commenting on
 * or granting an object, change none of that for tables that exist; a new table can only hide
 * another of the same name on the search path, and then only plans whose text names it are
 * affected. Every other DDL (ALTER, DROP, RENAME, functions, types, views, extensions) may
 * change what any plan decided, and invalidates all of them.
 *
 * <p>The coordinator's event trigger ({@code pgs_distribution_metadata.notify_ddl}) makes the
 * same decision for DDL run by any client, from {@link #NAMED_TAGS}: changing the list needs a
 * catalog migration that replaces that function.
 */
public final class DdlInvalidation {
  /** Command tags whose objects affect only plans that name them. */
  static final List<String> NAMED_TAGS = List.of("CREATE TABLE", "CREATE TABLE AS",
      "SELECT INTO", "CREATE INDEX", "CREATE SEQUENCE", "ALTER SEQUENCE", "CREATE SCHEMA",
      "COMMENT", "GRANT", "REVOKE");

  private DdlInvalidation() {
  }

  /** One object a DDL statement reported: its command tag and identity (null if none). */
  public record Change(String tag, String identity) {
  }

  /**
   * Returns the names whose plans {@code changes} invalidate, if they invalidate only those;
   * empty if they invalidate every plan.
   */
  public static Optional<Set<String>> names(List<Change> changes) {
    if (changes.isEmpty()) {
      return Optional.empty();
    }
    for (Change each : changes) {
      if (!NAMED_TAGS.contains(each.tag())) {
        return Optional.empty();
      }
    }
    return Optional.of(changes.stream().filter(each -> each.identity() != null)
        .map(each -> {
          List<String> parts = identifiers(each.identity(), '.');
          return parts.get(parts.size() - 1);
        }).collect(Collectors.toUnmodifiableSet()));
  }

  /** Returns the SQL list of {@link #NAMED_TAGS}, for the event trigger's function. */
  static String sqlTags() {
    return NAMED_TAGS.stream().map(SqlQuoting::literal).collect(Collectors.joining(", "));
  }

  /**
   * Splits {@code text}, identifiers as PostgreSQL prints them ({@code quote_ident}: bare, or
   * in double quotes with doubled quotes inside), at each {@code separator} outside quotes.
   */
  public static List<String> identifiers(String text, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          part.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == separator && !quoted) {
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    parts.add(part.toString());
    return parts;
  }
}
