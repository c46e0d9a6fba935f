package io.spar.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the client's byte stream into messages: in the startup phase length-prefixed packets
 * without a type byte, afterwards a type byte and a length word before each body.
 *
 * <p>A length is checked before anything is read for it, so that a client that announces two
 * gigabytes makes Spar allocate nothing: a length outside the protocol's bounds is a
 * {@link ProtocolViolation}. Bytes are only accumulated as they arrive, up to the announced
 * length. Until the client has authenticated, only its password messages are due, and those
 * are short: any other type, or a longer length, is refused at once, as PostgreSQL refuses
 * them, so that a client without a password cannot make Spar hold more than that.
 */
final class MessageFraming extends ByteToMessageDecoder {
  /** PostgreSQL's own limit for startup packets ({@code MAX_STARTUP_PACKET_LENGTH}). */
  static final int MAX_STARTUP_LENGTH = 10_000;
  static final int SSL_REQUEST = 80877103;
  static final int GSSENC_REQUEST = 80877104;
  static final int CANCEL_REQUEST = 80877102;
  /** PostgreSQL's limit for the messages of authentication ({@code PG_MAX_AUTH_TOKEN_LENGTH}). */
  static final int MAX_AUTHENTICATION_LENGTH = 65_535;

  private final int maxLength;
  private boolean startup = true;
  /** After a CancelRequest nothing more is read: PostgreSQL, too, ignores what follows it. */
  private boolean cancelled;
  /** Set by the worker thread once the client is in, before its first ReadyForQuery. */
  private volatile boolean authenticated;

  /** Creates the framing of one connection, whose typed messages are at most {@code maxLength}. */
  MessageFraming(int maxLength) {
    this.maxLength = maxLength;
  }

  /** Lifts the limits of the authentication exchange: the client is in. */
  void authenticated() {
    authenticated = true;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (true) {
      if (cancelled) {
        in.skipBytes(in.readableBytes());
        return;
      }
      int start = in.readerIndex();
      if (startup) {
        if (in.readableBytes() < 4) {
          return;
        }
        int length = in.getInt(start);
        if (length < 8 || length > MAX_STARTUP_LENGTH) {
          throw new ProtocolViolation("invalid length of startup packet");
        }
        if (in.readableBytes() < length) {
          return;
        }
        int code = in.getInt(start + 4);
        if ((code == SSL_REQUEST || code == GSSENC_REQUEST) && in.readableBytes() > length) {
          // Sent before the answer to the request, so never encrypted even if TLS starts: it
          // may come from a man in the middle.
          throw new ProtocolViolation(code == SSL_REQUEST
              ? "received unencrypted data after SSL request"
              : "received unencrypted data after GSSAPI encryption request");
        }
        // After the StartupMessage (or a CancelRequest) every message has a type byte; an
        // SSLRequest or GSSENCRequest is followed by another startup packet.
        startup = code == SSL_REQUEST || code == GSSENC_REQUEST;
        cancelled = code == CANCEL_REQUEST;
        in.skipBytes(4);
        out.add(new FrontendMessage(FrontendMessage.STARTUP, read(in, length - 4)));
        if (code == SSL_REQUEST || code == CANCEL_REQUEST) {
          // TLS handshake bytes, or nothing, follow: never decode them here.
          return;
        }
      } else {
        if (!in.isReadable()) {
          return;
        }
        byte type = in.getByte(start);
        if (!authenticated && type != 'p') {
          throw new ProtocolViolation("expected SASL response, got message type "
              + (type & 0xff));
        }
        if (in.readableBytes() < 5) {
          return;
        }
        int length = in.getInt(start + 1);
        if (length < 4 || length > (authenticated ? maxLength : MAX_AUTHENTICATION_LENGTH + 4)) {
          throw new ProtocolViolation("invalid message length " + Integer.toUnsignedString(length)
              + " for message type \"" + (char) (type & 0xff) + "\"");
        }
        if (in.readableBytes() < length + 1) {
          return;
        }
        in.skipBytes(5);
        out.add(new FrontendMessage(type, read(in, length - 4)));
      }
    }
  }

  private static byte[] read(ByteBuf in, int length) {
    byte[] body = new byte[length];
    in.readBytes(body);
    return body;
  }
}
