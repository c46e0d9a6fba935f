package io.spar.router;

import io.spar.engine.catalog.PgFunctions;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * PostgreSQL volatility of expressions, from the coordinator's {@code pg_proc}, so that the
 * functions of any installed extension are judged as PostgreSQL judges them.
 *
 * <p>Operators and SQL syntax (CASE, CAST, COALESCE…) are immutable; functions take the most
 * volatile class of their overloads; the SQL-standard niladic functions such as
 * {@code CURRENT_TIMESTAMP} are stable, as in PostgreSQL.
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

  private static final Set<String> STABLE_NILADIC = Set.of("current_timestamp", "current_date",
      "current_time", "localtime", "localtimestamp", "current_user", "user", "session_user",
      "current_role", "current_schema", "current_catalog");

  private final PgFunctions functions;

  /** Creates a judge over the coordinator's functions. */
  public FunctionVolatility(PgFunctions functions) {
    this.functions = functions;
  }

  /** Returns the most volatile class of any function called in {@code node}. */
  public Volatility of(SqlNode node) {
    Volatility[] result = {Volatility.IMMUTABLE};
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlCall call) {
        if (call.getOperator() instanceof SqlFunction function) {
          result[0] = result[0].max(ofFunction(function.getName()));
        }
        return super.visit(call);
      }
    });
    return result[0];
  }

  private Volatility ofFunction(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (STABLE_NILADIC.contains(lower)) {
      return Volatility.STABLE;
    }
    return functions.volatility(lower).map(Volatility::of).orElse(Volatility.IMMUTABLE);
  }

  /** Returns whether {@code node} refers to a column or holds a subquery. */
  public static boolean readsRows(SqlNode node) {
    boolean[] result = {false};
    node.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlIdentifier identifier) {
        result[0] = true;
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
