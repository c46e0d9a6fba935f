package io.spar.pgwire;

import io.spar.server.ScramVerifier;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of one SASL SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) as PostgreSQL runs
 * it: the client's first message ({@code SASLInitialResponse}) goes to {@link #start}, whose
 * answer the wire layer sends as {@code AuthenticationSASLContinue}; the client's final message
 * ({@code SASLResponse}) goes to {@link #finish}, whose answer goes out as
 * {@code AuthenticationSASLFinal}, followed by {@code AuthenticationOk}. Any
 * {@link AuthenticationFailed} ends the exchange.
 *
 * <p>Like PostgreSQL, it takes the user from the startup packet and ignores the name in the
 * SCRAM message, offers no channel binding ({@code SCRAM-SHA-256-PLUS}), and refuses an
 * authorization identity. For a user that does not exist it runs the whole exchange with a
 * made-up salt that is stable per user, and fails at the end, so a client cannot find out which
 * users exist.
 *
 * <p>One instance serves one exchange on one connection; it is not thread-safe.
 */
public final class ScramExchange {
  /** The one SASL mechanism this exchange runs, to advertise in AuthenticationSASL. */
  public static final String MECHANISM = "SCRAM-SHA-256";

  /** PostgreSQL's SCRAM_RAW_NONCE_LEN: random bytes of the server's part of the nonce. */
  private static final int NONCE_BYTES = 18;
  /** PostgreSQL's SCRAM_DEFAULT_SALT_LEN, so mock salts look like real ones. */
  private static final int SALT_BYTES = 16;
  private static final int KEY_BYTES = 32;
  private static final String SQLSTATE_INVALID_PASSWORD = "28P01";
  private static final String SQLSTATE_PROTOCOL_VIOLATION = "08P01";
  private static final String SQLSTATE_FEATURE_NOT_SUPPORTED = "0A000";

  /**
   * Secret of this process for mock salts, in the role of PostgreSQL's mock authentication
   * nonce. Without it anyone could compute an unknown user's mock salt and so tell it from a
   * real one. Being per process, mock salts change when the server restarts and real salts do
   * not, so a client watching across restarts can still tell; PostgreSQL keeps its nonce in
   * pg_control for that reason, and storing this secret would be the fix if that matters.
   */
  private static final byte[] MOCK_SECRET = randomBytes(new SecureRandom(), 32);

  private enum State { NEW, STARTED, DONE }

  private final String user;
  private final boolean mock;
  private final ScramVerifier verifier;
  private final String serverNonce;
  private State state = State.NEW;

  private String gs2Header;
  private String clientFirstBare;
  private String serverFirst;
  private String nonce;

  /**
   * Prepares an exchange for {@code user}.
   *
   * @param verifier the user's verifier, or null if there is no such user: then the exchange
   *     runs on a mock verifier and always fails at the end
   * @param user the user of the startup packet (for the mock salt and for log messages)
   * @param random source of the server nonce
   */
  public ScramExchange(ScramVerifier verifier, String user, SecureRandom random) {
    this(verifier, user, Base64.getEncoder().encodeToString(randomBytes(random, NONCE_BYTES)));
  }

  /** With a given server part of the nonce, so that published test vectors can be replayed. */
  ScramExchange(ScramVerifier verifier, String user, String serverNonce) {
    this.user = Objects.requireNonNull(user, "user");
    this.mock = verifier == null;
    this.verifier = mock ? mockVerifier(user) : verifier;
    this.serverNonce = serverNonce;
  }

  /**
   * Takes the client-first-message and returns the server-first-message
   * ({@code r=NONCE,s=SALT,i=ITERATIONS}).
   *
   * @param mechanism the mechanism the client selected in SASLInitialResponse
   * @param clientFirstMessage the message as sent
   * @throws AuthenticationFailed if the mechanism is not {@value #MECHANISM} or the message is
   *     malformed, asks for channel binding, an authorization identity or a mandatory extension
   * @throws IllegalStateException if the exchange has already started
   */
  public byte[] start(String mechanism, byte[] clientFirstMessage) throws AuthenticationFailed {
    requireState(State.NEW);
    state = State.DONE; // stays so unless the message is accepted
    if (!MECHANISM.equals(mechanism)) {
      throw protocolViolation("client selected an invalid SASL authentication mechanism");
    }
    Reader in = new Reader(text(clientFirstMessage));
    char flag = in.next();
    if (flag == 'p') {
      throw protocolViolation("malformed SCRAM message: the client asks for channel binding, "
          + "but selected " + MECHANISM + " without it");
    }
    // 'y' only says the client could bind the channel but saw no -PLUS mechanism offered;
    // since none is, that is the truth and no downgrade (were -PLUS ever offered, 'y' would
    // have to be refused).
    if (flag != 'n' && flag != 'y') {
      throw malformed("unexpected channel-binding flag");
    }
    in.expect(',');
    if (in.peek() == 'a') {
      throw new AuthenticationFailed(SQLSTATE_FEATURE_NOT_SUPPORTED,
          "client uses authorization identity, but it is not supported");
    }
    in.expect(',');
    gs2Header = in.consumed();
    clientFirstBare = in.rest();
    if (in.peek() == 'm') {
      throw new AuthenticationFailed(SQLSTATE_FEATURE_NOT_SUPPORTED,
          "client requires an unsupported SCRAM extension");
    }
    // PostgreSQL authenticates the startup packet's user; pgjdbc and libpq send "*" or "" here.
    in.attribute('n');
    String clientNonce = in.attribute('r');
    if (clientNonce.isEmpty() || !clientNonce.chars().allMatch(ScramExchange::printable)) {
      throw protocolViolation("non-printable characters in SCRAM nonce");
    }
    while (!in.atEnd()) {
      in.anyAttribute(); // optional extensions, which nobody defines
    }
    nonce = clientNonce + serverNonce;
    serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(verifier.salt())
        + ",i=" + verifier.iterations();
    state = State.STARTED;
    return serverFirst.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Takes the client-final-message, checks the client's proof, and returns the
   * server-final-message ({@code v=SERVERSIGNATURE}) that proves the server knew the verifier.
   *
   * @param clientFinalMessage the message as sent
   * @throws AuthenticationFailed if the message is malformed or does not continue this
   *     exchange, or if the proof is wrong or the user does not exist
   * @throws IllegalStateException unless {@link #start} has succeeded and this was not called
   */
  public byte[] finish(byte[] clientFinalMessage) throws AuthenticationFailed {
    requireState(State.STARTED);
    state = State.DONE;
    Reader in = new Reader(text(clientFinalMessage));
    String channelBinding = in.attribute('c');
    // Without channel binding, c= carries only the GS2 header of the first message; checking
    // it catches a man in the middle who changed 'y' to 'n' there.
    String expected = Base64.getEncoder()
        .encodeToString(gs2Header.getBytes(StandardCharsets.ISO_8859_1));
    if (!channelBinding.equals(expected)) {
      throw protocolViolation(
          "unexpected SCRAM channel-binding attribute in client-final-message");
    }
    String finalNonce = in.attribute('r');
    int withoutProofEnd;
    char name;
    String value;
    do {
      withoutProofEnd = in.position() - 1; // the comma before the attribute
      name = in.peek();
      value = in.anyAttribute();
    } while (name != 'p');
    if (!in.atEnd()) {
      throw malformed("garbage found at the end of client-final-message");
    }
    byte[] proof;
    try {
      proof = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw malformed("malformed proof in client-final-message");
    }
    if (proof.length != KEY_BYTES) {
      throw malformed("malformed proof in client-final-message");
    }
    if (!finalNonce.equals(nonce)) {
      throw protocolViolation("invalid SCRAM response: nonce does not match");
    }
    String clientFinalWithoutProof = in.text.substring(0, withoutProofEnd);
    byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof)
        .getBytes(StandardCharsets.ISO_8859_1);
    byte[] storedKey = verifier.storedKey();
    byte[] clientKey = hmac(storedKey, authMessage);
    for (int i = 0; i < KEY_BYTES; i++) {
      clientKey[i] ^= proof[i];
    }
    // Constant time, so response times do not tell how close a forged proof came; the mock
    // exchange does the same work, so its timing does not tell that the user is unknown.
    boolean proven = MessageDigest.isEqual(sha256(clientKey), storedKey);
    Arrays.fill(clientKey, (byte) 0);
    if (mock) {
      throw new AuthenticationFailed(SQLSTATE_INVALID_PASSWORD,
          "password authentication failed for user \"" + user + "\": role does not exist");
    }
    if (!proven) {
      throw new AuthenticationFailed(SQLSTATE_INVALID_PASSWORD,
          "password authentication failed for user \"" + user + "\": wrong SCRAM proof");
    }
    return ("v=" + Base64.getEncoder().encodeToString(hmac(verifier.serverKey(), authMessage)))
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * A failed exchange. The message is for the server log: it says why, which the client must
   * not learn (an unknown user and a wrong password must look alike to it).
   */
  public static final class AuthenticationFailed extends Exception {
    private static final long serialVersionUID = 1L;

    private final String sqlState;

    AuthenticationFailed(String sqlState, String message) {
      super(message);
      this.sqlState = sqlState;
    }

    /**
     * Returns the SQLSTATE PostgreSQL reports for this failure: {@code 28P01} for a wrong
     * password or unknown user, {@code 08P01} for a malformed or out-of-place message,
     * {@code 0A000} for an authorization identity or a mandatory extension.
     */
    public String sqlState() {
      return sqlState;
    }
  }

  private void requireState(State required) {
    if (state != required) {
      throw new IllegalStateException("SCRAM exchange is " + state + ", not " + required);
    }
  }

  /**
   * Reads a message byte for byte as ISO-8859-1: the syntax is ASCII, and this keeps any other
   * bytes (a non-UTF-8 user name, say) exactly as sent for the AuthMessage the proof signs.
   */
  private static String text(byte[] message) throws AuthenticationFailed {
    String text = new String(message, StandardCharsets.ISO_8859_1);
    if (text.indexOf('\0') >= 0) {
      throw malformed("the message contains a null byte");
    }
    return text;
  }

  /** RFC 5802's printable: ASCII 0x21 to 0x7E except the comma. */
  private static boolean printable(int c) {
    return c >= 0x21 && c <= 0x7E && c != ',';
  }

  /**
   * PostgreSQL's mock verifier: a salt from the user name and a secret, the default iteration
   * count, and keys no proof can match.
   */
  private static ScramVerifier mockVerifier(String user) {
    MessageDigest sha256 = sha256();
    sha256.update(user.getBytes(StandardCharsets.UTF_8));
    sha256.update(MOCK_SECRET);
    byte[] salt = Arrays.copyOf(sha256.digest(), SALT_BYTES);
    return new ScramVerifier(ScramVerifier.DEFAULT_ITERATIONS, salt, new byte[KEY_BYTES],
        new byte[KEY_BYTES]);
  }

  private static AuthenticationFailed protocolViolation(String message) {
    return new AuthenticationFailed(SQLSTATE_PROTOCOL_VIOLATION, message);
  }

  private static AuthenticationFailed malformed(String detail) {
    return protocolViolation("malformed SCRAM message: " + detail);
  }

  private static byte[] randomBytes(SecureRandom random, int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    return sha256().digest(data);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Reads SCRAM's {@code a=value,b=value} syntax the way PostgreSQL's parser does. */
  private static final class Reader {
    final String text;
    private int position;

    Reader(String text) {
      this.text = text;
    }

    int position() {
      return position;
    }

    boolean atEnd() {
      return position >= text.length();
    }

    /** Returns the next character, or NUL at the end. */
    char peek() {
      return atEnd() ? '\0' : text.charAt(position);
    }

    char next() throws AuthenticationFailed {
      if (atEnd()) {
        throw malformed("unexpected end of message");
      }
      return text.charAt(position++);
    }

    void expect(char c) throws AuthenticationFailed {
      if (next() != c) {
        throw malformed("expected \"" + c + "\"");
      }
    }

    String consumed() {
      return text.substring(0, position);
    }

    String rest() {
      return text.substring(position);
    }

    /** Reads attribute {@code name} and its value, and the comma after it if any. */
    String attribute(char name) throws AuthenticationFailed {
      if (peek() != name) {
        throw malformed("expected attribute \"" + name + "\"");
      }
      return value();
    }

    /** Reads any attribute (a letter) and its value, and the comma after it if any. */
    String anyAttribute() throws AuthenticationFailed {
      char name = peek();
      if (!(name >= 'a' && name <= 'z' || name >= 'A' && name <= 'Z')) {
        throw malformed(atEnd() ? "attribute expected, but found end of message"
            : "attribute expected, but found invalid character");
      }
      return value();
    }

    private String value() throws AuthenticationFailed {
      char name = next();
      if (next() != '=') {
        throw malformed("expected character \"=\" for attribute \"" + name + "\"");
      }
      int end = text.indexOf(',', position);
      String value = text.substring(position, end < 0 ? text.length() : end);
      position = end < 0 ? text.length() : end + 1;
      return value;
    }
  }
}
