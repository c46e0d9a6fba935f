package io.spar.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.util.security.Credential;

/**
 * Jetty credential that checks a password against its {@link PasswordHash}.
 *
 * <p>BASIC authentication sends the password with every HTTP request, and Avatica makes
 * several requests per statement, while a PBKDF2 check deliberately takes a good part of a
 * second. So once a password has passed the PBKDF2 check, its HMAC under a key that exists
 * only in this process's memory is remembered, and later requests with the same password are
 * checked against that. Wrong passwords always pay the full PBKDF2 price.
 */
final class HashedPasswordCredential extends Credential {
  private static final long serialVersionUID = 1L;
  private static final byte[] PROCESS_KEY = randomKey();

  private final PasswordHash hash;
  private transient volatile byte[] verified;

  HashedPasswordCredential(PasswordHash hash) {
    this.hash = hash;
  }

  /** Checks what the BASIC authenticator passes: the password as a String. */
  @Override
  public boolean check(Object credentials) {
    if (credentials == null) {
      return false;
    }
    String password = credentials instanceof char[] chars ? new String(chars)
        : credentials.toString();
    byte[] digest = hmac(password);
    byte[] known = verified;
    if (known != null && MessageDigest.isEqual(known, digest)) {
      return true;
    }
    if (hash.matches(password)) {
      verified = digest;
      return true;
    }
    return false;
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  private static byte[] hmac(String password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(PROCESS_KEY, "HmacSHA256"));
      return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
