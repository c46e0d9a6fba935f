package io.spar.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SCRAM-SHA-256 verifiers of the users file, their stored form and password preparation. */
class ScramVerifierTest {
  private static final byte[] RFC_SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");

  @Test
  void newVerifiersUsePostgresDefaults() {
    ScramVerifier verifier = ScramVerifier.create("pencil".toCharArray());
    assertEquals(4096, verifier.iterations());
    assertEquals(16, verifier.salt().length);
    assertTrue(verifier.matches("pencil"));
    assertFalse(verifier.matches("pencil "));
    assertFalse(verifier.matches(""));
    assertNotEquals(verifier, ScramVerifier.create("pencil".toCharArray()), "fresh salt");
  }

  @Test
  void rfc7677KeysAreDerived() {
    // The keys behind RFC 7677's example exchange, which ScramExchangeTest replays.
    ScramVerifier verifier = ScramVerifier.create("pencil".toCharArray(), RFC_SALT, 4096);
    assertTrue(verifier.matches("pencil".toCharArray()));
    assertFalse(verifier.matches("Pencil".toCharArray()));
    assertEquals(verifier, ScramVerifier.create("pencil".toCharArray(), RFC_SALT, 4096));
  }

  @Test
  void encodeParseRoundTripInPostgresForm() {
    ScramVerifier verifier = ScramVerifier.create("secret".toCharArray(), 5000);
    String text = verifier.encode();
    assertTrue(text.matches("SCRAM-SHA-256\\$5000:[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}:"
        + "[A-Za-z0-9+/=]{44}"), text);
    ScramVerifier parsed = ScramVerifier.parse(text);
    assertEquals(verifier, parsed);
    assertEquals(verifier.hashCode(), parsed.hashCode());
    assertEquals(text, parsed.encode());
    assertTrue(parsed.matches("secret"));
  }

  @Test
  void toStringShowsNoKeys() {
    ScramVerifier verifier = ScramVerifier.create("secret".toCharArray());
    Base64.Encoder base64 = Base64.getEncoder();
    String shown = verifier.toString();
    assertFalse(shown.contains(base64.encodeToString(verifier.storedKey())), shown);
    assertFalse(shown.contains(base64.encodeToString(verifier.serverKey())), shown);
  }

  @Test
  void arraysAreCopied() {
    ScramVerifier verifier = ScramVerifier.create("secret".toCharArray());
    verifier.storedKey()[0] ^= 1;
    verifier.salt()[0] ^= 1;
    assertTrue(verifier.matches("secret"));
  }

  @Test
  void oldPbkdf2EntriesAreConverted() throws Exception {
    String old = oldEntry("correct horse", 1000);
    ScramVerifier converted = ScramVerifier.parse(old);
    assertEquals(1000, converted.iterations());
    assertTrue(converted.matches("correct horse"));
    assertFalse(converted.matches("correct horse!"));
    // The same verifier as one made from the password itself with the same salt.
    assertEquals(ScramVerifier.create("correct horse".toCharArray(), converted.salt(), 1000),
        converted);
    assertTrue(converted.encode().startsWith("SCRAM-SHA-256$1000:"));
  }

  @Test
  void malformedTextIsRejected() {
    for (String text : List.of("", "SCRAM-SHA-256$4096:c2FsdA==", "MD5$1:YQ==$YQ==:YQ==",
        "SCRAM-SHA-256$0:c2FsdA==$" + key(32) + ":" + key(32),
        "SCRAM-SHA-256$x:c2FsdA==$" + key(32) + ":" + key(32),
        "SCRAM-SHA-256$4096:c2FsdA==$" + key(31) + ":" + key(32),
        "SCRAM-SHA-256$4096:$" + key(32) + ":" + key(32),
        "SCRAM-SHA-256$4096:c2FsdA==$" + key(32) + ":!!",
        "pbkdf2-sha256:1000:c2FsdA==", "pbkdf2-sha256:1000:c2FsdA==:" + key(20))) {
      assertThrows(IllegalArgumentException.class, () -> ScramVerifier.parse(text), text);
    }
    assertThrows(IllegalArgumentException.class, () -> ScramVerifier.create(new char[0]));
  }

  @Test
  void asciiPasswordsAreTheirBytes() {
    String ascii = "p a\u0007s\u007Fs~";
    assertArrayEquals(ascii.getBytes(StandardCharsets.US_ASCII),
        SaslPrep.prepare(ascii.toCharArray()));
  }

  @Test
  void saslPrepMapsAndNormalizes() {
    // RFC 4013's examples, then a space, a decomposed accent and a compatibility character.
    assertEquals("IX", prepared("I\u00ADX"));
    assertEquals("a", prepared("\u00AA"));
    assertEquals("IX", prepared("\u2168"));
    assertEquals("a b", prepared("a\u00A0b"));
    assertEquals("caf\u00E9", prepared("cafe\u0301"));
    assertEquals("fi\u00E9", prepared("\uFB01\u00E9"));
    ScramVerifier verifier = ScramVerifier.create("p\u00E4ssw\u00F6rd".toCharArray());
    assertTrue(verifier.matches("pa\u0308sswo\u0308rd"));
    assertFalse(verifier.matches("passwort"));
  }

  @Test
  void rejectedPasswordsUseTheirRawBytes() {
    // A control character, mixed right-to-left and left-to-right text, only characters mapped
    // to nothing, a private-use character, and (unassigned in Unicode 3.2, whose tables
    // SASLprep uses) an emoji: none is prepared, so even the decomposed accent stays.
    for (String raw : List.of("\u0007\u00E9", "\u0627\u0031", "\u0627a\u0627", "\u00AD",
        "\uE000e\u0301", "e\u0301\uD83D\uDE42")) {
      assertArrayEquals(raw.getBytes(StandardCharsets.UTF_8), SaslPrep.prepare(raw.toCharArray()),
          raw);
    }
    assertEquals("\u0627\u0031\u0628", prepared("\u0627\u0031\u0628"));
  }

  @Test
  void usersFileReadsBothFormsAndWritesScram(@TempDir Path directory) throws Exception {
    Path file = directory.resolve("users");
    Files.write(file, List.of("# comment", "", "old:" + oldEntry("old password", 1000),
        "new:" + ScramVerifier.create("new password".toCharArray()).encode()));
    Map<String, ScramVerifier> users = UsersFile.read(file);
    assertEquals(List.of("old", "new"), List.copyOf(users.keySet()));
    assertTrue(users.get("old").matches("old password"));
    assertTrue(users.get("new").matches("new password"));

    UsersFile.put(file, "third", "third password".toCharArray());
    List<String> lines = Files.readAllLines(file);
    assertTrue(lines.stream().noneMatch(line -> line.contains("pbkdf2")), lines.toString());
    Map<String, ScramVerifier> again = UsersFile.read(file);
    assertEquals(users.get("old"), again.get("old"));
    assertEquals(users.get("new"), again.get("new"));
    assertTrue(again.get("third").matches("third password"));
    assertEquals(4096, again.get("third").iterations());
  }

  @Test
  void basicAuthCredentialChecksAgainstTheVerifier() {
    HashedPasswordCredential credential =
        new HashedPasswordCredential(ScramVerifier.create("secret".toCharArray()));
    assertFalse(credential.check("wrong"));
    assertTrue(credential.check("secret"));
    assertTrue(credential.check("secret".toCharArray()), "remembered once verified");
    assertFalse(credential.check("wrong"));
    assertFalse(credential.check(null));
  }

  @Test
  void usersFileNamesTheBadLine(@TempDir Path directory) throws Exception {
    Path file = directory.resolve("users");
    Files.write(file, List.of("# comment", "alice:SCRAM-SHA-256$4096:nonsense"));
    IOException error = assertThrows(IOException.class, () -> UsersFile.read(file));
    assertTrue(error.getMessage().contains(":2: "), error.getMessage());
  }

  /** An entry as Spar wrote them before SCRAM: PBKDF2-HMAC-SHA256 by the JDK, 32 bytes. */
  static String oldEntry(String password, int iterations) throws Exception {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
        .getEncoded();
    Base64.Encoder base64 = Base64.getEncoder();
    return "pbkdf2-sha256:" + iterations + ":" + base64.encodeToString(salt) + ":"
        + base64.encodeToString(hash);
  }

  private static String prepared(String password) {
    return new String(SaslPrep.prepare(password.toCharArray()), StandardCharsets.UTF_8);
  }

  private static String key(int bytes) {
    return Base64.getEncoder().encodeToString(new byte[bytes]);
  }
}
