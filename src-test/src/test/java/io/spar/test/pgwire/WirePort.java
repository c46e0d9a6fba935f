package io.spar.test.pgwire;

import io.spar.pgwire.PgWireServer;
import io.spar.server.UsersFile;
import io.spar.session.SparSession;
import io.spar.test.SparTestCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * Spar's PostgreSQL port on the shared test cluster's engine, started once per JVM for the
 * tests that drive real PostgreSQL clients through it, with one user in a users file.
 */
public final class WirePort {
  /** The user clients authenticate as. */
  public static final String USER = "wire";
  /** Its password. */
  public static final String PASSWORD = "wire secret";

  private static Connection keepEngine;
  private static PgWireServer server;

  private WirePort() {
  }

  /** Returns the running port's server, starting it on first use. */
  public static synchronized PgWireServer server() {
    if (server == null) {
      try {
        // An open connection keeps the engine (and its cluster) alive while the port serves.
        keepEngine = SparTestCluster.embedded();
        Path users = Files.createTempFile(Path.of("target").toAbsolutePath(), "wire-users", "");
        UsersFile.put(users, USER, PASSWORD.toCharArray());
        server = PgWireServer.start(keepEngine.unwrap(SparSession.class).engine(),
            new PgWireServer.Settings(List.of(InetAddress.getLoopbackAddress()), 0, users,
                null, false));
      } catch (IOException | SQLException e) {
        throw new IllegalStateException("could not start the PostgreSQL port", e);
      }
    }
    return server;
  }

  /** Returns the port. */
  public static int port() {
    return server().port();
  }

  /** Returns the database name clients connect to. */
  public static String database() {
    return server().database();
  }

  /** Returns a {@code postgresql://} URL with the credentials, for libpq-based clients. */
  public static String url() {
    return "postgresql://" + USER + ":" + PASSWORD.replace(" ", "%20") + "@127.0.0.1:" + port()
        + "/" + database();
  }

  /** Returns a pgjdbc connection through the port, with extra URL properties. */
  public static Connection connect(String properties) throws SQLException {
    Properties credentials = new Properties();
    credentials.setProperty("user", USER);
    credentials.setProperty("password", PASSWORD);
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/"
        + database() + "?" + properties, credentials);
  }
}
