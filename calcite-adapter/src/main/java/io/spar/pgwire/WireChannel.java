package io.spar.pgwire;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection's handler on Netty's event loop: it answers SSLRequest and GSSENCRequest at
 * once (TLS must start before the next byte is decoded), hands CopyData to a running COPY,
 * and queues every other message for the connection's worker thread.
 */
final class WireChannel extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(WireChannel.class);

  private final PgWireServer server;
  private final SslContext tls;
  private WireSession session;
  /** Messages of the current read, queued together when it completes. */
  private final List<FrontendMessage> arrived = new ArrayList<>();

  WireChannel(PgWireServer server, SslContext tls) {
    this.server = server;
    this.tls = tls;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    session = new WireSession(ctx.channel(), server);
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
    if (session.copy().active() && (type == 'd' || type == 'c' || type == 'f')) {
      session.copy().offer(message);
      return;
    }
    arrived.add(message);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!arrived.isEmpty()) {
      session.worker().submit(new ArrayList<>(arrived));
      arrived.clear();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    session.writabilityChanged();
    ctx.fireChannelWritabilityChanged();
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
