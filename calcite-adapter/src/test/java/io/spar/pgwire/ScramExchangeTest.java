package io.spar.pgwire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.pgwire.ScramExchange.AuthenticationFailed;
import io.spar.server.ScramVerifier;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.postgresql.shaded.com.ongres.scram.client.ScramClient;
import org.postgresql.shaded.com.ongres.scram.common.StringPreparation;

/**
 * The server side of SCRAM-SHA-256: RFC 7677's example byte for byte, and whole exchanges with
 * the SCRAM client that pgjdbc ships (scram-client, relocated under
 * {@code org.postgresql.shaded}).
 */
class ScramExchangeTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
  private static final String RFC_SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  private static final byte[] RFC_SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");

  @Test
  void rfc7677Example() throws Exception {
    ScramVerifier verifier = ScramVerifier.create("pencil".toCharArray(), RFC_SALT, 4096);
    ScramExchange exchange = new ScramExchange(verifier, "user", RFC_SERVER_NONCE);
    byte[] serverFirst = exchange.start("SCRAM-SHA-256",
        ("n,,n=user,r=" + RFC_CLIENT_NONCE).getBytes(UTF_8));
    assertEquals("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", new String(serverFirst, UTF_8));
    byte[] serverFinal = exchange.finish(("c=biws,r=rOprNGfwEbeRWgbNEkqO"
        + "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        .getBytes(UTF_8));
    assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
        new String(serverFinal, UTF_8));
  }

  @Test
  void rfc7677ExampleWithAnotherProofFails() throws Exception {
    ScramVerifier verifier = ScramVerifier.create("pencil".toCharArray(), RFC_SALT, 4096);
    ScramExchange exchange = new ScramExchange(verifier, "user", RFC_SERVER_NONCE);
    exchange.start("SCRAM-SHA-256", ("n,,n=user,r=" + RFC_CLIENT_NONCE).getBytes(UTF_8));
    AuthenticationFailed failed = assertThrows(AuthenticationFailed.class, () -> exchange.finish(
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVE=").getBytes(UTF_8)));
    assertEquals("28P01", failed.sqlState());
    assertTrue(failed.getMessage().contains("\"user\""), failed.getMessage());
  }

  @Test
  void pgjdbcClientWithTheRightPassword() throws Exception {
    ScramVerifier verifier = ScramVerifier.create("s3cret!".toCharArray());
    authenticate(new ScramExchange(verifier, "alice", RANDOM), client("s3cret!"));
  }

  @Test
  void pgjdbcClientThatCouldBindTheChannel() throws Exception {
    ScramVerifier verifier = ScramVerifier.create("s3cret!".toCharArray());
    ScramClient client = ScramClient.builder().advertisedMechanisms(List.of("SCRAM-SHA-256"))
        .username("*").password("s3cret!".toCharArray())
        .channelBinding("tls-server-end-point", new byte[32])
        .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION).build();
    String clientFirst = client.clientFirstMessage().toString();
    assertTrue(clientFirst.startsWith("y,,"), clientFirst);
    authenticate(new ScramExchange(verifier, "alice", RANDOM), client, clientFirst);
  }

  @Test
  void pgjdbcClientWithAWrongPassword() throws Exception {
    ScramVerifier verifier = ScramVerifier.create("s3cret!".toCharArray());
    AuthenticationFailed failed = assertThrows(AuthenticationFailed.class,
        () -> authenticate(new ScramExchange(verifier, "alice", RANDOM), client("s3cret?")));
    assertEquals("28P01", failed.sqlState());
  }

  @Test
  void unknownUserRunsAMockExchangeThatFails() throws Exception {
    AuthenticationFailed failed = assertThrows(AuthenticationFailed.class,
        () -> authenticate(new ScramExchange(null, "mallory", RANDOM), client("anything")));
    assertEquals("28P01", failed.sqlState());
    // The salt looks like a real one, and asking again gives the same salt, as for a real
    // user; another unknown user gets another.
    String first = serverFirst(new ScramExchange(null, "mallory", RANDOM));
    String again = serverFirst(new ScramExchange(null, "mallory", RANDOM));
    String other = serverFirst(new ScramExchange(null, "trudy", RANDOM));
    assertEquals(salt(first), salt(again));
    assertNotEquals(salt(first), salt(other));
    assertEquals(16, Base64.getDecoder().decode(salt(first)).length);
    assertTrue(first.endsWith(",i=4096"), first);
  }

  @Test
  void convertedOldEntryAuthenticatesWithTheOriginalPassword() throws Exception {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec("old password".toCharArray(), salt, 2000, 256))
        .getEncoded();
    ScramVerifier converted = ScramVerifier.parse("pbkdf2-sha256:2000:"
        + Base64.getEncoder().encodeToString(salt) + ":"
        + Base64.getEncoder().encodeToString(hash));
    authenticate(new ScramExchange(converted, "bob", RANDOM), client("old password"));
    assertThrows(AuthenticationFailed.class,
        () -> authenticate(new ScramExchange(converted, "bob", RANDOM), client("new password")));
  }

  @Test
  void nonAsciiPasswordPreparedAlikeOnBothSides() throws Exception {
    // Set in composed form, typed in decomposed form (as some keyboards produce it).
    ScramVerifier verifier = ScramVerifier.create("p\u00E4ssw\u00F6rd\u00A0\u2168".toCharArray());
    authenticate(new ScramExchange(verifier, "carol", RANDOM),
        client("pa\u0308sswo\u0308rd IX"));
    ScramVerifier emoji = ScramVerifier.create("caf\u00E9\uD83D\uDE42".toCharArray());
    authenticate(new ScramExchange(emoji, "carol", RANDOM), client("caf\u00E9\uD83D\uDE42"));
  }

  @Test
  void refusesOtherMechanismsChannelBindingAndAuthzid() {
    assertFailure("08P01", "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc");
    assertFailure("08P01", "SCRAM-SHA-1", "n,,n=,r=abc");
    assertFailure("08P01", "SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=abc");
    assertFailure("0A000", "SCRAM-SHA-256", "n,a=admin,n=,r=abc");
    assertFailure("0A000", "SCRAM-SHA-256", "n,,m=ext,n=,r=abc");
    assertFailure("08P01", "SCRAM-SHA-256", "x,,n=,r=abc");
    assertFailure("08P01", "SCRAM-SHA-256", "n,,r=abc");
    assertFailure("08P01", "SCRAM-SHA-256", "n,,n=,r=");
    assertFailure("08P01", "SCRAM-SHA-256", "n,,n=,r=ab\u00E7");
    assertFailure("08P01", "SCRAM-SHA-256", "n,,n=,r=a\u0000b");
    assertFailure("08P01", "SCRAM-SHA-256", "n,,n=,r=abc,1=x");
  }

  @Test
  void ignoresTheUserNameInTheMessageAndOptionalExtensions() throws Exception {
    ScramVerifier verifier = ScramVerifier.create("pw".toCharArray(), RFC_SALT, 4096);
    ScramExchange exchange = new ScramExchange(verifier, "alice", "SERVER");
    String serverFirst = new String(exchange.start("SCRAM-SHA-256",
        "n,,n=somebody-else,r=abc,x=ext".getBytes(UTF_8)), UTF_8);
    assertEquals("r=abcSERVER,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", serverFirst);
  }

  @Test
  void finalMessageMustContinueTheExchange() throws Exception {
    String proof = ",p=" + Base64.getEncoder().encodeToString(new byte[32]);
    // c= must carry the first message's header: "y,," is eSws, not biws.
    assertFinalFailure("y,,n=,r=abc", "c=biws,r=abcSERVER" + proof, "08P01");
    assertFinalFailure("n,,n=,r=abc", "c=biws,r=abcOTHER" + proof, "08P01");
    assertFinalFailure("n,,n=,r=abc", "c=biws,r=abcSERVER,p=AAAA", "08P01");
    assertFinalFailure("n,,n=,r=abc", "c=biws,r=abcSERVER", "08P01");
    assertFinalFailure("n,,n=,r=abc", "c=biws,r=abcSERVER" + proof + ",x=1", "08P01");
    assertFinalFailure("n,,n=,r=abc", "r=abcSERVER,c=biws" + proof, "08P01");
    assertFinalFailure("y,,n=,r=abc", "c=eSws,r=abcSERVER,x=ignored" + proof, "28P01");
  }

  @Test
  void messagesOutOfOrderAreProgrammingErrors() throws Exception {
    ScramVerifier verifier = ScramVerifier.create("pw".toCharArray());
    ScramExchange exchange = new ScramExchange(verifier, "alice", RANDOM);
    assertThrows(IllegalStateException.class, () -> exchange.finish(new byte[0]));
    exchange.start("SCRAM-SHA-256", "n,,n=,r=abc".getBytes(UTF_8));
    assertThrows(IllegalStateException.class,
        () -> exchange.start("SCRAM-SHA-256", "n,,n=,r=abc".getBytes(UTF_8)));
    assertThrows(AuthenticationFailed.class, () -> exchange.finish("c=biws".getBytes(UTF_8)));
    assertThrows(IllegalStateException.class, () -> exchange.finish(new byte[0]));
  }

  /** Runs a whole exchange; returns normally only if both sides accept the other. */
  private static void authenticate(ScramExchange exchange, ScramClient client)
      throws Exception {
    authenticate(exchange, client, client.clientFirstMessage().toString());
  }

  private static void authenticate(ScramExchange exchange, ScramClient client,
      String clientFirst) throws Exception {
    byte[] serverFirst = exchange.start(ScramExchange.MECHANISM, clientFirst.getBytes(UTF_8));
    client.serverFirstMessage(new String(serverFirst, UTF_8));
    byte[] serverFinal = exchange.finish(client.clientFinalMessage().toString().getBytes(UTF_8));
    // Throws unless the server's signature proves it knew the verifier.
    client.serverFinalMessage(new String(serverFinal, UTF_8));
  }

  /** The client as pgjdbc's ScramAuthenticator builds it. */
  private static ScramClient client(String password) {
    return ScramClient.builder().advertisedMechanisms(List.of("SCRAM-SHA-256"))
        .username("*").password(password.toCharArray())
        .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION).build();
  }

  private static String serverFirst(ScramExchange exchange) throws AuthenticationFailed {
    return new String(exchange.start("SCRAM-SHA-256", "n,,n=,r=abc".getBytes(UTF_8)), UTF_8);
  }

  private static String salt(String serverFirst) {
    return serverFirst.split(",")[1].substring(2);
  }

  private static void assertFailure(String sqlState, String mechanism, String message) {
    ScramExchange exchange = new ScramExchange(ScramVerifier.create("pw".toCharArray()),
        "alice", RANDOM);
    AuthenticationFailed failed = assertThrows(AuthenticationFailed.class,
        () -> exchange.start(mechanism, message.getBytes(UTF_8)), message);
    assertEquals(sqlState, failed.sqlState(), message + ": " + failed.getMessage());
  }

  private static void assertFinalFailure(String first, String last, String sqlState)
      throws Exception {
    ScramExchange exchange = new ScramExchange(ScramVerifier.create("pw".toCharArray()),
        "alice", "SERVER");
    exchange.start("SCRAM-SHA-256", first.getBytes(UTF_8));
    AuthenticationFailed failed = assertThrows(AuthenticationFailed.class,
        () -> exchange.finish(last.getBytes(UTF_8)), last);
    assertEquals(sqlState, failed.sqlState(), last + ": " + failed.getMessage());
  }
}
