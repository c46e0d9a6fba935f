package io.spar.router;

import io.spar.engine.catalog.PgFunction;
import io.spar.engine.catalog.PgFunctions;
import io.spar.parser.SqlTokens;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUnknownLiteral;
import org.apache.calcite.sql.SqlUnresolvedFunction;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * PostgreSQL volatility of expressions, from the coordinator's {@code pg_proc}, so that the
 * functions of any installed extension are judged as PostgreSQL judges them.
 *
 * <p>A function call resolves as PostgreSQL resolves it ({@link FunctionCandidates}): in the
 * schema it names, or else on the session's function path, among the overloads that take its
 * number of arguments; it takes the most volatile class of those, since argument types are
 * not known here. A call that resolves to nothing is VOLATILE: it may exist on the workers
 * and must never run separately on each replica.
 *
 * <p>Syntax that looks like a call but is no function (COALESCE, NULLIF, GREATEST, LEAST,
 * CASE, CAST, the XML constructors) is immutable. The SQL value functions such as
 * {@code CURRENT_TIMESTAMP} and {@code CURRENT_USER} are stable, as in PostgreSQL, and so is a
 * typed or cast string literal that names the current time ({@code 'now'}, {@code 'today'},
 * {@code 'tomorrow'}, {@code 'yesterday'}): PostgreSQL reads such a literal once where it
 * parses the statement, but each placement would parse it again. Operators are immutable
 * unless some operator of that name calls a VOLATILE function. The built-in operators that
 * are only STABLE (timestamptz arithmetic, cross-type date comparisons, text concatenation
 * with non-text values) depend only on session settings such as TimeZone, which every
 * placement of a statement shares.
 */
public final class FunctionVolatility {
  /** Volatility classes in increasing order, with {@code pg_proc.provolatile}'s codes. */
  public enum Volatility {
    IMMUTABLE, STABLE, VOLATILE;

    static Volatility of(char code) {
      return code == 'v' ? VOLATILE : code == 's' ? STABLE : IMMUTABLE;
    }

    Volatility max(Volatility other) {
      return compareTo(other) >= 0 ? this : other;
    }
  }

  /** The coordinator's functions and operators, as far as volatility needs them. */
  public interface Catalog {
    /** Returns every overload of function {@code name}, in any schema. */
    List<PgFunction> overloads(String name) throws SQLException;

    /** Returns the names of the operators that call a VOLATILE function. */
    Set<String> volatileOperators() throws SQLException;
  }

  private static final Set<String> SQL_VALUE_FUNCTIONS = Set.of("current_timestamp",
      "current_date", "current_time", "localtime", "localtimestamp", "current_user", "user",
      "session_user", "current_role", "current_schema", "current_catalog", "system_user");

  /** Expressions PostgreSQL's grammar writes like calls, though no function evaluates them. */
  private static final Set<String> CALL_SYNTAX = Set.of("coalesce", "nullif", "greatest", "least",
      "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlparse", "xmlpi", "xmlroot",
      "xmlserialize");

  /** Calcite's names of special-syntax functions whose {@code pg_proc} name differs. */
  private static final Map<String, String> SPECIAL_NAMES = Map.of("TRIM", "btrim",
      "TRANSLATE3", "translate", "CHARACTER_LENGTH", "char_length");

  /** Operators Calcite names with words, by their PostgreSQL names. */
  private static final Map<String, String> WORD_OPERATORS = Map.of("LIKE", "~~",
      "NOT LIKE", "!~~", "ILIKE", "~~*", "NOT ILIKE", "!~~*",
      "POSIX REGEX CASE SENSITIVE", "~", "POSIX REGEX CASE INSENSITIVE", "~*",
      "NEGATED POSIX REGEX CASE SENSITIVE", "!~", "NEGATED POSIX REGEX CASE INSENSITIVE", "!~*");

  private static final Set<String> TIME_WORDS = Set.of("now", "today", "tomorrow", "yesterday");

  private final Catalog catalog;
  private final List<String> path;

  /**
   * Creates a judge over {@code catalog}, resolving unqualified calls on {@code path} (the
   * session's {@code current_schemas(true)} without its temporary schema).
   */
  public FunctionVolatility(Catalog catalog, List<String> path) {
    this.catalog = catalog;
    this.path = List.copyOf(path);
  }

  /** Returns a catalog that reads {@code functions}, turning its failures into SQLExceptions. */
  public static Catalog catalog(PgFunctions functions) {
    return new Catalog() {
      @Override
      public List<PgFunction> overloads(String name) throws SQLException {
        try {
          return functions.overloads(name);
        } catch (PgFunctions.CatalogReadException e) {
          throw (SQLException) e.getCause();
        }
      }

      @Override
      public Set<String> volatileOperators() throws SQLException {
        try {
          return functions.volatileOperators();
        } catch (PgFunctions.CatalogReadException e) {
          throw (SQLException) e.getCause();
        }
      }
    };
  }

  /** Returns the most volatile class of anything {@code node} evaluates. */
  public Volatility of(SqlNode node) throws SQLException {
    return walk(node, null);
  }

  /**
   * Returns whether {@code node} surely calls no VOLATILE function, so that running it cannot
   * leave session state behind; a function that cannot be resolved counts as volatile.
   */
  public boolean callsNoVolatileFunction(SqlNode node) {
    try {
      return of(node) != Volatility.VOLATILE;
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Returns the calls in {@code node} that resolve to no function on the coordinator, as
   * {@code name/argument count}, in text order.
   */
  public List<String> unresolved(SqlNode node) throws SQLException {
    List<String> names = new ArrayList<>();
    walk(node, names);
    return names;
  }

  /**
   * Returns whether the statement {@code sql} calls, by any name it writes before a
   * parenthesis, a VOLATILE function outside {@code pg_catalog}. Only such a call can run DDL: PostgreSQL refuses DDL in functions that are not
   * VOLATILE, and none of its own functions runs any. It reads tokens rather than a parse tree,
   * so that it also judges statements Spar's parser cannot read, and errs towards yes.
   */
  public boolean mayRunDdl(String sql) throws SQLException {
    List<SqlTokens.Token> tokens = SqlTokens.of(sql);
    for (int i = 0; i < tokens.size(); i++) {
      int end = SqlTokens.nameEnd(tokens, i);
      if (end == i || end >= tokens.size() || !tokens.get(end).isSymbol("(")) {
        i = Math.max(i, end - 1);
        continue;
      }
      String name = tokens.get(end - 1).name();
      String schema = end - i >= 3 ? tokens.get(end - 3).name() : null;
      for (PgFunction each : catalog.overloads(name)) {
        if ((schema == null ? path.contains(each.schema()) : each.schema().equals(schema))
            && each.volatility() == 'v' && !each.schema().equals("pg_catalog")) {
          return true;
        }
      }
      i = end - 1;
    }
    return false;
  }

  private Volatility walk(SqlNode node, List<String> unresolved) throws SQLException {
    Volatility[] result = {Volatility.IMMUTABLE};
    SQLException[] failure = {null};
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlCall call) {
        try {
          result[0] = result[0].max(ofCall(call, unresolved));
        } catch (SQLException e) {
          failure[0] = failure[0] == null ? e : failure[0];
        }
        return super.visit(call);
      }

      @Override
      public Void visit(SqlIdentifier identifier) {
        if (isSqlValueFunction(identifier)) {
          result[0] = result[0].max(Volatility.STABLE);
        }
        return null;
      }

      @Override
      public Void visit(SqlLiteral literal) {
        if (literal instanceof SqlUnknownLiteral typed && namesMoment(typed.getValue())) {
          result[0] = result[0].max(Volatility.STABLE);
        }
        return null;
      }
    });
    if (failure[0] != null) {
      throw failure[0];
    }
    return result[0];
  }

  private Volatility ofCall(SqlCall call, List<String> unresolved) throws SQLException {
    SqlOperator operator = call.getOperator();
    if (operator instanceof SqlUnresolvedFunction function) {
      return ofNamedCall(function.getSqlIdentifier(), call.operandCount(), unresolved);
    }
    if (call.getKind() == SqlKind.CAST) {
      return call.operand(0) instanceof SqlLiteral literal && namesMoment(literal.toValue())
          ? Volatility.STABLE : Volatility.IMMUTABLE;
    }
    if (operator instanceof SqlFunction) {
      return ofSpecialFunction(operator.getName(), unresolved);
    }
    String name = WORD_OPERATORS.getOrDefault(operator.getName(), operator.getName());
    return catalog.volatileOperators().contains(name) ? Volatility.VOLATILE
        : Volatility.IMMUTABLE;
  }

  private Volatility ofNamedCall(SqlIdentifier identifier, int count, List<String> unresolved)
      throws SQLException {
    List<String> names = identifier.names;
    String name = names.get(names.size() - 1);
    if (names.size() == 1 && !identifier.isComponentQuoted(0)) {
      if (CALL_SYNTAX.contains(name)) {
        return Volatility.IMMUTABLE;
      }
      if (SQL_VALUE_FUNCTIONS.contains(name)) {
        return Volatility.STABLE; // CURRENT_TIMESTAMP(3) and the like
      }
    }
    String schema = names.size() > 1 ? names.get(names.size() - 2) : null;
    List<PgFunction> candidates = FunctionCandidates.of(catalog.overloads(name), schema, count,
        path);
    return mostVolatile(candidates, String.join(".", names) + "/" + count, unresolved);
  }

  /** Judges SUBSTRING, TRIM, POSITION and the like by every overload in pg_catalog. */
  private Volatility ofSpecialFunction(String calciteName, List<String> unresolved)
      throws SQLException {
    String name = SPECIAL_NAMES.getOrDefault(calciteName, calciteName.toLowerCase(Locale.ROOT));
    List<PgFunction> candidates = catalog.overloads(name).stream()
        .filter(each -> each.schema().equals("pg_catalog") && each.kind() != 'p').toList();
    return mostVolatile(candidates, calciteName, unresolved);
  }

  private static Volatility mostVolatile(List<PgFunction> candidates, String call,
      List<String> unresolved) {
    if (candidates.isEmpty()) {
      if (unresolved != null) {
        unresolved.add(call);
      }
      return Volatility.VOLATILE;
    }
    Volatility result = Volatility.IMMUTABLE;
    for (PgFunction each : candidates) {
      result = result.max(Volatility.of(each.volatility()));
    }
    return result;
  }

  /** Returns whether {@code identifier} is a SQL value function such as CURRENT_DATE. */
  static boolean isSqlValueFunction(SqlIdentifier identifier) {
    return identifier.names.size() == 1 && !identifier.isComponentQuoted(0)
        && SQL_VALUE_FUNCTIONS.contains(identifier.names.get(0));
  }

  /**
   * Returns whether {@code value} is a string in which PostgreSQL's date and time input may read
   * the current moment: one with the word now, today, tomorrow or yesterday in it, in any case
   * ({@code 'tomorrow 10:00'} is a timestamp).
   */
  static boolean namesMoment(Object value) {
    if (!(value instanceof String text)) {
      return false;
    }
    for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
      if (TIME_WORDS.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** Returns whether {@code node} refers to a column or holds a subquery. */
  public static boolean readsRows(SqlNode node) {
    boolean[] result = {false};
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlIdentifier identifier) {
        result[0] |= !isSqlValueFunction(identifier);
        return null;
      }

      @Override
      public Void visit(SqlCall call) {
        if (call instanceof SqlSelect) {
          result[0] = true;
          return null;
        }
        // The operands, not the function's own name, are what may name columns.
        for (SqlNode each : call.getOperandList()) {
          if (each != null) {
            each.accept(this);
          }
        }
        return null;
      }
    });
    return result[0];
  }
}
