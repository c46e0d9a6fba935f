package io.spar.engine.hashing;

import java.util.UUID;

/** Codec for uuid, whose canonical Java value is a {@link UUID}. */
final class UuidCodec implements ValueCodec {

  static final UuidCodec INSTANCE = new UuidCodec();

  private UuidCodec() {
  }

  @Override
  public Object coerce(Object value) {
    if (value instanceof UUID uuid) {
      return uuid;
    }
    if (value instanceof String text) {
      return parse(text);
    }
    throw ValueCodec.unsupportedClass("uuid", value);
  }

  @Override
  public int hash(Object canonical) {
    return PgHash.hashUuid((UUID) canonical);
  }

  @Override
  public int compare(Object a, Object b) {
    UUID x = (UUID) a;
    UUID y = (UUID) b;
    // PostgreSQL compares the 16 bytes with memcmp, i.e. unsigned; UUID.compareTo compares signed longs.
    int high = Long.compareUnsigned(x.getMostSignificantBits(), y.getMostSignificantBits());
    return high != 0 ? high : Long.compareUnsigned(x.getLeastSignificantBits(), y.getLeastSignificantBits());
  }

  @Override
  public String toText(Object canonical) {
    return canonical.toString();
  }

  /**
   * Mirrors uuid_in: 32 hex digits, optionally in braces, with an optional hyphen after any group of four digits.
   * UUID.fromString is not used because it accepts short groups PostgreSQL rejects.
   */
  private static UUID parse(String text) {
    String s = text;
    if (s.startsWith("{")) {
      if (!s.endsWith("}") || s.length() < 2) {
        throw ValueCodec.invalidSyntax("uuid", text);
      }
      s = s.substring(1, s.length() - 1);
    }
    long high = 0;
    long low = 0;
    int digits = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int nibble = Character.digit(c, 16);
      boolean hyphenAllowed = c == '-' && digits > 0 && digits < 32 && digits % 4 == 0 && s.charAt(i - 1) != '-';
      if (hyphenAllowed) {
        continue;
      }
      if (nibble < 0 || c > 'f' || digits == 32) {
        throw ValueCodec.invalidSyntax("uuid", text);
      }
      if (digits < 16) {
        high = high << 4 | nibble;
      } else {
        low = low << 4 | nibble;
      }
      digits++;
    }
    if (digits != 32) {
      throw ValueCodec.invalidSyntax("uuid", text);
    }
    return new UUID(high, low);
  }
}
