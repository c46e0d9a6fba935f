package io.spar.test.pgwire;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A PostgreSQL client on a raw socket, for sending what no driver sends: any bytes, framed or
 * not, and the server's answers read message by message with a bounded wait, so that a server
 * that neither answers nor closes is caught as a {@link Hang}.
 */
final class RawWire implements Closeable {
  static final int PROTOCOL_3 = 3 << 16;
  static final int SSL_REQUEST = 80877103;
  static final int GSSENC_REQUEST = 80877104;
  static final int CANCEL_REQUEST = 80877102;
  /** Salted passwords by salt and iterations: computing them is the slow part of SCRAM. */
  private static final Map<String, byte[]> SALTED = new ConcurrentHashMap<>();

  /** The server neither answered nor closed the connection in time. */
  static final class Hang extends AssertionError {
    private static final long serialVersionUID = 1L;

    Hang(String message) {
      super(message);
    }
  }

  /** One message from the server. */
  record Message(char type, byte[] body) {
    /** Returns field {@code code} of an ErrorResponse or NoticeResponse, or null. */
    String field(char code) {
      int i = 0;
      while (i < body.length && body[i] != 0) {
        char each = (char) body[i];
        int end = i + 1;
        while (end < body.length && body[end] != 0) {
          end++;
        }
        if (each == code) {
          return new String(body, i + 1, end - i - 1, StandardCharsets.UTF_8);
        }
        i = end + 1;
      }
      return null;
    }

    /** Returns the body's first int32: the request code of an Authentication message. */
    int int32() {
      return ByteBuffer.wrap(body).getInt();
    }

    @Override
    public String toString() {
      if (type == 'E' || type == 'N') {
        return type + "(" + field('S') + " " + field('C') + " " + field('M') + ")";
      }
      return type + "[" + body.length + "]";
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final int timeoutMillis;
  /** Every message read, for failure reports. */
  private final List<Message> received = new ArrayList<>();

  RawWire(int port, int timeoutMillis) throws IOException {
    this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
    this.timeoutMillis = timeoutMillis;
    socket.setSoTimeout(timeoutMillis);
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
  }

  List<Message> received() {
    return received;
  }

  /** Sends {@code bytes}; returns false if the server had closed the connection already. */
  boolean send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Closes the sending side: the server reads the end of the stream after what was sent. */
  void halfClose() {
    try {
      socket.shutdownOutput();
    } catch (IOException e) {
      // closed already
    }
  }

  /** Returns the next byte, or -1 once the server has closed the connection. */
  int readByte() {
    try {
      return in.read();
    } catch (SocketTimeoutException e) {
      throw hang();
    } catch (IOException e) {
      return -1; // reset: closed
    }
  }

  /** Returns the next byte without taking it, or -1 once the server has closed the connection. */
  int peekByte() {
    in.mark(1);
    int next = readByte();
    try {
      in.reset();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return next;
  }

  /** Returns the next message, or null once the server has closed the connection. */
  Message read() {
    try {
      int type = in.read();
      if (type < 0) {
        return null;
      }
      int length = in.readInt();
      if (length < 4 || length > (64 << 20)) {
        throw new AssertionError("the server sent message \"" + (char) type
            + "\" with length " + length + " after " + received);
      }
      byte[] body = new byte[length - 4];
      in.readFully(body);
      Message message = new Message((char) type, body);
      received.add(message);
      return message;
    } catch (SocketTimeoutException e) {
      throw hang();
    } catch (EOFException | SocketException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Reads messages until {@code type} (returned) or the end of the connection (null). */
  Message readUntil(char type) {
    while (true) {
      Message message = read();
      if (message == null || message.type() == type) {
        return message;
      }
    }
  }

  /** Reads until the server closes the connection, and returns what it sent on the way. */
  List<Message> readToEnd() {
    List<Message> messages = new ArrayList<>();
    for (Message each = read(); each != null; each = read()) {
      messages.add(each);
    }
    return messages;
  }

  private Hang hang() {
    return new Hang("the server neither answered nor closed the connection within "
        + timeoutMillis + " ms; it had sent " + received);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  // Messages ------------------------------------------------------------------------------------

  /** Returns a startup packet of {@code version} with parameters as already encoded. */
  static byte[] startup(int version, byte[] parameters) {
    ByteBuffer packet = ByteBuffer.allocate(8 + parameters.length);
    packet.putInt(8 + parameters.length).putInt(version).put(parameters);
    return packet.array();
  }

  /** Returns a StartupMessage of protocol 3.0 with {@code names and values} and the end NUL. */
  static byte[] startup(String... namesAndValues) {
    ByteArrayOutputStream parameters = new ByteArrayOutputStream();
    for (String each : namesAndValues) {
      parameters.writeBytes(cstring(each));
    }
    parameters.write(0);
    return startup(PROTOCOL_3, parameters.toByteArray());
  }

  /** Returns an 8-byte request (SSLRequest, GSSENCRequest) or a CancelRequest. */
  static byte[] request(int code, int... more) {
    ByteBuffer packet = ByteBuffer.allocate(8 + 4 * more.length);
    packet.putInt(8 + 4 * more.length).putInt(code);
    for (int each : more) {
      packet.putInt(each);
    }
    return packet.array();
  }

  /** Returns a message of {@code type} with {@code body} and its correct length. */
  static byte[] typed(char type, byte[] body) {
    return typed(type, body.length + 4, body);
  }

  /** Returns a message of {@code type} with length word {@code length}, whatever the body. */
  static byte[] typed(char type, int length, byte[] body) {
    ByteBuffer message = ByteBuffer.allocate(5 + body.length);
    message.put((byte) type).putInt(length).put(body);
    return message.array();
  }

  static byte[] cstring(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    byte[] result = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, result, 0, bytes.length);
    return result;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] each : parts) {
      all.writeBytes(each);
    }
    return all.toByteArray();
  }

  static byte[] query(String sql) {
    return typed('Q', cstring(sql));
  }

  static byte[] sync() {
    return typed('S', new byte[0]);
  }

  // SCRAM-SHA-256 -------------------------------------------------------------------------------

  /** The client's side of one SCRAM-SHA-256 exchange (RFC 5802), as libpq runs it. */
  static final class Scram {
    private final String password;
    private final String clientFirstBare;
    private String clientFinalWithoutProof;
    private String serverFirst;
    private byte[] saltedPassword;

    Scram(String password, Random random) {
      this.password = password;
      byte[] nonce = new byte[18];
      random.nextBytes(nonce);
      this.clientFirstBare = "n=,r=" + Base64.getEncoder().encodeToString(nonce);
    }

    /** Returns the SASLInitialResponse message. */
    byte[] initialResponse() {
      byte[] first = ("n,," + clientFirstBare).getBytes(StandardCharsets.US_ASCII);
      return typed('p', concat(cstring("SCRAM-SHA-256"),
          ByteBuffer.allocate(4).putInt(first.length).array(), first));
    }

    /** Takes the server-first-message; returns the client-final-message's text. */
    String clientFinal(byte[] serverFirstMessage) {
      serverFirst = new String(serverFirstMessage, StandardCharsets.US_ASCII);
      Map<Character, String> attributes = new HashMap<>();
      for (String each : serverFirst.split(",")) {
        attributes.put(each.charAt(0), each.substring(2));
      }
      byte[] salt = Base64.getDecoder().decode(attributes.get('s'));
      int iterations = Integer.parseInt(attributes.get('i'));
      saltedPassword = SALTED.computeIfAbsent(attributes.get('s') + "$" + iterations,
          key -> hi(password.getBytes(StandardCharsets.UTF_8), salt, iterations));
      clientFinalWithoutProof = "c=biws,r=" + attributes.get('r');
      byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
      byte[] storedKey = sha256(clientKey);
      byte[] signature = hmac(storedKey, authMessage());
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) {
        proof[i] = (byte) (clientKey[i] ^ signature[i]);
      }
      return clientFinalWithoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    /** Returns whether the server-final-message proves the server knew the verifier. */
    boolean verifies(byte[] serverFinalMessage) {
      byte[] serverKey = hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
      String expected = "v=" + Base64.getEncoder().encodeToString(hmac(serverKey,
          authMessage()));
      return expected.equals(new String(serverFinalMessage, StandardCharsets.US_ASCII));
    }

    private byte[] authMessage() {
      return (clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof)
          .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] hi(byte[] password, byte[] salt, int iterations) {
      byte[] u = hmac(password, concat(salt, new byte[] {0, 0, 0, 1}));
      byte[] result = u.clone();
      for (int i = 1; i < iterations; i++) {
        u = hmac(password, u);
        for (int j = 0; j < result.length; j++) {
          result[j] ^= u[j];
        }
      }
      return result;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    private static byte[] sha256(byte[] data) {
      try {
        return MessageDigest.getInstance("SHA-256").digest(data);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Sends a StartupMessage for {@code user} and {@code database} with {@code more} parameters
   * and reads up to the server's AuthenticationSASL; returns it (null if the server closed).
   */
  Message startSasl(String user, String database, String... more) {
    List<String> parameters = new ArrayList<>(List.of("user", user, "database", database));
    parameters.addAll(List.of(more));
    send(startup(parameters.toArray(String[]::new)));
    return readUntil('R');
  }

  /**
   * Logs in with SCRAM-SHA-256 as a driver does and reads up to the first ReadyForQuery;
   * fails unless the server lets the client in.
   */
  void login(String user, String password, String database, Random random) {
    Message sasl = startSasl(user, database);
    if (sasl == null || sasl.int32() != 10) {
      throw new AssertionError("no AuthenticationSASL: " + received);
    }
    Scram scram = new Scram(password, random);
    send(scram.initialResponse());
    Message serverFirst = readUntil('R');
    if (serverFirst == null || serverFirst.int32() != 11) {
      throw new AssertionError("no AuthenticationSASLContinue: " + received);
    }
    byte[] data = java.util.Arrays.copyOfRange(serverFirst.body(), 4, serverFirst.body().length);
    send(typed('p', scram.clientFinal(data).getBytes(StandardCharsets.US_ASCII)));
    Message serverFinal = readUntil('R');
    if (serverFinal == null || serverFinal.int32() != 12 || !scram.verifies(
        java.util.Arrays.copyOfRange(serverFinal.body(), 4, serverFinal.body().length))) {
      throw new AssertionError("no valid AuthenticationSASLFinal: " + received);
    }
    if (readUntil('Z') == null) {
      throw new AssertionError("no ReadyForQuery after authentication: " + received);
    }
  }
}
