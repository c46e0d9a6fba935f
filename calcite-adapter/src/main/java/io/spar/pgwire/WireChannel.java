package io.spar.pgwire;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection's handler on Netty's event loop: it answers SSLRequest and GSSENCRequest at
 * once (TLS must start before the next byte is decoded), hands CopyData, CopyDone and
 * CopyFail to a running COPY FROM STDIN, and queues every other message in the connection's
 * {@link Inbox}, which its thread works through once the loop returns ({@link ConnectionLoop}).
 */
final class WireChannel extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(WireChannel.class);
  /** PostgreSQL's default {@code authentication_timeout}. */
  private static final long LOGIN_TIMEOUT_SECONDS = 60;
  /** Messages that may wait for the worker before Spar stops reading the socket. */
  static final int MAX_WAITING = 1024;

  private final PgWireServer server;
  private final SslContext tls;
  private WireSession session;

  WireChannel(PgWireServer server, SslContext tls) {
    this.server = server;
    this.tls = tls;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    session = new WireSession(ctx.channel(), server);
    ((ConnectionLoop) ctx.channel().eventLoop()).work(session);
    // As PostgreSQL's authentication_timeout: a client that never logs in holds no socket.
    ctx.executor().schedule(() -> {
      if (session.session() == null && !session.isClosed()) {
        session.close();
      }
    }, LOGIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    FrontendMessage message = (FrontendMessage) msg;
    if (message.type() == FrontendMessage.STARTUP && message.body().length == 4) {
      int code = new MessageReader(message.body()).int32();
      if (code == MessageFraming.SSL_REQUEST) {
        if (tls != null && ctx.pipeline().get(SslHandler.class) == null) {
          // 'S' goes out in clear, then TLS goes in front of the framing before this event
          // loop task ends, so the client's handshake, which answers 'S', is read through it.
          ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
          ctx.pipeline().addFirst("tls", tls.newHandler(ctx.alloc()));
        } else {
          ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
        }
        return;
      }
      if (code == MessageFraming.GSSENC_REQUEST) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
        return;
      }
    }
    byte type = message.type();
    if (session.copy().readingInput()) {
      if (type == 'd' || type == 'c' || type == 'f') {
        session.copy().offer(message);
      } else if (type != 'H' && type != 'S') {
        // The worker waits in the COPY for its data, so this message would never be read:
        // PostgreSQL, too, ends the connection, its protocol's thread lost.
        session.fatal("08P01", String.format(
            "unexpected message type 0x%02X during COPY from stdin", type & 0xff));
      }
      // PostgreSQL ignores Flush and Sync during COPY FROM STDIN.
      return;
    }
    session.inbox().add(message);
    if (session.inbox().waiting() > MAX_WAITING) {
      // A client that sends faster than its statements run waits in its socket, not in Spar's
      // heap; the connection reads on once it has caught up.
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    session.close();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable reason = cause instanceof DecoderException && cause.getCause() != null
        ? cause.getCause() : cause;
    if (reason instanceof ProtocolViolation violation) {
      session.fatal("08P01", violation.getMessage());
    } else if (reason instanceof IOException) {
      session.close(); // the client went away
    } else {
      LOG.debug("PostgreSQL connection failed", cause);
      session.fatal("08P01", String.valueOf(reason.getMessage()));
    }
  }
}
