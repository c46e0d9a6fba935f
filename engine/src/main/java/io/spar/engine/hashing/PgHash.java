package io.spar.engine.hashing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Objects;
import java.util.UUID;

/**
 * Java ports of PostgreSQL 15's default hash functions, returning exactly the signed int32 an x86-64 server prints.
 *
 * <p>The core is {@code hash_bytes} from {@code src/common/hashfn.c} (Bob Jenkins' lookup3). On little-endian
 * machines PostgreSQL's aligned and unaligned code paths both read the key as little-endian 4-byte words, so one
 * little-endian implementation reproduces both.
 */
public final class PgHash {

  private static final int SEED = 0x9e3779b9 + 3923095;
  private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

  private PgHash() {
  }

  /**
   * Hashes a byte sequence like PostgreSQL's {@code hash_bytes} / {@code hash_any}.
   *
   * @param key the bytes to hash
   * @return the hash as PostgreSQL prints it
   */
  public static int hashBytes(byte[] key) {
    return hashBytes(key, 0, key.length);
  }

  /**
   * Hashes a slice of a byte array like PostgreSQL's {@code hash_bytes} / {@code hash_any}.
   *
   * @param key the array holding the bytes
   * @param offset index of the first byte to hash
   * @param length number of bytes to hash
   * @return the hash as PostgreSQL prints it
   */
  public static int hashBytes(byte[] key, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, key.length);
    int a = SEED + length;
    int b = a;
    int c = a;
    int k = offset;
    int len = length;
    while (len >= 12) {
      a += le32(key, k);
      b += le32(key, k + 4);
      c += le32(key, k + 8);
      // mix(a, b, c)
      a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
      a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
      k += 12;
      len -= 12;
    }
    // The tail is read as a zero-padded little-endian word; the lowest byte of c stays free for the length, which is
    // why c takes bytes 8..10 shifted up by one byte.
    if (len > 8) {
      c += partialLe32(key, k + 8, len - 8) << 8;
    }
    if (len > 4) {
      b += partialLe32(key, k + 4, Math.min(len - 4, 4));
    }
    if (len > 0) {
      a += partialLe32(key, k, Math.min(len, 4));
    }
    return finalMix(a, b, c);
  }

  /**
   * Hashes one 32-bit value like PostgreSQL's {@code hash_bytes_uint32} / {@code hash_uint32}.
   *
   * @param k the value, taken as unsigned 32 bits
   * @return the hash as PostgreSQL prints it
   */
  public static int hashUint32(int k) {
    int a = SEED + 4 + k;
    int b = SEED + 4;
    return finalMix(a, b, b);
  }

  /**
   * Computes PostgreSQL's {@code hashint2}, which sign-extends the value to 32 bits first.
   *
   * @param value the smallint value
   * @return the hash
   */
  public static int hashInt2(short value) {
    return hashUint32(value);
  }

  /**
   * Computes PostgreSQL's {@code hashint4}.
   *
   * @param value the integer value
   * @return the hash
   */
  public static int hashInt4(int value) {
    return hashUint32(value);
  }

  /**
   * Computes PostgreSQL's {@code hashint8}, which folds the high half into the low half so that int8 values within
   * int4 range hash like the same int4 value.
   *
   * @param value the bigint value
   * @return the hash
   */
  public static int hashInt8(long value) {
    int lohalf = (int) value;
    int hihalf = (int) (value >>> 32);
    lohalf ^= value >= 0 ? hihalf : ~hihalf;
    return hashUint32(lohalf);
  }

  /**
   * Computes PostgreSQL's {@code hashtext} for a deterministic collation (e.g. "C"): {@code hash_any} over the UTF-8
   * bytes.
   *
   * @param value the text value
   * @return the hash
   */
  public static int hashText(String value) {
    return hashBytes(value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Computes PostgreSQL's {@code hashbpchar}, which ignores trailing spaces (and only spaces).
   *
   * @param value the character(n) value, padded or not
   * @return the hash
   */
  public static int hashBpchar(String value) {
    return hashText(stripTrailingSpaces(value));
  }

  /**
   * Computes PostgreSQL's {@code hashchar}, the hash opclass function of {@code "char"} and {@code bool}.
   *
   * @param value the single signed byte
   * @return the hash
   */
  public static int hashChar(byte value) {
    return hashUint32(value);
  }

  /**
   * Computes the hash of a {@code bool} ({@code hashchar} of 1 or 0).
   *
   * @param value the boolean
   * @return the hash
   */
  public static int hashBool(boolean value) {
    return hashChar(value ? (byte) 1 : (byte) 0);
  }

  /**
   * Computes the hash of a {@code date}: {@code hashint4} of the days since 2000-01-01.
   *
   * @param value the date (proleptic Gregorian, as PostgreSQL uses)
   * @return the hash
   */
  public static int hashDate(LocalDate value) {
    return hashInt4(PgDateTimes.toPgDays(value));
  }

  /**
   * Computes {@code timestamp_hash} of a {@code timestamp}: {@code hashint8} of the microseconds since 2000-01-01.
   *
   * @param value the timestamp; sub-microsecond digits are rounded half up as pgjdbc does
   * @return the hash
   */
  public static int hashTimestamp(LocalDateTime value) {
    return hashInt8(PgDateTimes.toPgMicros(value));
  }

  /**
   * Computes {@code timestamp_hash} of a {@code timestamptz}: {@code hashint8} of the microseconds since
   * 2000-01-01 00:00:00 UTC.
   *
   * @param value the instant; sub-microsecond digits are rounded half up as pgjdbc does
   * @return the hash
   */
  public static int hashTimestamptz(Instant value) {
    return hashInt8(PgDateTimes.toPgMicros(value));
  }

  /**
   * Computes PostgreSQL's {@code uuid_hash}: {@code hash_any} over the 16 bytes in network order.
   *
   * @param value the UUID
   * @return the hash
   */
  public static int hashUuid(UUID value) {
    byte[] bytes = new byte[16];
    putLong(bytes, 0, value.getMostSignificantBits());
    putLong(bytes, 8, value.getLeastSignificantBits());
    return hashBytes(bytes);
  }

  /**
   * Computes PostgreSQL's {@code hash_numeric}: {@code hash_any} over the base-10000 digits (little-endian int16)
   * without leading and trailing zero digits, XOR the weight of the first digit. Scale and sign do not matter, so
   * 0.10 and 0.1 (and 5 and -5) hash alike; zero hashes to -1.
   *
   * @param value the number (NaN and infinities, which hash to 0 in PostgreSQL, are not representable here)
   * @return the hash
   */
  public static int hashNumeric(BigDecimal value) {
    if (value.signum() == 0) {
      return -1;
    }
    BigDecimal abs = value.abs().stripTrailingZeros();
    // Align the scale on a multiple of 4 decimal digits so that the unscaled integer splits into the same
    // base-10000 digits PostgreSQL stores.
    int scale = Math.floorDiv(abs.scale() + 3, 4) * 4;
    BigInteger unscaled = abs.setScale(scale).unscaledValue();
    short[] digits = base10000Digits(unscaled);
    // stripTrailingZeros leaves no zero digit at either end, so the digits are hashed as they are.
    int weight = digits.length - 1 - scale / 4;
    byte[] bytes = new byte[digits.length * 2];
    for (int i = 0; i < digits.length; i++) {
      bytes[2 * i] = (byte) digits[i];
      bytes[2 * i + 1] = (byte) (digits[i] >> 8);
    }
    return hashBytes(bytes) ^ weight;
  }

  /** Returns the value without trailing spaces, as bpchar semantics ignore them. */
  static String stripTrailingSpaces(String value) {
    int end = value.length();
    while (end > 0 && value.charAt(end - 1) == ' ') {
      end--;
    }
    return value.substring(0, end);
  }

  /** Splits a positive integer into base-10000 digits, most significant first (no leading zero digit). */
  private static short[] base10000Digits(BigInteger value) {
    String decimal = value.toString();
    int count = (decimal.length() + 3) / 4;
    short[] digits = new short[count];
    int end = decimal.length();
    for (int i = count - 1; i >= 0; i--) {
      int start = Math.max(0, end - 4);
      digits[i] = Short.parseShort(decimal.substring(start, end));
      end = start;
    }
    return digits;
  }

  private static int finalMix(int a, int b, int c) {
    c ^= b; c -= Integer.rotateLeft(b, 14);
    a ^= c; a -= Integer.rotateLeft(c, 11);
    b ^= a; b -= Integer.rotateLeft(a, 25);
    c ^= b; c -= Integer.rotateLeft(b, 16);
    a ^= c; a -= Integer.rotateLeft(c, 4);
    b ^= a; b -= Integer.rotateLeft(a, 14);
    c ^= b; c -= Integer.rotateLeft(b, 24);
    return c;
  }

  private static int le32(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | bytes[at + 3] << 24;
  }

  private static int partialLe32(byte[] bytes, int at, int count) {
    int word = 0;
    for (int i = 0; i < count; i++) {
      word |= (bytes[at + i] & 0xff) << (8 * i);
    }
    return word;
  }

  private static void putLong(byte[] bytes, int at, long value) {
    for (int i = 0; i < 8; i++) {
      bytes[at + i] = (byte) (value >>> (56 - 8 * i));
    }
  }
}
