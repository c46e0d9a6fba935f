package io.spar.engine.hashing;

import java.util.Locale;

/** Codec for bool, whose canonical Java value is a {@link Boolean}. */
final class BoolCodec implements ValueCodec {

  static final BoolCodec INSTANCE = new BoolCodec();

  private BoolCodec() {
  }

  @Override
  public Object coerce(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String text) {
      return parse(text);
    }
    if (value instanceof Number n && (n.toString().equals("0") || n.toString().equals("1"))) {
      return n.intValue() == 1;
    }
    throw value instanceof Number ? ValueCodec.invalidSyntax("boolean", value)
        : ValueCodec.unsupportedClass("boolean", value);
  }

  @Override
  public int hash(Object canonical) {
    return PgHash.hashBool((Boolean) canonical);
  }

  @Override
  public int compare(Object a, Object b) {
    return Boolean.compare((Boolean) a, (Boolean) b);
  }

  @Override
  public String toText(Object canonical) {
    return (Boolean) canonical ? "t" : "f";
  }

  /** Mirrors parse_bool_with_len: any unique prefix of true/false/yes/no, on/off (2+ letters), 1 and 0. */
  private static Boolean parse(String text) {
    String s = ValueCodec.trimPgSpace(text).toLowerCase(Locale.ROOT);
    if (!s.isEmpty()) {
      if ("true".startsWith(s) || "yes".startsWith(s) || s.equals("1") || (s.length() >= 2 && s.equals("on"))) {
        return Boolean.TRUE;
      }
      if ("false".startsWith(s) || "no".startsWith(s) || s.equals("0") || (s.length() >= 2 && "off".startsWith(s))) {
        return Boolean.FALSE;
      }
    }
    throw ValueCodec.invalidSyntax("boolean", text);
  }
}
