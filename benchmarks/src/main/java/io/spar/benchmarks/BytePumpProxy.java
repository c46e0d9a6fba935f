package io.spar.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A proxy that does nothing but copy bytes, one blocking thread per direction, in front of one
 * PostgreSQL server: the cost of one more hop on loopback, which any proxy in front of
 * PostgreSQL pays, against which the PostgreSQL port's own cost can be judged.
 */
final class BytePumpProxy implements AutoCloseable {
  private final ServerSocket listening;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private BytePumpProxy(String host, int port) throws IOException {
    listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> accept(host, port), "byte-pump-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy to {@code host:port} on a free loopback port. */
  static BytePumpProxy start(String host, int port) throws IOException {
    return new BytePumpProxy(host, port);
  }

  /** Returns the port the proxy listens on. */
  int port() {
    return listening.getLocalPort();
  }

  private void accept(String host, int port) {
    try {
      while (true) {
        Socket client = listening.accept();
        Socket server = new Socket(host, port);
        for (Socket each : List.of(client, server)) {
          each.setTcpNoDelay(true);
          sockets.add(each);
        }
        pump(client, server);
        pump(server, client);
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static void pump(Socket from, Socket to) throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[64 << 10];
      try {
        for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // the connection ended
      }
    }, "byte-pump");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    listening.close();
    for (Socket each : sockets) {
      each.close();
    }
  }
}
