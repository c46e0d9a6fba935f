package io.spar.server;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * SASLprep (RFC 4013) of a password, as PostgreSQL applies it before SCRAM: the prepared
 * UTF-8 bytes, or the password's own UTF-8 bytes when SASLprep rejects it.
 *
 * <p>Client and server must derive the same bytes, or a correct password fails. The clients
 * that matter are libpq, which runs PostgreSQL's own {@code pg_saslprep}, and pgjdbc, which
 * follows it; so this follows {@code pg_saslprep}'s steps rather than the RFC where they
 * differ: ASCII passes untouched (control characters included), an empty result and any
 * prohibited character fall back to the raw bytes instead of failing, and the prohibited
 * characters are looked for in the mapped password before normalization.
 */
final class SaslPrep {
  /** RFC 3454 C.1.2, non-ASCII spaces; mapped to U+0020. */
  private static final int[] NON_ASCII_SPACES = {
      0x00A0, 0x00A0, 0x1680, 0x1680, 0x2000, 0x200B, 0x202F, 0x202F, 0x205F, 0x205F,
      0x3000, 0x3000};

  /** RFC 3454 B.1, commonly mapped to nothing. */
  private static final int[] MAPPED_TO_NOTHING = {
      0x00AD, 0x00AD, 0x034F, 0x034F, 0x1806, 0x1806, 0x180B, 0x180D, 0x200B, 0x200D,
      0x2060, 0x2060, 0xFE00, 0xFE0F, 0xFEFF, 0xFEFF};

  /** RFC 3454 C.2.1 to C.9 as SASLprep lists them (C.1.2 is mapped away before the check). */
  private static final int[] PROHIBITED = {
      // C.2.1 ASCII control
      0x0000, 0x001F, 0x007F, 0x007F,
      // C.2.2 non-ASCII control
      0x0080, 0x009F, 0x06DD, 0x06DD, 0x070F, 0x070F, 0x180E, 0x180E, 0x200C, 0x200D,
      0x2028, 0x2029, 0x2060, 0x2063, 0x206A, 0x206F, 0xFEFF, 0xFEFF, 0xFFF9, 0xFFFC,
      0x1D173, 0x1D17A,
      // C.3 private use
      0xE000, 0xF8FF, 0xF0000, 0xFFFFD, 0x100000, 0x10FFFD,
      // C.4 non-characters
      0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x1FFFF, 0x2FFFE, 0x2FFFF, 0x3FFFE, 0x3FFFF,
      0x4FFFE, 0x4FFFF, 0x5FFFE, 0x5FFFF, 0x6FFFE, 0x6FFFF, 0x7FFFE, 0x7FFFF, 0x8FFFE, 0x8FFFF,
      0x9FFFE, 0x9FFFF, 0xAFFFE, 0xAFFFF, 0xBFFFE, 0xBFFFF, 0xCFFFE, 0xCFFFF, 0xDFFFE, 0xDFFFF,
      0xEFFFE, 0xEFFFF, 0xFFFFE, 0xFFFFF, 0x10FFFE, 0x10FFFF,
      // C.5 surrogates (only unpaired ones reach here from a Java string)
      0xD800, 0xDFFF,
      // C.6 inappropriate for plain text
      0xFFF9, 0xFFFD,
      // C.7 inappropriate for canonical representation
      0x2FF0, 0x2FFB,
      // C.8 change display properties or deprecated
      0x0340, 0x0341, 0x200E, 0x200F, 0x202A, 0x202E, 0x206A, 0x206F,
      // C.9 tagging
      0xE0001, 0xE0001, 0xE0020, 0xE007F};

  private SaslPrep() {
  }

  /** Returns the bytes SCRAM hashes for {@code password}. */
  static byte[] prepare(char[] password) {
    String raw = new String(password);
    if (raw.chars().allMatch(c -> c < 0x80)) {
      return raw.getBytes(StandardCharsets.US_ASCII);
    }
    String prepared = saslPrep(raw);
    return (prepared == null ? raw : prepared).getBytes(StandardCharsets.UTF_8);
  }

  /** Returns the SASLprep form of non-ASCII {@code raw}, or null where SASLprep rejects it. */
  static String saslPrep(String raw) {
    StringBuilder mapped = new StringBuilder(raw.length());
    raw.codePoints().forEach(cp -> {
      if (in(NON_ASCII_SPACES, cp)) {
        mapped.append(' ');
      } else if (!in(MAPPED_TO_NOTHING, cp)) {
        mapped.appendCodePoint(cp);
      }
    });
    if (mapped.length() == 0) {
      return null;
    }
    int[] codePoints = mapped.codePoints().toArray();
    for (int cp : codePoints) {
      if (in(PROHIBITED, cp) || unassignedInUnicode32(cp)) {
        return null;
      }
    }
    if (!bidiAcceptable(codePoints)) {
      return null;
    }
    return Normalizer.normalize(mapped, Normalizer.Form.NFKC);
  }

  /**
   * Returns whether {@code cp} is unassigned in Unicode 3.2 (RFC 3454 table A.1), which
   * SASLprep prohibits. PostgreSQL checks that old table, so a password with, say, an emoji
   * (assigned later) is not prepared at all; Java's own character data is far newer and would
   * prepare it, and the client would then hash other bytes. The JDK's only copy of the 3.2
   * tables is behind IDNA's nameprep, which fails on unassigned code points unless told to
   * allow them: a code point that fails without that flag and passes with it is unassigned.
   */
  private static boolean unassignedInUnicode32(int cp) {
    if (cp < 0x80) {
      return false;
    }
    String single = new String(Character.toChars(cp));
    try {
      IDN.toASCII(single, 0);
      return false;
    } catch (IllegalArgumentException rejected) {
      try {
        IDN.toASCII(single, IDN.ALLOW_UNASSIGNED);
        return true;
      } catch (IllegalArgumentException alsoRejected) {
        // Rejected for another reason than being unassigned; the tables above decide those.
        return false;
      }
    }
  }

  /** RFC 3454 section 6: right-to-left text must not mix with left-to-right and must frame. */
  private static boolean bidiAcceptable(int[] codePoints) {
    boolean anyRightToLeft = false;
    boolean anyLeftToRight = false;
    for (int cp : codePoints) {
      anyRightToLeft |= rightToLeft(cp);
      anyLeftToRight |= Character.getDirectionality(cp) == Character.DIRECTIONALITY_LEFT_TO_RIGHT;
    }
    return !anyRightToLeft || !anyLeftToRight && rightToLeft(codePoints[0])
        && rightToLeft(codePoints[codePoints.length - 1]);
  }

  private static boolean rightToLeft(int cp) {
    byte direction = Character.getDirectionality(cp);
    return direction == Character.DIRECTIONALITY_RIGHT_TO_LEFT
        || direction == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
  }

  private static boolean in(int[] ranges, int cp) {
    for (int i = 0; i < ranges.length; i += 2) {
      if (cp >= ranges[i] && cp <= ranges[i + 1]) {
        return true;
      }
    }
    return false;
  }
}
