package io.spar.pgwire;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The socket layer of the port: Linux's epoll through Netty's native transport where it loads,
 * Java's NIO elsewhere. Every round trip wakes a connection's thread once, and the native
 * transport does that with one {@code epoll_wait} and no Selector bookkeeping. (io_uring was
 * measured too: no faster for one request at a time on a connection, which is the port's case.)
 */
final class Transport {
  private static final boolean EPOLL = Epoll.isAvailable();

  private Transport() {
  }

  /** The I/O handler of the listening and the connections' loops. */
  static IoHandlerFactory ioHandler() {
    return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** The listening channel's class, of the same transport as {@link #ioHandler()}. */
  static Class<? extends ServerSocketChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }
}
