package io.spar.server;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password stored as a PBKDF2-HMAC-SHA256 hash with its own salt and iteration count,
 * written as {@code pbkdf2-sha256:ITERATIONS:SALT:HASH} (salt and hash in Base64).
 *
 * @param iterations PBKDF2 iteration count
 * @param salt random per-user salt
 * @param hash derived key
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
  /** Name of the scheme in the stored form. */
  public static final String SCHEME = "pbkdf2-sha256";
  /** Iterations for new hashes (OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256). */
  public static final int DEFAULT_ITERATIONS = 600_000;

  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Hashes {@code password} with a fresh salt and the default iteration count. */
  public static PasswordHash create(char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return new PasswordHash(DEFAULT_ITERATIONS, salt, derive(password, salt, DEFAULT_ITERATIONS));
  }

  /** Parses the stored form {@code pbkdf2-sha256:ITERATIONS:SALT:HASH}. */
  public static PasswordHash parse(String text) {
    String[] parts = text.split(":");
    if (parts.length != 4 || !parts[0].equals(SCHEME)) {
      throw new IllegalArgumentException("expected " + SCHEME + ":ITERATIONS:SALT:HASH");
    }
    Base64.Decoder base64 = Base64.getDecoder();
    return new PasswordHash(Integer.parseInt(parts[1]), base64.decode(parts[2]),
        base64.decode(parts[3]));
  }

  /** Returns whether {@code password} is the password this hash was made from. */
  public boolean matches(char[] password) {
    // Constant-time comparison, so response times do not reveal how much of a guess matched.
    return MessageDigest.isEqual(hash, derive(password, salt, iterations));
  }

  /** Returns whether {@code password} is the password this hash was made from. */
  public boolean matches(String password) {
    return matches(password.toCharArray());
  }

  /** Returns the stored form. */
  public String encode() {
    Base64.Encoder base64 = Base64.getEncoder();
    return SCHEME + ":" + iterations + ":" + base64.encodeToString(salt) + ":"
        + base64.encodeToString(hash);
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec)
          .getEncoded();
    } catch (GeneralSecurityException e) {
      // Every Java 17 runtime has PBKDF2WithHmacSHA256; its absence is a broken JDK.
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    } finally {
      spec.clearPassword();
    }
  }

  /** Returns the stored form, never the raw bytes. */
  @Override
  public String toString() {
    return encode();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PasswordHash that && iterations == that.iterations
        && MessageDigest.isEqual(salt, that.salt) && MessageDigest.isEqual(hash, that.hash);
  }

  @Override
  public int hashCode() {
    return encode().hashCode();
  }

}
