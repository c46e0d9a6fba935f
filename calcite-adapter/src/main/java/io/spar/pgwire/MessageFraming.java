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
 * length.
 */
final class MessageFraming extends ByteToMessageDecoder {
  /** PostgreSQL's own limit for startup packets ({@code MAX_STARTUP_PACKET_LENGTH}). */
  static final int MAX_STARTUP_LENGTH = 10_000;
  static final int SSL_REQUEST = 80877103;
  static final int GSSENC_REQUEST = 80877104;
  static final int CANCEL_REQUEST = 80877102;

  private final int maxLength;
  private boolean startup = true;

  /** Creates the framing of one connection, whose typed messages are at most {@code maxLength}. */
  MessageFraming(int maxLength) {
    this.maxLength = maxLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (true) {
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
        // After the StartupMessage (or a CancelRequest) every message has a type byte; an
        // SSLRequest or GSSENCRequest is followed by another startup packet.
        startup = code == SSL_REQUEST || code == GSSENC_REQUEST;
        in.skipBytes(4);
        out.add(new FrontendMessage(FrontendMessage.STARTUP, read(in, length - 4)));
        if (code == SSL_REQUEST || code == CANCEL_REQUEST) {
          // TLS handshake bytes, or nothing, follow: never decode them here.
          return;
        }
      } else {
        if (in.readableBytes() < 5) {
          return;
        }
        byte type = in.getByte(start);
        int length = in.getInt(start + 1);
        if (length < 4 || length > maxLength) {
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
