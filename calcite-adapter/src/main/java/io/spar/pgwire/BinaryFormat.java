package io.spar.pgwire;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's binary format of built-in types, converted from and to their text form.
 *
 * <p>Inside Spar every value travels as the text PostgreSQL printed for it (DateStyle ISO,
 * IntervalStyle postgres, bytea_output hex, extra_float_digits above 0 so that floats are
 * exact). {@link #encode} turns such a text into the bytes of the type's {@code typsend}
 * function, for clients that ask for binary results; {@link #decode} turns the bytes a
 * client sent for a binary parameter (what {@code typreceive} reads) into a text that the
 * type's input function reads as the same value, so that the parameter can be bound as text.
 *
 * <p>Supported: {@code bool}, {@code bytea}, {@code "char"}, {@code name}, {@code int2},
 * {@code int4}, {@code int8}, {@code int2vector}, {@code oidvector}, {@code oid},
 * {@code tid}, {@code xid}, {@code cid}, {@code xid8}, {@code float4}, {@code float8},
 * {@code numeric}, {@code text}, {@code varchar}, {@code bpchar}, {@code json},
 * {@code jsonb}, {@code jsonpath}, {@code xml}, {@code unknown}, {@code cstring},
 * {@code refcursor}, {@code void}, {@code uuid}, {@code date}, {@code time},
 * {@code timetz}, {@code timestamp}, {@code timestamptz}, {@code interval}, {@code bit},
 * {@code varbit}, {@code inet}, {@code cidr}, {@code macaddr}, {@code macaddr8},
 * {@code pg_lsn}, the geometric types ({@code point}, {@code line}, {@code lseg},
 * {@code box}, {@code path}, {@code polygon}, {@code circle}), and arrays of any of these.
 * Others (ranges, {@code money}, the {@code reg*} types, {@code record}, types that are
 * not built in) are refused with SQLState 0A000, and the caller sends them as text.
 *
 * <p>Text is UTF-8: the client's and the server's encoding are assumed to be UTF8.
 */
public final class BinaryFormat {
  private static final int BOOL = 16;
  private static final int BYTEA = 17;
  private static final int CHAR = 18;
  private static final int NAME = 19;
  private static final int INT8 = 20;
  private static final int INT2 = 21;
  private static final int INT2VECTOR = 22;
  private static final int INT4 = 23;
  private static final int TEXT = 25;
  private static final int OID = 26;
  private static final int TID = 27;
  private static final int XID = 28;
  private static final int CID = 29;
  private static final int OIDVECTOR = 30;
  private static final int JSON = 114;
  private static final int XML = 142;
  private static final int POINT = 600;
  private static final int LSEG = 601;
  private static final int PATH = 602;
  private static final int BOX = 603;
  private static final int POLYGON = 604;
  private static final int LINE = 628;
  private static final int CIDR = 650;
  private static final int FLOAT4 = 700;
  private static final int FLOAT8 = 701;
  private static final int UNKNOWN = 705;
  private static final int CIRCLE = 718;
  private static final int MACADDR8 = 774;
  private static final int MACADDR = 829;
  private static final int INET = 869;
  private static final int BPCHAR = 1042;
  private static final int VARCHAR = 1043;
  private static final int DATE = 1082;
  private static final int TIME = 1083;
  private static final int TIMESTAMP = 1114;
  private static final int TIMESTAMPTZ = 1184;
  private static final int INTERVAL = 1186;
  private static final int TIMETZ = 1266;
  private static final int BIT = 1560;
  private static final int VARBIT = 1562;
  private static final int NUMERIC = 1700;
  private static final int REFCURSOR = 1790;
  private static final int CSTRING = 2275;
  private static final int VOID = 2278;
  private static final int UUID = 2950;
  private static final int PG_LSN = 3220;
  private static final int JSONB = 3802;
  private static final int JSONPATH = 4072;
  private static final int XID8 = 5069;

  /** PostgreSQL's own address family numbers in inet's binary form (AF_INET + 0 and + 1). */
  private static final int PGSQL_AF_INET = 2;
  private static final int PGSQL_AF_INET6 = 3;

  /** Sign words of numeric's binary form. */
  private static final int NUMERIC_POS = 0x0000;
  private static final int NUMERIC_NEG = 0x4000;
  private static final int NUMERIC_NAN = 0xC000;
  private static final int NUMERIC_PINF = 0xD000;
  private static final int NUMERIC_NINF = 0xF000;
  /** numeric_in's limit on exponents, and numeric_recv's on digit counts and scales. */
  private static final int NUMERIC_MAX_PRECISION = 1000;
  private static final int NUMERIC_MAX_DIGITS = 1000 + 2000;
  private static final int NUMERIC_DSCALE_MASK = 0x3FFF;
  /** What numeric_send gives as the display scale of Infinity and -Infinity. */
  private static final int INFINITY_DSCALE = 0x1000 >> 7;

  private static final long USECS_PER_SEC = 1_000_000L;
  private static final long USECS_PER_MINUTE = 60 * USECS_PER_SEC;
  private static final long USECS_PER_HOUR = 60 * USECS_PER_MINUTE;
  private static final long USECS_PER_DAY = 24 * USECS_PER_HOUR;
  /** Days from 1970-01-01 (java.time's epoch) to 2000-01-01 (PostgreSQL's). */
  private static final long POSTGRES_EPOCH_DAY = LocalDate.of(2000, 1, 1).toEpochDay();
  /** The dates PostgreSQL accepts: 4714-11-24 BC up to, not including, 5874898-01-01. */
  private static final long MIN_DATE = day(-4713, 11, 24);
  private static final long END_DATE = day(5874898, 1, 1);
  /** The timestamps PostgreSQL accepts: 4714-11-24 BC up to, not including, 294277-01-01. */
  private static final long MIN_TIMESTAMP = MIN_DATE * USECS_PER_DAY;
  private static final long END_TIMESTAMP = day(294277, 1, 1) * USECS_PER_DAY;
  /** timetz_recv's limit on zone displacements: under 16 hours. */
  private static final int TZDISP_LIMIT = 16 * 3600;
  /** The most dimensions an array has in PostgreSQL. */
  private static final int MAXDIM = 6;

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern FLOAT =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern NUMBER =
      Pattern.compile("([+-]?)(\\d*)(?:\\.(\\d*))?(?:[eE]([+-]?\\d+))?");
  private static final String ZONE = "(?:([+-])(\\d{1,2})(?::?(\\d{2}))?(?::?(\\d{2}))?)";
  private static final Pattern DATE_TEXT =
      Pattern.compile("(\\d+)-(\\d{1,2})-(\\d{1,2})(\\s+BC)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern TIME_TEXT = Pattern.compile(
      "(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d*))?)?\\s*" + ZONE + "?");
  private static final Pattern TIMESTAMP_TEXT = Pattern.compile(
      "(\\d+)-(\\d{1,2})-(\\d{1,2})(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d*))?)?)?"
      + "\\s*" + ZONE + "?(\\s+BC)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern INTERVAL_TIME =
      Pattern.compile("([+-]?)(\\d+):(\\d{2})(?::(\\d{2})(?:\\.(\\d*))?)?");
  private static final Pattern INTERVAL_NUMBER = Pattern.compile("[+-]?\\d+(\\.\\d*)?");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private BinaryFormat() {
  }

  /**
   * Returns whether values of type {@code oid} have a binary form here; for other types
   * {@link #encode} and {@link #decode} throw SQLException with SQLState 0A000.
   */
  public static boolean supports(int oid) {
    int element = PgTypes.arrayElement(oid);
    return scalar(element != 0 ? element : oid);
  }

  private static boolean scalar(int oid) {
    return switch (oid) {
      case BOOL, BYTEA, CHAR, NAME, INT8, INT2, INT2VECTOR, INT4, TEXT, OID, TID, XID, CID,
          OIDVECTOR, JSON, XML, POINT, LSEG, PATH, BOX, POLYGON, LINE, CIDR, FLOAT4, FLOAT8,
          UNKNOWN, CIRCLE, MACADDR8, MACADDR, INET, BPCHAR, VARCHAR, DATE, TIME, TIMESTAMP,
          TIMESTAMPTZ, INTERVAL, TIMETZ, BIT, VARBIT, NUMERIC, REFCURSOR, CSTRING, VOID, UUID,
          PG_LSN, JSONB, JSONPATH, XID8 -> true;
      default -> false;
    };
  }

  /**
   * Returns the binary form of the value of type {@code oid} whose text form is {@code text}:
   * the bytes PostgreSQL's {@code typsend} function of that type returns for it.
   *
   * @param oid the value's type
   * @param text the value as PostgreSQL prints it (not null: NULL has no binary form)
   * @throws SQLException SQLState 0A000 if the type has no binary form here; 22P02, 22003 or
   *     22008 if {@code text} is not a value of the type
   */
  public static byte[] encode(int oid, String text) throws SQLException {
    Objects.requireNonNull(text, "text");
    int element = PgTypes.arrayElement(oid);
    if (element != 0) {
      if (!scalar(element)) {
        throw unsupported(oid);
      }
      return encodeArray(element, text);
    }
    Out out = new Out();
    switch (oid) {
      case BOOL -> out.int8(bool(text) ? 1 : 0);
      case INT2 -> out.int16((int) integer(INT2, text, Short.MIN_VALUE, Short.MAX_VALUE));
      case INT4 -> out.int32((int) integer(INT4, text, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case INT8 -> out.int64(integer(INT8, text, Long.MIN_VALUE, Long.MAX_VALUE));
      // oidin, xidin and cidin also read negative numbers as their 32-bit two's complement.
      case OID, XID, CID -> out.int32((int) integer(oid, text, Integer.MIN_VALUE, 0xFFFFFFFFL));
      case XID8 -> out.int64(unsigned64(text));
      case FLOAT4 -> out.int32(Float.floatToRawIntBits(float4(text)));
      case FLOAT8 -> out.int64(Double.doubleToRawLongBits(float8(FLOAT8, text)));
      case NUMERIC -> numeric(out, text);
      case TEXT, VARCHAR, BPCHAR, NAME, JSON, XML, UNKNOWN, CSTRING, REFCURSOR ->
          out.bytes(utf8(text));
      case JSONB, JSONPATH -> {
        // Their binary form is a version number, 1, and then the text.
        out.int8(1);
        out.bytes(utf8(text));
      }
      case CHAR -> out.int8(charByte(text));
      case BYTEA -> out.bytes(bytea(text));
      case UUID -> out.bytes(uuid(text));
      case DATE -> out.int32(date(text));
      case TIME -> out.int64(time(TIME, text, false)[0]);
      case TIMETZ -> {
        long[] time = time(TIMETZ, text, true);
        out.int64(time[0]);
        // timetz keeps the zone as seconds west of Greenwich.
        out.int32((int) -time[1]);
      }
      case TIMESTAMP -> out.int64(timestamp(TIMESTAMP, text));
      case TIMESTAMPTZ -> out.int64(timestamp(TIMESTAMPTZ, text));
      case INTERVAL -> interval(out, text);
      case BIT, VARBIT -> bits(out, oid, text);
      case INET, CIDR -> inet(out, oid, text);
      case MACADDR -> out.bytes(macaddr(MACADDR, text, 6));
      case MACADDR8 -> out.bytes(macaddr(MACADDR8, text, 8));
      case PG_LSN -> out.int64(lsn(text));
      case TID -> tid(out, text);
      case INT2VECTOR, OIDVECTOR -> vector(out, oid, text);
      case POINT, LSEG, BOX, LINE, CIRCLE, PATH, POLYGON -> geometry(out, oid, text);
      case VOID -> {
        // void_send sends nothing at all.
      }
      default -> throw unsupported(oid);
    }
    return out.toByteArray();
  }

  /**
   * Returns a text form of the value of type {@code oid} whose binary form is {@code bytes}
   * (what a client sends for a binary parameter, read as the type's {@code typreceive}
   * function reads it). The text is one that the type's input function reads as the same
   * value, whatever the session's DateStyle, IntervalStyle and TimeZone: timestamptz values
   * are given in UTC with {@code +00}, floats with enough digits to be exact, arrays as array
   * literals.
   *
   * @param oid the parameter's type
   * @param bytes the parameter's value (not null: NULL has no binary form)
   * @throws SQLException SQLState 0A000 if the type has no binary form here; 22P03
   *     ({@code incorrect binary data format}) if {@code bytes} are not a value of the type;
   *     22008, 22021 or 42804 where PostgreSQL's receive function reports those
   */
  public static String decode(int oid, byte[] bytes) throws SQLException {
    Objects.requireNonNull(bytes, "bytes");
    if (!supports(oid)) {
      throw unsupported(oid);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    String text;
    try {
      text = decode(oid, in);
    } catch (BufferUnderflowException e) {
      throw badBinary();
    }
    if (in.hasRemaining()) {
      throw badBinary();
    }
    return text;
  }

  private static String decode(int oid, ByteBuffer in) throws SQLException {
    int element = PgTypes.arrayElement(oid);
    if (element != 0) {
      return decodeArray(element, in);
    }
    return switch (oid) {
      case BOOL -> in.get() != 0 ? "t" : "f";
      case INT2 -> Short.toString(in.getShort());
      case INT4 -> Integer.toString(in.getInt());
      case INT8 -> Long.toString(in.getLong());
      case OID, XID, CID -> Integer.toUnsignedString(in.getInt());
      case XID8 -> Long.toUnsignedString(in.getLong());
      case FLOAT4 -> float4Text(in.getFloat());
      case FLOAT8 -> float8Text(in.getDouble());
      case NUMERIC -> numericText(in);
      case TEXT, VARCHAR, BPCHAR, JSON, XML, UNKNOWN, CSTRING, REFCURSOR -> text(in);
      case NAME -> name(in);
      case JSONB, JSONPATH -> {
        if (in.get() != 1) {
          throw badBinary();
        }
        yield text(in);
      }
      case CHAR -> charText(in.get());
      case BYTEA -> byteaText(in);
      case UUID -> uuidText(in);
      case DATE -> dateText(in.getInt());
      case TIME -> timeText(in.getLong());
      case TIMETZ -> timetzText(in.getLong(), in.getInt());
      case TIMESTAMP -> timestampText(in.getLong(), false);
      case TIMESTAMPTZ -> timestampText(in.getLong(), true);
      case INTERVAL -> intervalText(in.getLong(), in.getInt(), in.getInt());
      case BIT, VARBIT -> bitsText(in);
      case INET, CIDR -> inetText(oid, in);
      case MACADDR -> macaddrText(in, 6);
      case MACADDR8 -> macaddrText(in, in.remaining() == 6 ? 6 : 8);
      case PG_LSN -> lsnText(in.getLong());
      case TID -> "(" + Integer.toUnsignedString(in.getInt()) + ","
          + Short.toUnsignedInt(in.getShort()) + ")";
      case INT2VECTOR, OIDVECTOR -> vectorText(oid, in);
      case POINT, LSEG, BOX, LINE, CIRCLE, PATH, POLYGON -> geometryText(oid, in);
      case VOID -> "";
      default -> throw unsupported(oid);
    };
  }

  // ---- Errors -------------------------------------------------------------------------

  private static SQLException unsupported(int oid) {
    return new SQLException("binary format of type " + typeName(oid) + " is not supported",
        "0A000");
  }

  private static SQLException badBinary() {
    return new SQLException("incorrect binary data format", "22P03");
  }

  private static SQLException invalidText(int oid, String text) {
    return new SQLException("invalid input syntax for type " + typeName(oid) + ": \"" + text
        + "\"", "22P02");
  }

  private static SQLException outOfRange(int oid, String text) {
    return new SQLException("value \"" + text + "\" is out of range for type "
        + typeName(oid), "22003");
  }

  private static SQLException wrongElementType(int type, int element) {
    return new SQLException("binary data has array element type " + Integer
        .toUnsignedString(type) + " instead of expected " + element + " ("
        + typeName(element) + ")", "42804");
  }

  private static String typeName(int oid) {
    String name = PgTypes.name(oid);
    return name != null ? name : "with OID " + Integer.toUnsignedString(oid);
  }

  // ---- Numbers ------------------------------------------------------------------------

  private static boolean bool(String text) throws SQLException {
    // boolin takes any prefix of true/false/yes/no, on/off (at least two letters), 1 and 0.
    String value = text.trim().toLowerCase(Locale.ROOT);
    if (!value.isEmpty()) {
      if ("true".startsWith(value) || "yes".startsWith(value) || value.equals("1")
          || (value.length() >= 2 && "on".startsWith(value))) {
        return true;
      }
      if ("false".startsWith(value) || "no".startsWith(value) || value.equals("0")
          || (value.length() >= 2 && "off".startsWith(value))) {
        return false;
      }
    }
    throw invalidText(BOOL, text);
  }

  private static long integer(int oid, String text, long min, long max) throws SQLException {
    String value = text.trim();
    if (!INTEGER.matcher(value).matches()) {
      throw invalidText(oid, text);
    }
    long result;
    try {
      result = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw outOfRange(oid, text);
    }
    if (result < min || result > max) {
      throw outOfRange(oid, text);
    }
    return result;
  }

  private static long unsigned64(String text) throws SQLException {
    String value = text.trim();
    if (!value.matches("\\d+")) {
      throw invalidText(XID8, text);
    }
    try {
      return Long.parseUnsignedLong(value);
    } catch (NumberFormatException e) {
      throw outOfRange(XID8, text);
    }
  }

  /** Returns the special value float8in and float4in read {@code value} as, or null. */
  private static Double specialFloat(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "nan" -> Double.NaN;
      case "infinity", "+infinity", "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-infinity", "-inf" -> Double.NEGATIVE_INFINITY;
      default -> null;
    };
  }

  private static double float8(int oid, String text) throws SQLException {
    String value = text.trim();
    Double special = specialFloat(value);
    if (special != null) {
      return special;
    }
    if (!FLOAT.matcher(value).matches()) {
      throw invalidText(oid, text);
    }
    // Decimal to double is correctly rounded in Java as in strtod: exact text, exact value.
    double result = Double.parseDouble(value);
    if (Double.isInfinite(result) || (result == 0 && nonZeroMantissa(value))) {
      throw outOfRange(oid, text);
    }
    return result;
  }

  private static float float4(String text) throws SQLException {
    String value = text.trim();
    Double special = specialFloat(value);
    if (special != null) {
      return special.floatValue();
    }
    if (!FLOAT.matcher(value).matches()) {
      throw invalidText(FLOAT4, text);
    }
    // Parsed straight to float, as strtof does: through double it could round twice.
    float result = Float.parseFloat(value);
    if (Float.isInfinite(result) || (result == 0 && nonZeroMantissa(value))) {
      throw outOfRange(FLOAT4, text);
    }
    return result;
  }

  private static boolean nonZeroMantissa(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 'e' || c == 'E') {
        return false;
      }
      if (c >= '1' && c <= '9') {
        return true;
      }
    }
    return false;
  }

  /** Returns text that float8in reads as exactly {@code value}. */
  private static String float8Text(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    String text = Double.toString(value);
    if (Double.doubleToRawLongBits(Double.parseDouble(text))
        == Double.doubleToRawLongBits(value)) {
      return text;
    }
    // Double.toString is exact for every double; the exact decimal is the fallback all
    // the same, since a parameter must never change its value.
    return new BigDecimal(value).toString();
  }

  /** Returns text that float4in reads as exactly {@code value}. */
  private static String float4Text(float value) {
    if (Float.isNaN(value)) {
      return "NaN";
    }
    if (Float.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    String text = Float.toString(value);
    if (Float.floatToRawIntBits(Float.parseFloat(text)) == Float.floatToRawIntBits(value)) {
      return text;
    }
    return new BigDecimal(value).toString();
  }

  /**
   * Writes numeric_send's form of {@code text}: digit count, weight, sign and display scale,
   * then the digits in base 10000, the first of them weighing 10000^weight. As in a stored
   * numeric, zero digits at either end are left out, zero has no digits, and the display
   * scale is the number of digits the text shows after the point.
   */
  private static void numeric(Out out, String text) throws SQLException {
    String value = text.trim();
    switch (value.toLowerCase(Locale.ROOT)) {
      case "nan" -> {
        numericHeader(out, 0, 0, NUMERIC_NAN, 0);
        return;
      }
      // numeric_send reads the display scale of the infinities from bits of their header
      // that also make up their sign word: it sends 32 for both.
      case "infinity", "+infinity", "inf", "+inf" -> {
        numericHeader(out, 0, 0, NUMERIC_PINF, INFINITY_DSCALE);
        return;
      }
      case "-infinity", "-inf" -> {
        numericHeader(out, 0, 0, NUMERIC_NINF, INFINITY_DSCALE);
        return;
      }
      default -> {
      }
    }
    Matcher m = NUMBER.matcher(value);
    String whole = m.matches() ? m.group(2) : "";
    String fraction = m.matches() && m.group(3) != null ? m.group(3) : "";
    if (whole.isEmpty() && fraction.isEmpty()) {
      throw invalidText(NUMERIC, text);
    }
    int exponent = 0;
    if (m.group(4) != null) {
      try {
        exponent = Integer.parseInt(m.group(4));
      } catch (NumberFormatException e) {
        exponent = Integer.MAX_VALUE;
      }
      if (Math.abs((long) exponent) > NUMERIC_MAX_PRECISION) {
        throw outOfRange(NUMERIC, text);
      }
    }
    int dscale = Math.max(0, fraction.length() - exponent);
    String digits = whole + fraction;
    // Digits before the decimal point.
    int point = whole.length() + exponent;
    int first = 0;
    while (first < digits.length() && digits.charAt(first) == '0') {
      first++;
    }
    int last = digits.length();
    while (last > first && digits.charAt(last - 1) == '0') {
      last--;
    }
    if (first == last) {
      numericHeader(out, 0, 0, NUMERIC_POS, dscale);
      return;
    }
    point -= first;
    digits = digits.substring(first, last);
    // Zeros in front until the point falls between groups of four digits, and behind to
    // fill the last group.
    int pad = Math.floorMod(-point, 4);
    StringBuilder aligned = new StringBuilder("0".repeat(pad)).append(digits);
    aligned.append("0".repeat(Math.floorMod(-aligned.length(), 4)));
    int weight = (point + pad) / 4 - 1;
    int groups = aligned.length() / 4;
    if (weight > Short.MAX_VALUE || weight < Short.MIN_VALUE || dscale > NUMERIC_DSCALE_MASK) {
      throw outOfRange(NUMERIC, text);
    }
    numericHeader(out, groups, weight, m.group(1).equals("-") ? NUMERIC_NEG : NUMERIC_POS,
        dscale);
    for (int i = 0; i < groups; i++) {
      out.int16(Integer.parseInt(aligned.substring(4 * i, 4 * i + 4)));
    }
  }

  private static void numericHeader(Out out, int ndigits, int weight, int sign, int dscale) {
    out.int16(ndigits);
    out.int16(weight);
    out.int16(sign);
    out.int16(dscale);
  }

  /** Reads numeric_recv's input, which drops the digits its display scale hides. */
  private static String numericText(ByteBuffer in) throws SQLException {
    int ndigits = Short.toUnsignedInt(in.getShort());
    int weight = in.getShort();
    int sign = Short.toUnsignedInt(in.getShort());
    int dscale = Short.toUnsignedInt(in.getShort());
    if (ndigits > NUMERIC_MAX_DIGITS || (dscale & NUMERIC_DSCALE_MASK) != dscale) {
      throw badBinary();
    }
    int[] digits = new int[ndigits];
    for (int i = 0; i < ndigits; i++) {
      digits[i] = in.getShort();
      if (digits[i] < 0 || digits[i] > 9999) {
        throw badBinary();
      }
    }
    switch (sign) {
      case NUMERIC_NAN:
        return "NaN";
      case NUMERIC_PINF:
        return "Infinity";
      case NUMERIC_NINF:
        return "-Infinity";
      case NUMERIC_POS:
      case NUMERIC_NEG:
        break;
      default:
        throw badBinary();
    }
    StringBuilder text = new StringBuilder();
    // Group k weighs 10000^(weight - k); groups outside the digits are zero.
    for (int k = 0; k <= weight; k++) {
      int group = k < ndigits ? digits[k] : 0;
      // Digit groups of zero may lead (numeric_recv takes them): no zeros in front.
      text.append(text.length() == 0 ? (group == 0 ? "" : Integer.toString(group))
          : String.format("%04d", group));
    }
    if (text.length() == 0) {
      text.append('0');
    }
    if (dscale > 0) {
      StringBuilder fraction = new StringBuilder();
      for (int k = weight + 1; fraction.length() < dscale; k++) {
        int group = k >= 0 && k < ndigits ? digits[k] : 0;
        fraction.append(String.format("%04d", group));
      }
      text.append('.').append(fraction, 0, dscale);
    }
    // After the truncation a value may be zero, which has no sign.
    boolean zero = text.chars().allMatch(c -> c == '0' || c == '.');
    return sign == NUMERIC_NEG && !zero ? "-" + text : text.toString();
  }

  // ---- Text, bytes and identifiers ----------------------------------------------------

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Reads the rest of {@code in} as UTF-8 text, refused as PostgreSQL refuses it. */
  private static String text(ByteBuffer in) throws SQLException {
    ByteBuffer rest = in.slice();
    in.position(in.limit());
    for (int i = rest.position(); i < rest.limit(); i++) {
      if (rest.get(i) == 0) {
        throw new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021");
      }
    }
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(rest);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new SQLException("invalid byte sequence for encoding \"UTF8\"", "22021");
    }
  }

  private static String name(ByteBuffer in) throws SQLException {
    // NAMEDATALEN is 64, one byte of it the terminating zero.
    if (in.remaining() >= 64) {
      throw new SQLException("identifier too long", "42622");
    }
    return text(in);
  }

  /**
   * Returns the byte of a {@code "char"} value: charout prints a byte with its high bit set
   * as {@code \ooo} and the zero byte as an empty string; charin takes the first byte
   * otherwise.
   */
  private static int charByte(String text) {
    if (text.length() == 4 && text.charAt(0) == '\\' && octal(text.charAt(1))
        && octal(text.charAt(2)) && octal(text.charAt(3))) {
      return Integer.parseInt(text.substring(1), 8) & 0xFF;
    }
    byte[] bytes = utf8(text);
    return bytes.length == 0 ? 0 : bytes[0];
  }

  private static String charText(byte value) {
    if (value == 0) {
      return "";
    }
    if (value < 0) {
      return String.format("\\%03o", value & 0xFF);
    }
    return Character.toString((char) value);
  }

  private static boolean octal(char c) {
    return c >= '0' && c <= '7';
  }

  /** Reads bytea's text: hex ({@code \x0102}) or escape ({@code a\001\\}) format. */
  private static byte[] bytea(String text) throws SQLException {
    if (text.startsWith("\\x") || text.startsWith("\\X")) {
      Out out = new Out();
      int i = 2;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
          continue;
        }
        int high = Character.digit(c, 16);
        int low = i + 1 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
        if (high < 0 || low < 0) {
          throw invalidText(BYTEA, text);
        }
        out.int8(high << 4 | low);
        i += 2;
      }
      return out.toByteArray();
    }
    Out out = new Out();
    for (int i = 0; i < text.length(); ) {
      char c = text.charAt(i);
      if (c != '\\') {
        int end = i + Character.charCount(text.codePointAt(i));
        out.bytes(utf8(text.substring(i, end)));
        i = end;
      } else if (i + 1 < text.length() && text.charAt(i + 1) == '\\') {
        out.int8('\\');
        i += 2;
      } else if (i + 3 < text.length() && text.charAt(i + 1) >= '0'
          && text.charAt(i + 1) <= '3' && octal(text.charAt(i + 2))
          && octal(text.charAt(i + 3))) {
        out.int8(Integer.parseInt(text.substring(i + 1, i + 4), 8));
        i += 4;
      } else {
        throw invalidText(BYTEA, text);
      }
    }
    return out.toByteArray();
  }

  private static String byteaText(ByteBuffer in) {
    StringBuilder text = new StringBuilder(2 + 2 * in.remaining()).append("\\x");
    while (in.hasRemaining()) {
      int b = in.get() & 0xFF;
      text.append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }
    return text.toString();
  }

  private static byte[] uuid(String text) throws SQLException {
    String value = text.trim();
    if (value.startsWith("{") && value.endsWith("}")) {
      value = value.substring(1, value.length() - 1);
    }
    byte[] hex = hexDigits(UUID, text, value.replace("-", ""), 16);
    if (value.startsWith("-") || value.endsWith("-") || value.contains("--")) {
      throw invalidText(UUID, text);
    }
    return hex;
  }

  private static String uuidText(ByteBuffer in) {
    StringBuilder text = new StringBuilder(36);
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        text.append('-');
      }
      int b = in.get() & 0xFF;
      text.append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }
    return text.toString();
  }

  /** Returns the {@code count} bytes that the hex digits {@code digits} spell. */
  private static byte[] hexDigits(int oid, String text, String digits, int count)
      throws SQLException {
    if (digits.length() != 2 * count) {
      throw invalidText(oid, text);
    }
    byte[] bytes = new byte[count];
    for (int i = 0; i < count; i++) {
      int high = Character.digit(digits.charAt(2 * i), 16);
      int low = Character.digit(digits.charAt(2 * i + 1), 16);
      if (high < 0 || low < 0) {
        throw invalidText(oid, text);
      }
      bytes[i] = (byte) (high << 4 | low);
    }
    return bytes;
  }

  // ---- Dates and times ----------------------------------------------------------------

  /** Returns the day of {@code year} (astronomical: 0 is 1 BC) counted from 2000-01-01. */
  private static long day(int year, int month, int day) {
    return LocalDate.of(year, month, day).toEpochDay() - POSTGRES_EPOCH_DAY;
  }

  private static int date(String text) throws SQLException {
    String value = text.trim();
    switch (value.toLowerCase(Locale.ROOT)) {
      case "infinity", "+infinity" -> {
        return Integer.MAX_VALUE;
      }
      case "-infinity" -> {
        return Integer.MIN_VALUE;
      }
      default -> {
      }
    }
    Matcher m = DATE_TEXT.matcher(value);
    if (!m.matches()) {
      throw invalidText(DATE, text);
    }
    long day = civilDay(DATE, text, m.group(1), m.group(2), m.group(3), m.group(4) != null);
    if (day < MIN_DATE || day >= END_DATE) {
      throw new SQLException("date out of range: \"" + text + "\"", "22008");
    }
    return (int) day;
  }

  private static long civilDay(int oid, String text, String year, String month, String day,
      boolean bc) throws SQLException {
    try {
      long number = Long.parseLong(year);
      if (number == 0 || number > 999_999_999) {
        throw new SQLException("date/time field value out of range: \"" + text + "\"", "22008");
      }
      return day(bc ? (int) (1 - number) : (int) number, Integer.parseInt(month),
          Integer.parseInt(day));
    } catch (NumberFormatException | DateTimeException e) {
      throw new SQLException("date/time field value out of range: \"" + text + "\"", "22008");
    }
  }

  /** Returns microseconds of the six digits after a point, rounding further digits. */
  private static long fraction(String digits) {
    if (digits == null || digits.isEmpty()) {
      return 0;
    }
    String six = (digits + "000000").substring(0, 6);
    long micros = Long.parseLong(six);
    if (digits.length() > 6 && digits.charAt(6) >= '5') {
      micros++;
    }
    return micros;
  }

  /** Returns the zone offset east of Greenwich, in seconds, of a {@link #ZONE} match. */
  private static long zone(Matcher m, int group) {
    if (m.group(group) == null) {
      return 0;
    }
    long seconds = Long.parseLong(m.group(group + 1)) * 3600
        + (m.group(group + 2) != null ? Long.parseLong(m.group(group + 2)) * 60 : 0)
        + (m.group(group + 3) != null ? Long.parseLong(m.group(group + 3)) : 0);
    return m.group(group).equals("-") ? -seconds : seconds;
  }

  /** Returns {microseconds since midnight, zone offset east in seconds}. */
  private static long[] time(int oid, String text, boolean withZone) throws SQLException {
    Matcher m = TIME_TEXT.matcher(text.trim());
    if (!m.matches() || (withZone && m.group(5) == null)) {
      throw invalidText(oid, text);
    }
    long micros = Long.parseLong(m.group(1)) * USECS_PER_HOUR
        + Long.parseLong(m.group(2)) * USECS_PER_MINUTE
        + (m.group(3) != null ? Long.parseLong(m.group(3)) * USECS_PER_SEC : 0)
        + fraction(m.group(4));
    if (micros > USECS_PER_DAY) {
      throw new SQLException("date/time field value out of range: \"" + text + "\"", "22008");
    }
    return new long[] {micros, withZone ? zone(m, 5) : 0};
  }

  private static long timestamp(int oid, String text) throws SQLException {
    String value = text.trim();
    switch (value.toLowerCase(Locale.ROOT)) {
      case "infinity", "+infinity" -> {
        return Long.MAX_VALUE;
      }
      case "-infinity" -> {
        return Long.MIN_VALUE;
      }
      default -> {
      }
    }
    Matcher m = TIMESTAMP_TEXT.matcher(value);
    // A timestamptz without its offset would be read in a zone not known here.
    if (!m.matches() || (oid == TIMESTAMPTZ && m.group(8) == null)) {
      throw invalidText(oid, text);
    }
    long day = civilDay(oid, text, m.group(1), m.group(2), m.group(3), m.group(12) != null);
    long time = 0;
    if (m.group(4) != null) {
      time = Long.parseLong(m.group(4)) * USECS_PER_HOUR
          + Long.parseLong(m.group(5)) * USECS_PER_MINUTE
          + (m.group(6) != null ? Long.parseLong(m.group(6)) * USECS_PER_SEC : 0)
          + fraction(m.group(7));
    }
    // timestamp ignores an offset in its input; timestamptz counts in UTC.
    long offset = oid == TIMESTAMPTZ ? zone(m, 8) * USECS_PER_SEC : 0;
    long result;
    try {
      result = Math.subtractExact(Math.addExact(Math.multiplyExact(day, USECS_PER_DAY), time),
          offset);
    } catch (ArithmeticException e) {
      result = Long.MAX_VALUE;
    }
    if (result < MIN_TIMESTAMP || result >= END_TIMESTAMP) {
      throw new SQLException("timestamp out of range: \"" + text + "\"", "22008");
    }
    return result;
  }

  private static void appendDate(StringBuilder text, LocalDate date) {
    int year = date.getYear();
    text.append(String.format("%04d-%02d-%02d", year > 0 ? year : 1 - year,
        date.getMonthValue(), date.getDayOfMonth()));
  }

  /** Appends {@code hh:mm:ss[.ffffff]} of {@code micros} (not negative). */
  private static void appendTime(StringBuilder text, long micros) {
    long hours = micros / USECS_PER_HOUR;
    long minutes = micros / USECS_PER_MINUTE % 60;
    long seconds = micros / USECS_PER_SEC % 60;
    long fraction = micros % USECS_PER_SEC;
    text.append(String.format("%02d:%02d:%02d", hours, minutes, seconds));
    if (fraction != 0) {
      String digits = String.format("%06d", fraction);
      int end = digits.length();
      while (digits.charAt(end - 1) == '0') {
        end--;
      }
      text.append('.').append(digits, 0, end);
    }
  }

  /** Appends an offset east of Greenwich as {@code +hh[:mm[:ss]]}. */
  private static void appendZone(StringBuilder text, long east) {
    long seconds = Math.abs(east);
    text.append(east < 0 ? '-' : '+').append(String.format("%02d", seconds / 3600));
    if (seconds % 3600 != 0) {
      text.append(String.format(":%02d", seconds / 60 % 60));
      if (seconds % 60 != 0) {
        text.append(String.format(":%02d", seconds % 60));
      }
    }
  }

  private static String dateText(int day) throws SQLException {
    if (day == Integer.MAX_VALUE) {
      return "infinity";
    }
    if (day == Integer.MIN_VALUE) {
      return "-infinity";
    }
    if (day < MIN_DATE || day >= END_DATE) {
      throw new SQLException("date out of range", "22008");
    }
    LocalDate date = LocalDate.ofEpochDay(day + POSTGRES_EPOCH_DAY);
    StringBuilder text = new StringBuilder();
    appendDate(text, date);
    return date.getYear() <= 0 ? text.append(" BC").toString() : text.toString();
  }

  private static String timeText(long micros) throws SQLException {
    if (micros < 0 || micros > USECS_PER_DAY) {
      throw new SQLException("time out of range", "22008");
    }
    StringBuilder text = new StringBuilder();
    appendTime(text, micros);
    return text.toString();
  }

  private static String timetzText(long micros, int west) throws SQLException {
    if (micros < 0 || micros > USECS_PER_DAY) {
      throw new SQLException("time out of range", "22008");
    }
    if (west <= -TZDISP_LIMIT || west >= TZDISP_LIMIT) {
      throw new SQLException("time zone displacement out of range", "22009");
    }
    StringBuilder text = new StringBuilder();
    appendTime(text, micros);
    appendZone(text, -(long) west);
    return text.toString();
  }

  private static String timestampText(long micros, boolean utc) throws SQLException {
    if (micros == Long.MAX_VALUE) {
      return "infinity";
    }
    if (micros == Long.MIN_VALUE) {
      return "-infinity";
    }
    if (micros < MIN_TIMESTAMP || micros >= END_TIMESTAMP) {
      throw new SQLException("timestamp out of range", "22008");
    }
    LocalDate date =
        LocalDate.ofEpochDay(Math.floorDiv(micros, USECS_PER_DAY) + POSTGRES_EPOCH_DAY);
    StringBuilder text = new StringBuilder();
    appendDate(text, date);
    text.append(' ');
    appendTime(text, Math.floorMod(micros, USECS_PER_DAY));
    if (utc) {
      text.append("+00");
    }
    return date.getYear() <= 0 ? text.append(" BC").toString() : text.toString();
  }

  /**
   * Writes interval_send's form (microseconds, days, months) of an interval in the postgres
   * IntervalStyle ({@code 1 year -2 mons +3 days -04:05:06.5}), also taking the unit words
   * of postgres_verbose ({@code @ 1 hour 2 mins ago}).
   */
  private static void interval(Out out, String text) throws SQLException {
    String[] tokens = text.trim().split("\\s+");
    long months = 0;
    long days = 0;
    long micros = 0;
    boolean ago = false;
    try {
      for (int i = 0; i < tokens.length; i++) {
        String token = tokens[i];
        Matcher time = INTERVAL_TIME.matcher(token);
        if (token.equals("@")) {
          continue;
        } else if (token.equalsIgnoreCase("ago") && i == tokens.length - 1) {
          ago = true;
        } else if (time.matches()) {
          // Summed with its sign: the least interval's time has no positive counterpart.
          long sign = time.group(1).equals("-") ? -1 : 1;
          long value = Math.addExact(
              Math.multiplyExact(Long.parseLong(time.group(2)), sign * USECS_PER_HOUR),
              sign * (Long.parseLong(time.group(3)) * USECS_PER_MINUTE
                  + (time.group(4) != null ? Long.parseLong(time.group(4)) * USECS_PER_SEC : 0)
                  + fraction(time.group(5))));
          micros = Math.addExact(micros, value);
        } else if (INTERVAL_NUMBER.matcher(token).matches() && i + 1 < tokens.length) {
          String unit = tokens[++i].toLowerCase(Locale.ROOT);
          boolean whole = !token.contains(".");
          if (!whole && !unit.startsWith("sec")) {
            throw invalidText(INTERVAL, text);
          }
          switch (unit) {
            case "year", "years" ->
                months = Math.addExact(months, Math.multiplyExact(Long.parseLong(token), 12));
            case "mon", "mons", "month", "months" ->
                months = Math.addExact(months, Long.parseLong(token));
            case "week", "weeks" ->
                days = Math.addExact(days, Math.multiplyExact(Long.parseLong(token), 7));
            case "day", "days" -> days = Math.addExact(days, Long.parseLong(token));
            case "hour", "hours" -> micros = Math.addExact(micros,
                Math.multiplyExact(Long.parseLong(token), USECS_PER_HOUR));
            case "min", "mins", "minute", "minutes" -> micros = Math.addExact(micros,
                Math.multiplyExact(Long.parseLong(token), USECS_PER_MINUTE));
            case "sec", "secs", "second", "seconds" -> micros = Math.addExact(micros,
                new BigDecimal(token).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN)
                    .longValueExact());
            default -> throw invalidText(INTERVAL, text);
          }
        } else {
          throw invalidText(INTERVAL, text);
        }
      }
      if (ago) {
        months = Math.negateExact(months);
        days = Math.negateExact(days);
        micros = Math.negateExact(micros);
      }
      out.int64(micros);
      out.int32(Math.toIntExact(days));
      out.int32(Math.toIntExact(months));
    } catch (ArithmeticException e) {
      throw new SQLException("interval field value out of range: \"" + text + "\"", "22015");
    }
  }

  /**
   * Returns an interval in the postgres IntervalStyle; a field after a negative one carries
   * its sign, as PostgreSQL prints it, and every field does once one is negative, so that
   * sql_standard's reading (a leading minus applies to unsigned fields) gives the same value.
   */
  private static String intervalText(long micros, int days, int months) {
    boolean negative = micros < 0 || days < 0 || months < 0;
    StringBuilder text = new StringBuilder();
    appendIntervalField(text, months / 12, "year", negative);
    appendIntervalField(text, months % 12, "mon", negative);
    appendIntervalField(text, days, "day", negative);
    if (micros != 0 || text.length() == 0) {
      if (text.length() > 0) {
        text.append(' ');
      }
      if (micros == Long.MIN_VALUE) {
        // interval_in cannot read PostgreSQL's own -2562047788:00:54.775808 (its magnitude
        // overflows before the sign applies), but it sums fields with units one by one.
        text.append(micros / USECS_PER_HOUR).append(" hours ")
            .append(BigDecimal.valueOf(micros % USECS_PER_HOUR, 6).toPlainString())
            .append(" secs");
        return text.toString();
      }
      text.append(micros < 0 ? "-" : negative ? "+" : "");
      long magnitude = Math.abs(micros);
      long hours = magnitude / USECS_PER_HOUR;
      text.append(hours < 10 ? "0" : "").append(hours).append(':');
      StringBuilder rest = new StringBuilder();
      appendTime(rest, magnitude % USECS_PER_HOUR);
      // appendTime printed the hours, 00, and a colon.
      text.append(rest, 3, rest.length());
    }
    return text.toString();
  }

  private static void appendIntervalField(StringBuilder text, int value, String unit,
      boolean signed) {
    if (value == 0) {
      return;
    }
    if (text.length() > 0) {
      text.append(' ');
    }
    if (signed && value > 0) {
      text.append('+');
    }
    text.append(value).append(' ').append(unit).append(value == 1 ? "" : "s");
  }

  // ---- Other scalars ------------------------------------------------------------------

  private static void bits(Out out, int oid, String text) throws SQLException {
    String value = text.trim();
    if (!value.matches("[01]*")) {
      throw invalidText(oid, text);
    }
    out.int32(value.length());
    byte[] bytes = new byte[(value.length() + 7) / 8];
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) == '1') {
        bytes[i / 8] |= (byte) (0x80 >>> (i % 8));
      }
    }
    out.bytes(bytes);
  }

  private static String bitsText(ByteBuffer in) throws SQLException {
    int length = in.getInt();
    if (length < 0 || (length + 7L) / 8 != in.remaining()) {
      throw badBinary();
    }
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((in.get(in.position() + i / 8) & (0x80 >>> (i % 8))) != 0 ? '1' : '0');
    }
    in.position(in.limit());
    return text.toString();
  }

  private static void inet(Out out, int oid, String text) throws SQLException {
    String value = text.trim();
    int slash = value.indexOf('/');
    String address = slash < 0 ? value : value.substring(0, slash);
    boolean six = address.contains(":");
    byte[] bytes = six ? ipv6(oid, text, address) : ipv4(oid, text, address);
    int bits = bytes.length * 8;
    if (slash >= 0) {
      String mask = value.substring(slash + 1);
      if (!mask.matches("\\d{1,3}") || Integer.parseInt(mask) > bits) {
        throw invalidText(oid, text);
      }
      bits = Integer.parseInt(mask);
    }
    out.int8(six ? PGSQL_AF_INET6 : PGSQL_AF_INET);
    out.int8(bits);
    out.int8(oid == CIDR ? 1 : 0);
    out.int8(bytes.length);
    out.bytes(bytes);
  }

  private static byte[] ipv4(int oid, String text, String address) throws SQLException {
    String[] parts = address.split("\\.", -1);
    if (parts.length != 4) {
      throw invalidText(oid, text);
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
        throw invalidText(oid, text);
      }
      bytes[i] = (byte) Integer.parseInt(parts[i]);
    }
    return bytes;
  }

  private static byte[] ipv6(int oid, String text, String address) throws SQLException {
    int gap = address.indexOf("::");
    if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
      throw invalidText(oid, text);
    }
    List<Integer> head = ipv6Groups(oid, text, gap < 0 ? address : address.substring(0, gap));
    List<Integer> tail = gap < 0 ? List.of() : ipv6Groups(oid, text, address.substring(gap + 2));
    int missing = 8 - head.size() - tail.size();
    if (gap < 0 ? missing != 0 : missing < 1) {
      throw invalidText(oid, text);
    }
    byte[] bytes = new byte[16];
    int i = 0;
    for (int group : head) {
      bytes[i++] = (byte) (group >> 8);
      bytes[i++] = (byte) group;
    }
    i += 2 * missing;
    for (int group : tail) {
      bytes[i++] = (byte) (group >> 8);
      bytes[i++] = (byte) group;
    }
    return bytes;
  }

  /** Returns the 16-bit groups of part of an IPv6 address; an IPv4 tail makes two. */
  private static List<Integer> ipv6Groups(int oid, String text, String part)
      throws SQLException {
    List<Integer> groups = new ArrayList<>();
    if (part.isEmpty()) {
      return groups;
    }
    String[] fields = part.split(":", -1);
    for (int i = 0; i < fields.length; i++) {
      String field = fields[i];
      if (i == fields.length - 1 && field.contains(".")) {
        byte[] four = ipv4(oid, text, field);
        groups.add((four[0] & 0xFF) << 8 | four[1] & 0xFF);
        groups.add((four[2] & 0xFF) << 8 | four[3] & 0xFF);
      } else if (field.matches("[0-9a-fA-F]{1,4}")) {
        groups.add(Integer.parseInt(field, 16));
      } else {
        throw invalidText(oid, text);
      }
    }
    return groups;
  }

  private static String inetText(int oid, ByteBuffer in) throws SQLException {
    int family = in.get();
    int bits = in.get() & 0xFF;
    in.get(); // is_cidr: inet_recv goes by the type, not by this flag
    int length = in.get();
    int expected = family == PGSQL_AF_INET ? 4 : family == PGSQL_AF_INET6 ? 16 : -1;
    if (expected < 0 || bits > expected * 8 || length != expected) {
      throw badBinary();
    }
    byte[] address = new byte[length];
    in.get(address);
    if (oid == CIDR) {
      for (int i = 0; i < length * 8; i++) {
        if (i >= bits && (address[i / 8] & (0x80 >>> (i % 8))) != 0) {
          throw badBinary();
        }
      }
    }
    StringBuilder text = new StringBuilder();
    if (length == 4) {
      for (int i = 0; i < 4; i++) {
        text.append(i == 0 ? "" : ".").append(address[i] & 0xFF);
      }
    } else {
      for (int i = 0; i < 16; i += 2) {
        text.append(i == 0 ? "" : ":")
            .append(Integer.toHexString((address[i] & 0xFF) << 8 | address[i + 1] & 0xFF));
      }
    }
    return text.append('/').append(bits).toString();
  }

  private static byte[] macaddr(int oid, String text, int count) throws SQLException {
    String digits = text.trim().replaceAll("[:.-]", "");
    if (oid == MACADDR8 && digits.length() == 12) {
      // macaddr8_in turns an EUI-48 address into EUI-64 with FF:FE in the middle.
      digits = digits.substring(0, 6) + "fffe" + digits.substring(6);
    }
    return hexDigits(oid, text, digits, count);
  }

  private static String macaddrText(ByteBuffer in, int count) {
    byte[] bytes = new byte[count];
    in.get(bytes);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      int b = bytes[i] & 0xFF;
      text.append(i == 0 ? "" : ":").append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }
    return text.toString();
  }

  private static long lsn(String text) throws SQLException {
    String value = text.trim();
    if (!value.matches("[0-9a-fA-F]{1,8}/[0-9a-fA-F]{1,8}")) {
      throw invalidText(PG_LSN, text);
    }
    int slash = value.indexOf('/');
    return Long.parseLong(value.substring(0, slash), 16) << 32
        | Long.parseLong(value.substring(slash + 1), 16);
  }

  private static String lsnText(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase(Locale.ROOT) + "/"
        + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
  }

  private static void tid(Out out, String text) throws SQLException {
    String value = text.trim();
    Matcher m = Pattern.compile("\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)").matcher(value);
    if (!m.matches()) {
      throw invalidText(TID, text);
    }
    long block;
    long offset;
    try {
      block = Long.parseLong(m.group(1));
      offset = Long.parseLong(m.group(2));
    } catch (NumberFormatException e) {
      throw invalidText(TID, text);
    }
    if (block > 0xFFFFFFFFL || offset > 0xFFFF) {
      throw invalidText(TID, text);
    }
    out.int32((int) block);
    out.int16((int) offset);
  }

  /**
   * Writes int2vector's or oidvector's form: array_send's, of a one-dimensional array that
   * starts at index 0, from the text's numbers separated by spaces.
   */
  private static void vector(Out out, int oid, String text) throws SQLException {
    String value = text.trim();
    String[] items = value.isEmpty() ? new String[0] : value.split("\\s+");
    int element = oid == INT2VECTOR ? INT2 : OID;
    out.int32(1);
    out.int32(0);
    out.int32(element);
    out.int32(items.length);
    out.int32(0);
    for (String item : items) {
      byte[] bytes = encode(element, item);
      out.int32(bytes.length);
      out.bytes(bytes);
    }
  }

  private static String vectorText(int oid, ByteBuffer in) throws SQLException {
    int element = oid == INT2VECTOR ? INT2 : OID;
    int ndim = in.getInt();
    int flags = in.getInt();
    int type = in.getInt();
    // array_recv's checks first, then the vector's own: one dimension from 0, no NULLs.
    if (ndim < 0 || (flags != 0 && flags != 1)) {
      throw badBinary();
    }
    if (type != element) {
      throw wrongElementType(type, element);
    }
    if (ndim != 1) {
      throw badBinary();
    }
    int count = in.getInt();
    int lbound = in.getInt();
    if (count < 0 || lbound != 0) {
      throw badBinary();
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      int length = in.getInt();
      // A NULL (length -1) is refused as well.
      if (length < 0 || length > in.remaining()) {
        throw badBinary();
      }
      byte[] bytes = new byte[length];
      in.get(bytes);
      text.append(i == 0 ? "" : " ").append(decode(element, bytes));
    }
    return text.toString();
  }

  /** The number of float8 values in the binary form of each fixed-size geometric type. */
  private static int geometryFloats(int oid) {
    return switch (oid) {
      case POINT -> 2;
      case LINE, CIRCLE -> 3;
      default -> 4; // LSEG, BOX
    };
  }

  /**
   * Writes a geometric value: its floats in the order its text shows them (box prints its
   * high corner first, as box_send sends it); path is preceded by its closed flag and point
   * count, polygon by its point count.
   */
  private static void geometry(Out out, int oid, String text) throws SQLException {
    String value = text.trim();
    List<Double> floats = new ArrayList<>();
    for (String item : value.split("[()\\[\\]{}<>,]")) {
      if (!item.isBlank()) {
        floats.add(float8(oid, item));
      }
    }
    if (oid == PATH || oid == POLYGON) {
      if (floats.isEmpty() || floats.size() % 2 != 0) {
        throw invalidText(oid, text);
      }
      if (oid == PATH) {
        out.int8(value.startsWith("[") ? 0 : 1);
      }
      out.int32(floats.size() / 2);
    } else if (floats.size() != geometryFloats(oid)) {
      throw invalidText(oid, text);
    }
    for (double each : floats) {
      out.int64(Double.doubleToRawLongBits(each));
    }
  }

  private static String geometryText(int oid, ByteBuffer in) throws SQLException {
    boolean closed = true;
    int points;
    if (oid == PATH || oid == POLYGON) {
      if (oid == PATH) {
        closed = in.get() != 0;
      }
      points = in.getInt();
      if (points <= 0 || points > in.remaining() / 16) {
        throw badBinary();
      }
    } else {
      points = geometryFloats(oid) / 2;
    }
    String[] floats = new String[oid == LINE || oid == CIRCLE ? 3 : 2 * points];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = float8Text(in.getDouble());
    }
    return switch (oid) {
      case POINT -> "(" + floats[0] + "," + floats[1] + ")";
      case LSEG -> "[" + pointList(floats) + "]";
      case BOX -> pointList(floats);
      case LINE -> "{" + floats[0] + "," + floats[1] + "," + floats[2] + "}";
      case CIRCLE -> "<(" + floats[0] + "," + floats[1] + ")," + floats[2] + ">";
      default -> (closed ? "(" : "[") + pointList(floats) + (closed ? ")" : "]");
    };
  }

  private static String pointList(String[] floats) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < floats.length; i += 2) {
      text.append(i == 0 ? "" : ",").append('(').append(floats[i]).append(',')
          .append(floats[i + 1]).append(')');
    }
    return text.toString();
  }

  // ---- Arrays -------------------------------------------------------------------------

  /** Returns the delimiter between elements of {@code element}'s arrays (typdelim). */
  private static char delimiter(int element) {
    return element == BOX ? ';' : ',';
  }

  /**
   * Writes array_send's form: dimension count, whether there are NULLs, element type, each
   * dimension's length and lower bound, then each element's length (-1 for NULL) and bytes.
   */
  private static byte[] encodeArray(int element, String text) throws SQLException {
    ArrayLiteral literal = ArrayLiteral.parse(text, delimiter(element));
    Out out = new Out();
    out.int32(literal.dims.length);
    out.int32(literal.elements.contains(null) ? 1 : 0);
    out.int32(element);
    for (int d = 0; d < literal.dims.length; d++) {
      out.int32(literal.dims[d]);
      out.int32(literal.lbounds[d]);
    }
    for (String item : literal.elements) {
      if (item == null) {
        out.int32(-1);
      } else {
        byte[] bytes = encode(element, item);
        out.int32(bytes.length);
        out.bytes(bytes);
      }
    }
    return out.toByteArray();
  }

  private static String decodeArray(int element, ByteBuffer in) throws SQLException {
    int ndim = in.getInt();
    int flags = in.getInt();
    int type = in.getInt();
    if (ndim < 0 || (flags != 0 && flags != 1)) {
      throw badBinary();
    }
    if (ndim > MAXDIM) {
      throw new SQLException("number of array dimensions (" + ndim
          + ") exceeds the maximum allowed (" + MAXDIM + ")", "54000");
    }
    if (type != element) {
      throw wrongElementType(type, element);
    }
    int[] dims = new int[ndim];
    int[] lbounds = new int[ndim];
    long count = ndim == 0 ? 0 : 1;
    for (int d = 0; d < ndim; d++) {
      dims[d] = in.getInt();
      lbounds[d] = in.getInt();
      if (dims[d] < 0) {
        throw badBinary();
      }
      if ((long) lbounds[d] + dims[d] - 1 > Integer.MAX_VALUE) {
        throw new SQLException("integer out of range", "22003");
      }
      // Capped so that six dimensions cannot overflow; too many is refused below anyway.
      count = Math.min(count * dims[d], 1L << 31);
    }
    if (count > in.remaining() / 4) {
      // Each element takes at least its length word.
      throw badBinary();
    }
    List<String> items = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      int length = in.getInt();
      if (length == -1) {
        items.add(null);
        continue;
      }
      if (length < 0 || length > in.remaining()) {
        throw badBinary();
      }
      byte[] bytes = new byte[length];
      in.get(bytes);
      try {
        items.add(decode(element, bytes));
      } catch (SQLException e) {
        if ("22P03".equals(e.getSQLState())) {
          throw new SQLException("incorrect binary data format in array element " + (i + 1),
              "22P03", e);
        }
        throw e;
      }
    }
    if (count == 0) {
      // array_recv makes every array without elements the empty array.
      return "{}";
    }
    return ArrayLiteral.print(dims, lbounds, items, delimiter(element));
  }

  /** An array literal's shape and elements (in row-major order; null for NULL). */
  private static final class ArrayLiteral {
    private final String text;
    private final char delimiter;
    private int position;
    private int[] dims = new int[0];
    private int[] lbounds = new int[0];
    private final List<String> elements = new ArrayList<>();
    /** Lengths of the dimensions seen so far, -1 where none is known yet. */
    private final int[] lengths = new int[MAXDIM + 1];
    private int ndim = -1;

    private ArrayLiteral(String text, char delimiter) {
      this.text = text;
      this.delimiter = delimiter;
      Arrays.fill(lengths, -1);
    }

    /**
     * Parses PostgreSQL's array text: optional bounds ({@code [2:3][1:2]=}), then nested
     * braces whose elements are bare (backslash escapes, surrounding white space dropped,
     * {@code NULL} in any case for NULL) or in double quotes (backslash escapes).
     */
    static ArrayLiteral parse(String text, char delimiter) throws SQLException {
      ArrayLiteral literal = new ArrayLiteral(text, delimiter);
      literal.parse();
      return literal;
    }

    private SQLException malformed() {
      return new SQLException("malformed array literal: \"" + text + "\"", "22P02");
    }

    private void skipSpace() {
      while (position < text.length() && isSpace(text.charAt(position))) {
        position++;
      }
    }

    private char peek() throws SQLException {
      if (position >= text.length()) {
        throw malformed();
      }
      return text.charAt(position);
    }

    private void parse() throws SQLException {
      List<int[]> bounds = new ArrayList<>();
      skipSpace();
      while (position < text.length() && text.charAt(position) == '[') {
        position++;
        int first = boundNumber();
        int lower = 1;
        int upper = first;
        if (peek() == ':') {
          position++;
          lower = first;
          upper = boundNumber();
        }
        if (peek() != ']') {
          throw malformed();
        }
        position++;
        bounds.add(new int[] {lower, upper});
        skipSpace();
      }
      if (!bounds.isEmpty()) {
        if (peek() != '=') {
          throw malformed();
        }
        position++;
        skipSpace();
      }
      if (peek() != '{') {
        throw malformed();
      }
      braces(0);
      skipSpace();
      if (position != text.length()) {
        throw malformed();
      }
      if (ndim <= 0) {
        // "{}": no dimensions at all.
        if (!bounds.isEmpty()) {
          throw malformed();
        }
        return;
      }
      dims = Arrays.copyOf(lengths, ndim);
      lbounds = new int[ndim];
      Arrays.fill(lbounds, 1);
      if (!bounds.isEmpty()) {
        if (bounds.size() != ndim) {
          throw malformed();
        }
        for (int d = 0; d < ndim; d++) {
          int[] bound = bounds.get(d);
          if ((long) bound[1] - bound[0] + 1 != dims[d]) {
            throw malformed();
          }
          lbounds[d] = bound[0];
        }
      }
    }

    private int boundNumber() throws SQLException {
      int start = position;
      if (peek() == '-' || peek() == '+') {
        position++;
      }
      while (position < text.length() && Character.isDigit(text.charAt(position))) {
        position++;
      }
      try {
        return Integer.parseInt(text.substring(start, position).trim());
      } catch (NumberFormatException e) {
        throw malformed();
      }
    }

    /** Reads a brace at nesting {@code level} (0 outermost), with what it holds. */
    private void braces(int level) throws SQLException {
      if (level >= MAXDIM) {
        throw new SQLException("number of array dimensions (" + (level + 1)
            + ") exceeds the maximum allowed (" + MAXDIM + ")", "54000");
      }
      position++; // '{'
      skipSpace();
      if (peek() == '}') {
        position++;
        // Only the whole array may be empty: "{}"; "{{},{}}" has no shape.
        if (level > 0) {
          throw malformed();
        }
        return;
      }
      int count = 0;
      while (true) {
        skipSpace();
        if (peek() == '{') {
          if (ndim >= 0 && ndim <= level + 1) {
            throw malformed();
          }
          braces(level + 1);
        } else {
          if (ndim >= 0 && ndim != level + 1) {
            throw malformed();
          }
          ndim = level + 1;
          elements.add(element());
        }
        count++;
        skipSpace();
        char next = peek();
        position++;
        if (next == '}') {
          break;
        }
        if (next != delimiter) {
          throw malformed();
        }
      }
      if (lengths[level] >= 0 && lengths[level] != count) {
        throw new SQLException("malformed array literal: \"" + text
            + "\": multidimensional arrays must have sub-arrays with matching dimensions",
            "22P02");
      }
      lengths[level] = count;
    }

    /** Reads one element; returns null for NULL. */
    private String element() throws SQLException {
      StringBuilder value = new StringBuilder();
      if (peek() == '"') {
        position++;
        while (true) {
          char c = peek();
          position++;
          if (c == '"') {
            return value.toString();
          }
          if (c == '\\') {
            c = peek();
            position++;
          }
          value.append(c);
        }
      }
      boolean escaped = false;
      int kept = 0; // length without trailing white space that was not escaped
      while (true) {
        char c = peek();
        if (c == delimiter || c == '}') {
          break;
        }
        if (c == '"' || c == '{') {
          throw malformed();
        }
        position++;
        if (c == '\\') {
          c = peek();
          position++;
          escaped = true;
          value.append(c);
          kept = value.length();
        } else {
          value.append(c);
          if (!isSpace(c)) {
            kept = value.length();
          }
        }
      }
      value.setLength(kept);
      if (value.length() == 0) {
        throw malformed();
      }
      if (!escaped && value.toString().equalsIgnoreCase("NULL")) {
        return null;
      }
      return value.toString();
    }

    /** Returns array_out's text of an array with at least one element. */
    static String print(int[] dims, int[] lbounds, List<String> items, char delimiter) {
      StringBuilder text = new StringBuilder();
      boolean decorated = false;
      for (int lbound : lbounds) {
        decorated |= lbound != 1;
      }
      if (decorated) {
        for (int d = 0; d < dims.length; d++) {
          text.append('[').append(lbounds[d]).append(':')
              .append((long) lbounds[d] + dims[d] - 1).append(']');
        }
        text.append('=');
      }
      printLevel(text, dims, 0, items, new int[] {0}, delimiter);
      return text.toString();
    }

    private static void printLevel(StringBuilder text, int[] dims, int level,
        List<String> items, int[] next, char delimiter) {
      text.append('{');
      for (int i = 0; i < dims[level]; i++) {
        if (i > 0) {
          text.append(delimiter);
        }
        if (level + 1 < dims.length) {
          printLevel(text, dims, level + 1, items, next, delimiter);
        } else {
          quote(text, items.get(next[0]++), delimiter);
        }
      }
      text.append('}');
    }

    private static void quote(StringBuilder text, String item, char delimiter) {
      if (item == null) {
        text.append("NULL");
        return;
      }
      boolean needed = item.isEmpty() || item.equalsIgnoreCase("NULL");
      for (int i = 0; i < item.length() && !needed; i++) {
        char c = item.charAt(i);
        needed = c == '"' || c == '\\' || c == '{' || c == '}' || c == delimiter
            || isSpace(c);
      }
      if (!needed) {
        text.append(item);
        return;
      }
      text.append('"');
      for (int i = 0; i < item.length(); i++) {
        char c = item.charAt(i);
        if (c == '"' || c == '\\') {
          text.append('\\');
        }
        text.append(c);
      }
      text.append('"');
    }

    /** The white space array_in skips (array_isspace). */
    private static boolean isSpace(char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }
  }

  // ---- Output buffer ------------------------------------------------------------------

  /** Big-endian output, as PostgreSQL's pq_send* functions write. */
  private static final class Out {
    private byte[] buffer = new byte[16];
    private int size;

    private void ensure(int more) {
      if (size + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
      }
    }

    void int8(int value) {
      ensure(1);
      buffer[size++] = (byte) value;
    }

    void int16(int value) {
      ensure(2);
      buffer[size++] = (byte) (value >> 8);
      buffer[size++] = (byte) value;
    }

    void int32(int value) {
      int16(value >> 16);
      int16(value);
    }

    void int64(long value) {
      int32((int) (value >> 32));
      int32((int) value);
    }

    void bytes(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buffer, size, bytes.length);
      size += bytes.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, size);
    }
  }
}
