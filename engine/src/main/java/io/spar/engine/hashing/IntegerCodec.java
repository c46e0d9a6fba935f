package io.spar.engine.hashing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Pattern;

/** Codec for int2, int4 and int8, whose canonical Java value is a range-checked {@link Long}. */
final class IntegerCodec implements ValueCodec {

  static final IntegerCodec INT2 = new IntegerCodec("smallint", Short.MIN_VALUE, Short.MAX_VALUE);
  static final IntegerCodec INT4 = new IntegerCodec("integer", Integer.MIN_VALUE, Integer.MAX_VALUE);
  static final IntegerCodec INT8 = new IntegerCodec("bigint", Long.MIN_VALUE, Long.MAX_VALUE);

  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

  private final String sqlName;
  private final long min;
  private final long max;

  private IntegerCodec(String sqlName, long min, long max) {
    this.sqlName = sqlName;
    this.min = min;
    this.max = max;
  }

  @Override
  public Object coerce(Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return checkRange(((Number) value).longValue(), value);
    }
    if (value instanceof String text) {
      return parse(text);
    }
    if (value instanceof BigInteger big) {
      return fromBigInteger(big, value);
    }
    if (value instanceof BigDecimal decimal) {
      return fromBigDecimal(decimal, value);
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d) || d != Math.rint(d)) {
        throw ValueCodec.invalidSyntax(sqlName, value);
      }
      return fromBigDecimal(new BigDecimal(d), value);
    }
    throw ValueCodec.unsupportedClass(sqlName, value);
  }

  @Override
  public int hash(Object canonical) {
    long value = (Long) canonical;
    if (this == INT2) {
      return PgHash.hashInt2((short) value);
    }
    return this == INT4 ? PgHash.hashInt4((int) value) : PgHash.hashInt8(value);
  }

  @Override
  public int compare(Object a, Object b) {
    return Long.compare((Long) a, (Long) b);
  }

  @Override
  public String toText(Object canonical) {
    return canonical.toString();
  }

  private Long parse(String text) {
    String trimmed = ValueCodec.trimPgSpace(text);
    if (!INTEGER.matcher(trimmed).matches()) {
      throw ValueCodec.invalidSyntax(sqlName, text);
    }
    return fromBigInteger(new BigInteger(trimmed), text);
  }

  private Long fromBigDecimal(BigDecimal decimal, Object input) {
    BigDecimal stripped = decimal.stripTrailingZeros();
    if (stripped.scale() > 0) {
      throw ValueCodec.invalidSyntax(sqlName, input);
    }
    return fromBigInteger(stripped.toBigIntegerExact(), input);
  }

  private Long fromBigInteger(BigInteger big, Object input) {
    if (big.bitLength() > 63) {
      throw outOfRange(input);
    }
    return checkRange(big.longValue(), input);
  }

  private Long checkRange(long value, Object input) {
    if (value < min || value > max) {
      throw outOfRange(input);
    }
    return value;
  }

  private IllegalArgumentException outOfRange(Object input) {
    Object shown = input instanceof BigDecimal decimal ? decimal.toPlainString() : input;
    return new IllegalArgumentException("value \"" + shown + "\" is out of range for type " + sqlName);
  }
}
