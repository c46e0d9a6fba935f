package io.spar.server;

import io.spar.jdbc.SparMeta;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Properties;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.server.AvaticaHandler;
import org.apache.calcite.avatica.server.HandlerFactory;
import org.apache.calcite.avatica.server.HttpServer;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Avatica HTTP server over Spar: remote clients connect with Avatica's remote JDBC
 * driver, and each remote connection is served by a Spar session of its own ({@link SparMeta}).
 */
public final class SparServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SparServer.class);

  private final HttpServer http;
  private final SparMeta meta;
  private final IdleConnectionReaper reaper;
  private boolean closed;

  private SparServer(HttpServer http, SparMeta meta, IdleConnectionReaper reaper) {
    this.http = http;
    this.meta = meta;
    this.reaper = reaper;
  }

  /**
   * Starts serving.
   *
   * @param sparUrl the {@code jdbc:spar:} URL that every remote connection opens
   * @param backend connection properties for it (coordinator user and password)
   * @param settings port, serialization, authentication, TLS and idle timeout
   * @return the running server; close it to stop
   */
  public static SparServer start(String sparUrl, Properties backend, ServerSettings settings)
      throws SQLException, IOException {
    SparMeta meta = SparMeta.forUrl(sparUrl, backend, settings.idleTimeout());
    AvaticaHandler handler = new HandlerFactory().getHandler(
        ErrorReportingService.wrap(new LocalService(meta)), settings.serialization());
    UsersFileLoginService login = settings.authenticated()
        ? new UsersFileLoginService(settings.usersFile()) : null;
    HttpServer http = new SparHttpServer(settings.address(), settings.port(), handler, login,
        tls(settings));
    http.start();
    LOG.info("Serving {} over Avatica ({}, {}, {}) on port {}", sparUrl,
        settings.serialization(), settings.tls() ? "HTTPS" : "HTTP",
        settings.authenticated() ? "BASIC authentication" : "no authentication",
        http.getPort());
    return new SparServer(http, meta, new IdleConnectionReaper(meta, settings.idleTimeout()));
  }

  private static SslContextFactory.Server tls(ServerSettings settings) {
    if (!settings.tls()) {
      return null;
    }
    SslContextFactory.Server factory = new SslContextFactory.Server();
    factory.setKeyStorePath(settings.tlsKeystore().toAbsolutePath().toString());
    factory.setKeyStorePassword(settings.tlsPassword());
    return factory;
  }

  /** Returns the port the server listens on. */
  public int port() {
    return http.getPort();
  }

  /** Returns the number of remote connections now open. */
  public long openConnections() {
    return meta.openConnections();
  }

  /**
   * Stops accepting requests, then closes every remote connection with its Spar connection
   * (rolling back open transactions); closing again does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    reaper.close();
    try {
      http.stop();
    } finally {
      long open = meta.openConnections();
      meta.closeAll();
      LOG.info("Server stopped; closed {} remote connection(s)", open);
    }
  }
}
