package io.spar.engine.hashing;

/**
 * Codec for text, varchar and bpchar, whose canonical Java value is a {@link String} (for bpchar without the
 * trailing spaces PostgreSQL ignores in comparisons and hashing).
 */
final class TextCodec implements ValueCodec {

  static final TextCodec TEXT = new TextCodec("text", false);
  static final TextCodec VARCHAR = new TextCodec("character varying", false);
  static final TextCodec BPCHAR = new TextCodec("character", true);

  private final String sqlName;
  private final boolean blankPadded;

  private TextCodec(String sqlName, boolean blankPadded) {
    this.sqlName = sqlName;
    this.blankPadded = blankPadded;
  }

  @Override
  public Object coerce(Object value) {
    String text;
    if (value instanceof String s) {
      text = s;
    } else if (value instanceof Character c) {
      text = c.toString();
    } else {
      throw ValueCodec.unsupportedClass(sqlName, value);
    }
    checkEncodable(text);
    return blankPadded ? PgHash.stripTrailingSpaces(text) : text;
  }

  @Override
  public int hash(Object canonical) {
    return PgHash.hashText((String) canonical);
  }

  @Override
  public int compare(Object a, Object b) {
    return compareCodePoints((String) a, (String) b);
  }

  @Override
  public String toText(Object canonical) {
    return (String) canonical;
  }

  /** Compares by code point, which is the UTF-8 byte order the C collation uses (unlike String.compareTo). */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /** Rejects what a UTF-8 PostgreSQL database cannot store, since it would otherwise be hashed as '?'. */
  private static void checkEncodable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        throw new IllegalArgumentException("invalid byte sequence for encoding \"UTF8\": 0x00");
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("invalid Unicode surrogate in text value at index " + i);
      }
    }
  }
}
