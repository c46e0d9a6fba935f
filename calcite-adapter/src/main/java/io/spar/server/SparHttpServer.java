package io.spar.server;

import java.net.InetAddress;
import org.apache.calcite.avatica.server.AvaticaHandler;
import org.apache.calcite.avatica.server.AvaticaServerConfiguration;
import org.apache.calcite.avatica.server.HttpServer;
import org.eclipse.jetty.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.security.Constraint;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Avatica's HTTP server with BASIC authentication checked by a {@link UsersFileLoginService}
 * instead of Jetty's {@code HashLoginService}, whose stored credentials are plain text or
 * weak hashes. Requests without valid credentials get 401 from Jetty's security handler and
 * never reach the Avatica handler.
 */
final class SparHttpServer extends HttpServer {
  private final InetAddress address;
  private final UsersFileLoginService loginService;

  /**
   * Creates the server.
   *
   * @param loginService checks credentials, or null to serve without authentication
   * @param tls TLS settings, or null for plain HTTP
   */
  SparHttpServer(InetAddress address, int port, AvaticaHandler handler,
      UsersFileLoginService loginService, SslContextFactory.Server tls) {
    super(port, handler, loginService == null ? null : new BasicAuthConfiguration(), null, tls);
    this.address = address;
    this.loginService = loginService;
  }

  @Override
  protected ServerConnector configureConnector(ServerConnector connector, int port) {
    ServerConnector configured = super.configureConnector(connector, port);
    // Jetty listens on every interface unless told a host.
    configured.setHost(address.getHostAddress());
    return configured;
  }

  @Override
  protected ConstraintSecurityHandler configureBasicAuthentication(Server server,
      AvaticaServerConfiguration config) {
    server.addBean(loginService);
    return configureCommonAuthentication(Constraint.__BASIC_AUTH, config.getAllowedRoles(),
        new BasicAuthenticator(), config.getHashLoginServiceRealm(), loginService);
  }
}
