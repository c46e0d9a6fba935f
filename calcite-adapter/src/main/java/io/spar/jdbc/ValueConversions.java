package io.spar.jdbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import org.postgresql.util.PGobject;

/**
 * Conversions of the values pgjdbc's {@code getObject} returns to the types JDBC getters ask
 * for, following pgjdbc's rules and messages so that Spar behaves like a plain PostgreSQL
 * connection.
 */
final class ValueConversions {
  /** SQLState of a string that is not a number (PostgreSQL's invalid_text_representation). */
  static final String INVALID_TEXT = "22P02";
  /** SQLState of a number outside the range of the requested type. */
  static final String OUT_OF_RANGE = "22003";
  /** SQLState pgjdbc uses for values that cannot become a boolean. */
  static final String CANNOT_COERCE = "42846";
  /** SQLState pgjdbc uses for unsupported {@code getObject(int, Class)} targets. */
  static final String INVALID_PARAMETER_TYPE = "07006";

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private ValueConversions() {
  }

  /** Returns {@code value} as PostgreSQL would print it, or null for SQL NULL. */
  static String toText(Object value) {
    if (value == null || value instanceof String) {
      return (String) value;
    }
    if (value instanceof Boolean b) {
      return b ? "t" : "f";
    }
    if (value instanceof byte[] bytes) {
      return "\\x" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof PGobject object) {
      return object.getValue();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof Timestamp timestamp && timestamp.getNanos() == 0) {
      String text = timestamp.toString(); // Timestamp prints ".0" where PostgreSQL prints nothing
      return text.substring(0, text.length() - 2);
    }
    return value.toString();
  }

  /** Returns {@code value} as a long within {@code [min, max]}; SQL NULL is 0. */
  static long toIntegral(Object value, String typeName, long min, long max) throws SQLException {
    long result;
    if (value == null) {
      return 0;
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      result = ((Number) value).longValue();
    } else if (value instanceof Boolean b) {
      result = b ? 1 : 0;
    } else {
      BigDecimal decimal = toBigDecimal(value, typeName);
      // Truncated toward zero like pgjdbc, which reads "1.9" as 1.
      if (decimal.compareTo(LONG_MIN) < 0 || decimal.compareTo(LONG_MAX) > 0) {
        throw badValue(typeName, value, OUT_OF_RANGE);
      }
      result = decimal.longValue();
    }
    if (result < min || result > max) {
      throw badValue(typeName, value, OUT_OF_RANGE);
    }
    return result;
  }

  /** Returns {@code value} as a double; SQL NULL is 0. */
  static double toDouble(Object value, String typeName) throws SQLException {
    if (value == null) {
      return 0;
    }
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value instanceof Boolean b) {
      return b ? 1 : 0;
    }
    try {
      return Double.parseDouble(toText(value).trim());
    } catch (NumberFormatException e) {
      throw badValue(typeName, value, INVALID_TEXT);
    }
  }

  /** Returns {@code value} as a BigDecimal, or null for SQL NULL. */
  static BigDecimal toBigDecimal(Object value, String typeName) throws SQLException {
    if (value == null || value instanceof BigDecimal) {
      return (BigDecimal) value;
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw badValue(typeName, value, OUT_OF_RANGE);
      }
      return new BigDecimal(value.toString());
    }
    if (value instanceof BigInteger integer) {
      return new BigDecimal(integer);
    }
    if (value instanceof Number number) {
      return BigDecimal.valueOf(number.longValue());
    }
    if (value instanceof Boolean b) {
      return b ? BigDecimal.ONE : BigDecimal.ZERO;
    }
    try {
      return new BigDecimal(toText(value).trim());
    } catch (NumberFormatException e) {
      throw badValue(typeName, value, INVALID_TEXT);
    }
  }

  /** Returns {@code value} as a boolean the way pgjdbc reads booleans; SQL NULL is false. */
  static boolean toBoolean(Object value) throws SQLException {
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof Number number) {
      double d = number.doubleValue();
      if (d == 1 || d == 0) {
        return d == 1;
      }
    } else {
      String text = toText(value).trim().toLowerCase(Locale.ROOT);
      switch (text) {
        case "1", "true", "t", "yes", "y", "on":
          return true;
        case "0", "false", "f", "no", "n", "off":
          return false;
        default:
          break;
      }
    }
    throw new SQLException("Cannot cast to boolean: \"" + toText(value) + "\"", CANNOT_COERCE);
  }

  /** Returns {@code value} as bytes: bytea as is, anything else as its UTF-8 text. */
  static byte[] toBytes(Object value) {
    if (value == null || value instanceof byte[]) {
      return (byte[]) value;
    }
    return toText(value).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns {@code value} as an instance of {@code type} for {@code getObject(int, Class)};
   * {@code zoned} says whether the column holds instants (timestamptz) rather than local times.
   */
  static <T> T toObject(Object value, Class<T> type, String typeName, boolean zoned)
      throws SQLException {
    if (value == null) {
      return null;
    }
    Object converted = convertScalar(value, type, typeName);
    if (converted == null) {
      converted = TemporalConversions.toTemporal(value, type, zoned);
    }
    if (converted == null && type.isInstance(value)) {
      converted = value;
    }
    if (converted == null) {
      throw new SQLException("conversion to " + type.getName() + " from " + typeName
          + " not supported", INVALID_PARAMETER_TYPE);
    }
    return type.cast(converted);
  }

  private static Object convertScalar(Object value, Class<?> type, String typeName)
      throws SQLException {
    if (type == String.class) {
      return toText(value);
    } else if (type == Integer.class) {
      return (int) toIntegral(value, "int", Integer.MIN_VALUE, Integer.MAX_VALUE);
    } else if (type == Long.class) {
      return toIntegral(value, "long", Long.MIN_VALUE, Long.MAX_VALUE);
    } else if (type == Short.class) {
      return (short) toIntegral(value, "short", Short.MIN_VALUE, Short.MAX_VALUE);
    } else if (type == Byte.class) {
      return (byte) toIntegral(value, "byte", Byte.MIN_VALUE, Byte.MAX_VALUE);
    } else if (type == Double.class) {
      return toDouble(value, "double");
    } else if (type == Float.class) {
      return (float) toDouble(value, "float");
    } else if (type == BigDecimal.class) {
      return toBigDecimal(value, "BigDecimal");
    } else if (type == BigInteger.class) {
      return toBigDecimal(value, "BigInteger").toBigInteger();
    } else if (type == Boolean.class) {
      return toBoolean(value);
    } else if (type == byte[].class) {
      return toBytes(value);
    } else if (type == UUID.class) {
      return toUuid(value);
    }
    return null;
  }

  private static UUID toUuid(Object value) throws SQLException {
    if (value instanceof UUID uuid) {
      return uuid;
    }
    try {
      return UUID.fromString(toText(value).trim());
    } catch (IllegalArgumentException e) {
      throw badValue("uuid", value, INVALID_TEXT);
    }
  }

  /** Returns pgjdbc's "Bad value for type" error for {@code value}. */
  static SQLException badValue(String typeName, Object value, String sqlState) {
    return new SQLException("Bad value for type " + typeName + " : " + toText(value), sqlState);
  }
}
