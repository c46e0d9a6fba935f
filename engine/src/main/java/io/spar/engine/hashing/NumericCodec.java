package io.spar.engine.hashing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Pattern;

/** Codec for numeric, whose canonical Java value is a {@link BigDecimal} with a non-negative scale. */
final class NumericCodec implements ValueCodec {

  static final NumericCodec INSTANCE = new NumericCodec();

  private static final Pattern NUMBER = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
  /** float8_numeric prints the double with DBL_DIG (15) significant digits before converting. */
  private static final MathContext DBL_DIG = new MathContext(15, RoundingMode.HALF_EVEN);

  private NumericCodec() {
  }

  @Override
  public Object coerce(Object value) {
    if (value instanceof BigDecimal decimal) {
      return normalize(decimal);
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    if (value instanceof BigInteger big) {
      return new BigDecimal(big);
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw special(value);
      }
      return normalize(new BigDecimal(d).round(DBL_DIG).stripTrailingZeros());
    }
    if (value instanceof String text) {
      return parse(text);
    }
    throw ValueCodec.unsupportedClass("numeric", value);
  }

  @Override
  public int hash(Object canonical) {
    return PgHash.hashNumeric((BigDecimal) canonical);
  }

  @Override
  public int compare(Object a, Object b) {
    return ((BigDecimal) a).compareTo((BigDecimal) b);
  }

  @Override
  public String toText(Object canonical) {
    return ((BigDecimal) canonical).toPlainString();
  }

  private static BigDecimal parse(String text) {
    String trimmed = ValueCodec.trimPgSpace(text);
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (lower.equals("nan") || lower.matches("[+-]?(inf|infinity)")) {
      throw special(text);
    }
    if (!NUMBER.matcher(trimmed).matches()) {
      throw ValueCodec.invalidSyntax("numeric", text);
    }
    return normalize(new BigDecimal(trimmed));
  }

  /** Gives 1E+3 the scale 0 PostgreSQL would display it with ("1000"). */
  private static BigDecimal normalize(BigDecimal decimal) {
    return decimal.scale() < 0 ? decimal.setScale(0) : decimal;
  }

  private static IllegalArgumentException special(Object input) {
    return new IllegalArgumentException("NaN and infinity are not supported as numeric partition values: \""
        + input + "\"");
  }
}
