package io.spar.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.util.security.Credential;

/**
 * Jetty credential that checks a password against its {@link ScramVerifier}.
 *
 * <p>BASIC authentication sends the password with every HTTP request, and Avatica makes
 * several requests per statement, while a verifier check runs all of the verifier's
 * iterations: a few milliseconds at 4096, a good part of a second for an entry converted from
 * the older 600,000-iteration hashes. So once a password has passed the check, its HMAC under
 * a key that exists only in this process's memory is remembered, and later requests with the
 * same password are checked against that. Wrong passwords always pay the full price.
 */
final class HashedPasswordCredential extends Credential {
  private static final long serialVersionUID = 1L;
  private static final byte[] PROCESS_KEY = randomKey();

  private final ScramVerifier verifier;
  private transient volatile byte[] verified;

  HashedPasswordCredential(ScramVerifier verifier) {
    this.verifier = verifier;
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
    if (verifier.matches(password)) {
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
