package io.spar.engine.execution;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import javax.net.SocketFactory;

/**
 * The sockets of Spar's connections to its nodes (pgjdbc's {@code socketFactory}): sockets of
 * a blocking {@link SocketChannel}, which wait for a node's answer in one {@code read}.
 *
 * <p>The JDK's default socket switches to non-blocking mode for good the first time a read
 * timeout is set, and HikariCP sets one on every connection it opens and validates. From then
 * on each wait for an answer takes three system calls ({@code read}, which finds nothing yet,
 * {@code poll} and {@code read} again) where one would do. A channel's socket is non-blocking
 * only during a timed read. On a virtual machine where a system call costs microseconds, the
 * two saved calls are a measurable share of a routed statement's time.
 */
public final class BlockingSockets extends SocketFactory {
  /** Public, for pgjdbc, which makes the factory from its name. */
  public BlockingSockets() {
  }

  @Override
  public Socket createSocket() throws IOException {
    return SocketChannel.open().socket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(host, port),
        new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return connected(new InetSocketAddress(address, port),
        new InetSocketAddress(localAddress, localPort));
  }

  /** Returns a socket connected to {@code remote}, bound first to {@code local} unless null. */
  private Socket connected(InetSocketAddress remote, InetSocketAddress local)
      throws IOException {
    Socket socket = createSocket();
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }
}
