package io.spar.planner.prune;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Optional;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.TimestampString;

/**
 * Conversion of Calcite literal values to the plain Java values that shard pruning compares.
 */
final class LiteralValues {
  private LiteralValues() {
  }

  /**
   * Returns the plain Java form of {@code literal}; empty if its type has no such form. A NULL
   * literal becomes an empty optional inside the result.
   */
  static Optional<Optional<Object>> of(RexLiteral literal) {
    if (literal.isNull()) {
      return Optional.of(Optional.empty());
    }
    SqlTypeName type = literal.getType().getSqlTypeName();
    // getValue() turns dates into Calendars; ask for the exact string forms instead.
    Comparable<?> value = switch (type) {
      case DATE -> literal.getValueAs(DateString.class);
      case TIMESTAMP -> literal.getValueAs(TimestampString.class);
      default -> literal.getValue();
    };
    return value == null ? Optional.empty() : of(value, type).map(Optional::of);
  }

  /** Returns the plain Java form of a literal or Sarg value of SQL type {@code type}. */
  static Optional<Object> of(Comparable<?> value, SqlTypeName type) {
    if (value instanceof BigDecimal decimal) {
      return Optional.of(SqlTypeName.INT_TYPES.contains(type) ? (Object) decimal.longValueExact()
          : decimal);
    }
    if (value instanceof NlsString string) {
      return Optional.ofNullable(string.getValue());
    }
    if (value instanceof DateString date) {
      return Optional.of(LocalDate.parse(date.toString()));
    }
    if (value instanceof TimestampString timestamp) {
      return Optional.of(LocalDateTime.parse(timestamp.toString().replace(' ', 'T')));
    }
    if (value instanceof Boolean bool) {
      return Optional.of(bool);
    }
    if (value instanceof String string) {
      return Optional.of(string);
    }
    return Optional.empty();
  }
}
