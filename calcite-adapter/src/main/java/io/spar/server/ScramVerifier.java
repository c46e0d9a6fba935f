package io.spar.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A user's password as a SCRAM-SHA-256 verifier (RFC 5802, RFC 7677), in PostgreSQL's own
 * {@code rolpassword} form {@code SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY} (salt and
 * keys in Base64). It checks HTTP BASIC passwords with {@link #matches} and serves the
 * PostgreSQL wire protocol's SCRAM exchange, without the password itself being stored.
 *
 * <p>The byte arrays are copied in and out, so a verifier cannot be changed after it is made.
 *
 * @param iterations iteration count of Hi(), PBKDF2-HMAC-SHA256
 * @param salt the user's random salt
 * @param storedKey H(ClientKey), what a client's proof is checked against
 * @param serverKey HMAC(SaltedPassword, "Server Key"), what the server proves itself with
 */
public record ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
  /** The mechanism name that starts the stored form. */
  public static final String SCHEME = "SCRAM-SHA-256";

  /**
   * Iterations for new verifiers: PostgreSQL's default {@code scram_iterations}. Unlike a
   * password hash checked only by the server, SCRAM makes every client pay Hi()'s iterations
   * on every connection, so a count tuned for offline hashing (hundreds of thousands) would
   * add a noticeable pause to each connection made by every driver and pool.
   */
  public static final int DEFAULT_ITERATIONS = 4096;

  /** The older stored form that {@link #parse} still reads. */
  static final String PBKDF2_SCHEME = "pbkdf2-sha256";

  private static final int SALT_BYTES = 16;
  private static final int KEY_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Checks the sizes and takes copies of the arrays. */
  public ScramVerifier {
    if (iterations < 1) {
      throw new IllegalArgumentException("SCRAM iteration count must be positive");
    }
    if (salt.length == 0) {
      throw new IllegalArgumentException("SCRAM salt must not be empty");
    }
    if (storedKey.length != KEY_BYTES || serverKey.length != KEY_BYTES) {
      throw new IllegalArgumentException("SCRAM-SHA-256 keys must be " + KEY_BYTES + " bytes");
    }
    salt = salt.clone();
    storedKey = storedKey.clone();
    serverKey = serverKey.clone();
  }

  /** Returns a copy of the salt. */
  @Override
  public byte[] salt() {
    return salt.clone();
  }

  /** Returns a copy of StoredKey. */
  @Override
  public byte[] storedKey() {
    return storedKey.clone();
  }

  /** Returns a copy of ServerKey. */
  @Override
  public byte[] serverKey() {
    return serverKey.clone();
  }

  /**
   * Makes the verifier of {@code password} with a fresh 16-byte salt and
   * {@value #DEFAULT_ITERATIONS} iterations.
   *
   * @throws IllegalArgumentException if the password is empty
   */
  public static ScramVerifier create(char[] password) {
    return create(password, DEFAULT_ITERATIONS);
  }

  /**
   * Makes the verifier of {@code password} with a fresh 16-byte salt and the given iteration
   * count.
   *
   * @throws IllegalArgumentException if the password is empty or the count not positive
   */
  public static ScramVerifier create(char[] password, int iterations) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return create(password, salt, iterations);
  }

  /**
   * Makes the verifier of {@code password} with the given salt, which should be random and
   * of the user's own; for reproducing known verifiers, such as RFC 7677's test vector.
   *
   * @throws IllegalArgumentException if the password or salt is empty or the count not
   *     positive
   */
  public static ScramVerifier create(char[] password, byte[] salt, int iterations) {
    if (password.length == 0) {
      // PostgreSQL refuses empty passwords too; an empty HMAC key is also refused by the JDK.
      throw new IllegalArgumentException("empty password");
    }
    if (iterations < 1 || salt.length == 0) {
      throw new IllegalArgumentException("SCRAM needs a salt and a positive iteration count");
    }
    byte[] prepared = SaslPrep.prepare(password);
    byte[] saltedPassword = saltedPassword(prepared, salt, iterations);
    try {
      return fromSaltedPassword(iterations, salt, saltedPassword);
    } finally {
      Arrays.fill(prepared, (byte) 0);
      Arrays.fill(saltedPassword, (byte) 0);
    }
  }

  /**
   * Parses the stored form {@code SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY}, or the
   * older {@code pbkdf2-sha256:ITERATIONS:SALT:HASH} of Spar's users files.
   *
   * <p>The older form is converted: its hash is PBKDF2-HMAC-SHA256 with a 32-byte output,
   * which is exactly SCRAM's SaltedPassword, so the keys follow from it without the password.
   * It keeps its iteration count (600,000 for files written by older Spar versions), which
   * every SCRAM client then pays on every connection until the password is set again. It
   * hashed the password's UTF-8 bytes without SASLprep, so a converted non-ASCII password
   * that SASLprep would change no longer matches; ASCII passwords are unaffected.
   *
   * @throws IllegalArgumentException if {@code text} is neither form
   */
  public static ScramVerifier parse(String text) {
    // Messages name the expected shape only: the text is secret-equivalent and may be logged.
    if (text.startsWith(PBKDF2_SCHEME + ":")) {
      String[] parts = text.split(":", -1);
      if (parts.length != 4) {
        throw new IllegalArgumentException("expected " + PBKDF2_SCHEME
            + ":ITERATIONS:SALT:HASH");
      }
      byte[] hash = decode(parts[3]);
      if (hash.length != KEY_BYTES) {
        throw new IllegalArgumentException("a " + PBKDF2_SCHEME + " hash must be " + KEY_BYTES
            + " bytes to be converted to SCRAM-SHA-256");
      }
      return fromSaltedPassword(iterationCount(parts[1]), decode(parts[2]), hash);
    }
    String shape = "expected " + SCHEME + "$ITERATIONS:SALT$STOREDKEY:SERVERKEY";
    String[] parts = text.split("\\$", -1);
    if (parts.length != 3 || !parts[0].equals(SCHEME)) {
      throw new IllegalArgumentException(shape);
    }
    String[] iterationsAndSalt = parts[1].split(":", -1);
    String[] keys = parts[2].split(":", -1);
    if (iterationsAndSalt.length != 2 || keys.length != 2) {
      throw new IllegalArgumentException(shape);
    }
    return new ScramVerifier(iterationCount(iterationsAndSalt[0]), decode(iterationsAndSalt[1]),
        decode(keys[0]), decode(keys[1]));
  }

  /** Returns the stored form, as PostgreSQL writes it in {@code pg_authid.rolpassword}. */
  public String encode() {
    Base64.Encoder base64 = Base64.getEncoder();
    return SCHEME + "$" + iterations + ":" + base64.encodeToString(salt) + "$"
        + base64.encodeToString(storedKey) + ":" + base64.encodeToString(serverKey);
  }

  /**
   * Returns whether {@code password} is the password of this verifier, as SCRAM would decide
   * it: after SASLprep, the hash of the derived ClientKey must be StoredKey. Costs
   * {@link #iterations()} HMACs, like a SCRAM client.
   */
  public boolean matches(char[] password) {
    if (password.length == 0) {
      return false;
    }
    byte[] prepared = SaslPrep.prepare(password);
    byte[] saltedPassword = saltedPassword(prepared, salt, iterations);
    byte[] clientKey = hmac(saltedPassword, "Client Key");
    try {
      // Constant time, so response times do not tell how much of a guess matched.
      return MessageDigest.isEqual(sha256(clientKey), storedKey);
    } finally {
      Arrays.fill(prepared, (byte) 0);
      Arrays.fill(saltedPassword, (byte) 0);
      Arrays.fill(clientKey, (byte) 0);
    }
  }

  /** Returns whether {@code password} is the password of this verifier. */
  public boolean matches(String password) {
    return matches(password.toCharArray());
  }

  /** Names the iteration count and salt only: the keys would let anyone pose as the server. */
  @Override
  public String toString() {
    return "ScramVerifier[" + SCHEME + ", iterations=" + iterations + ", salt="
        + Base64.getEncoder().encodeToString(salt) + "]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ScramVerifier that && iterations == that.iterations
        && MessageDigest.isEqual(salt, that.salt)
        && MessageDigest.isEqual(storedKey, that.storedKey)
        && MessageDigest.isEqual(serverKey, that.serverKey);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * iterations + Arrays.hashCode(salt)) + Arrays.hashCode(storedKey);
  }

  private static ScramVerifier fromSaltedPassword(int iterations, byte[] salt,
      byte[] saltedPassword) {
    byte[] clientKey = hmac(saltedPassword, "Client Key");
    try {
      return new ScramVerifier(iterations, salt, sha256(clientKey),
          hmac(saltedPassword, "Server Key"));
    } finally {
      Arrays.fill(clientKey, (byte) 0);
    }
  }

  /**
   * SCRAM's Hi(): PBKDF2-HMAC-SHA256 with one 32-byte block. Written out rather than through
   * the JDK's PBKDF2 key factory, because that one takes the password as chars and encodes
   * them itself, while SCRAM hashes SASLprep's bytes, which can be raw bytes that are not a
   * string.
   */
  static byte[] saltedPassword(byte[] password, byte[] salt, int iterations) {
    Mac mac = mac(password);
    mac.update(salt);
    mac.update(new byte[] {0, 0, 0, 1});
    byte[] u = mac.doFinal();
    byte[] result = u.clone();
    try {
      for (int i = 1; i < iterations; i++) {
        mac.update(u);
        mac.doFinal(u, 0);
        for (int j = 0; j < result.length; j++) {
          result[j] ^= u[j];
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 output does not fit 32 bytes", e);
    } finally {
      Arrays.fill(u, (byte) 0);
    }
    return result;
  }

  private static byte[] hmac(byte[] key, String text) {
    return mac(key).doFinal(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // Every Java 17 runtime has HmacSHA256 and takes any non-empty key for it.
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static int iterationCount(String text) {
    try {
      int count = Integer.parseInt(text);
      if (count >= 1) {
        return count;
      }
    } catch (NumberFormatException e) {
      // Reported below with the expected shape.
    }
    throw new IllegalArgumentException("the iteration count must be a positive integer");
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid Base64 in a password verifier");
    }
  }
}
