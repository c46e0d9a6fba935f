package io.spar.cli;

import io.spar.engine.SparEngine;
import io.spar.engine.cluster.LocalCluster;
import io.spar.jdbc.EngineRegistry;
import io.spar.pgwire.PgWireServer;
import io.spar.server.PoolUsage;
import io.spar.server.ServerSettings;
import io.spar.server.SparServer;
import io.spar.session.SparSession;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.apache.calcite.avatica.remote.Driver.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spar serve}: runs the Avatica server over a local cluster or a coordinator until
 * SIGTERM or Ctrl-C, then stops the server, closes its connections and stops the local
 * cluster, in that order.
 */
final class ServeCommand {
  /** Printed once the server accepts connections; scripts and tests wait for it. */
  static final String READY = "Spar server ready on port ";

  private static final Set<String> OPTIONS = Set.of("--port", "--auth-file", "--serialization",
      "--tls-keystore", "--tls-password", "--idle-timeout", "--pg-port", "--listen");
  private static final Set<String> SWITCHES = Set.of("--no-auth", "--pg-require-tls",
      "--allow-plaintext-passwords", "--schema-based-sharding");

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  private final PrintStream out;

  ServeCommand(PrintStream out) {
    this.out = out;
  }

  /** Runs the server with {@code args} until it is told to stop. */
  void run(List<String> args) throws IOException, SQLException, InterruptedException {
    Set<String> withValue = new HashSet<>(OPTIONS);
    withValue.addAll(ClusterTarget.OPTIONS);
    Options options = Options.parse(args, withValue, SWITCHES);
    if (!options.positional().isEmpty()) {
      throw new UsageException("unexpected argument " + options.positional().get(0));
    }
    ClusterTarget target = ClusterTarget.from(options);
    DefaultCredentials credentials = null;
    Path usersFile;
    if (options.has("--no-auth")) {
      if (options.has("--auth-file")) {
        throw new UsageException("give either --auth-file FILE or --no-auth, not both");
      }
      System.err.println("WARNING: authentication is off (--no-auth): anyone who can reach"
          + " the port can run any statement on the cluster.");
      usersFile = null;
    } else if (options.has("--auth-file")) {
      usersFile = Path.of(options.get("--auth-file", null));
      if (!Files.isRegularFile(usersFile)) {
        throw new UsageException("no users file " + usersFile
            + "; create it with: spar passwd " + usersFile + " USER");
      }
    } else {
      credentials = DefaultCredentials.ensure(target.stateDirectory());
      usersFile = DefaultCredentials.usersFile(target.stateDirectory());
    }
    List<InetAddress> addresses = addresses(options);
    ServerSettings settings = settings(options, usersFile, addresses.get(0));
    if (settings.authenticated() && !settings.tls() && !addresses.get(0).isLoopbackAddress()
        && !options.has("--allow-plaintext-passwords")) {
      throw new UsageException("HTTP BASIC without TLS would send passwords in clear text on "
          + addresses.get(0).getHostAddress() + ": give --tls-keystore and --tls-password, or"
          + " --allow-plaintext-passwords");
    }

    // Started here rather than only through the jdbc:spar:local URL, so that shutdown can stop
    // it after the server's connections are closed; the URL then reuses the running nodes.
    LocalCluster cluster = target.isLocal()
        ? LocalCluster.start(target.localDirectory(), target.workers()) : null;
    // Fails fast on a bad coordinator and registers the local workers before clients arrive.
    SparEngine engine;
    try (Connection probe = DriverManager.getConnection(target.sparUrl(), new Properties())) {
      engine = probe.unwrap(SparSession.class).engine();
    }
    // Remote clients never choose the coordinator credentials: those are in the Spar URL.
    SparServer server;
    try {
      // Remote sessions open through the URL, which carries the default for schemas too.
      server = SparServer.start(target.sparUrl() + (options.has("--schema-based-sharding")
          ? ";schemaBasedSharding=on" : ""), new Properties(), settings);
    } catch (RuntimeException e) {
      stop(null, null, engine, cluster);
      throw e;
    }
    PgWireServer pg;
    try {
      pg = startPostgresPort(options, engine, settings, addresses);
    } catch (IOException | SQLException | RuntimeException e) {
      stop(server, null, engine, cluster);
      throw e;
    }
    OrderlyShutdown shutdown = new OrderlyShutdown(() -> stop(server, pg, engine, cluster));
    announce(server, pg, settings, credentials, target.stateDirectory());
    shutdown.awaitSignalAndRun();
  }

  /** Starts the PostgreSQL port unless {@code --pg-port 0} turns it off; returns null then. */
  private static PgWireServer startPostgresPort(Options options, SparEngine engine,
      ServerSettings settings, List<InetAddress> addresses) throws IOException, SQLException {
    int port = options.getInt("--pg-port", PgWireServer.DEFAULT_PORT);
    if (port == 0) {
      if (options.has("--pg-require-tls")) {
        throw new UsageException("--pg-require-tls needs the PostgreSQL port (--pg-port)");
      }
      return null;
    }
    if (options.has("--pg-require-tls") && !settings.tls()) {
      throw new UsageException("--pg-require-tls needs --tls-keystore and --tls-password");
    }
    return PgWireServer.start(engine, new PgWireServer.Settings(addresses, port,
        settings.usersFile(), settings.tls() ? PgWireServer.tls(settings.tlsKeystore(), settings.tlsPassword()) : null,
        options.has("--pg-require-tls"), options.has("--schema-based-sharding")));
  }

  /**
   * Returns the addresses of {@code --listen}: the loopback address unless told otherwise, as
   * PostgreSQL's {@code listen_addresses} is {@code localhost} by default.
   */
  private static List<InetAddress> addresses(Options options) {
    List<InetAddress> addresses = new ArrayList<>();
    for (String each : options.get("--listen", "localhost").split(",")) {
      String name = each.trim();
      try {
        addresses.add(name.equals("localhost") ? InetAddress.getLoopbackAddress()
            : InetAddress.getByName(name));
      } catch (UnknownHostException e) {
        throw new UsageException("--listen: unknown address " + name);
      }
    }
    return addresses;
  }

  private static ServerSettings settings(Options options, Path usersFile, InetAddress address) {
    Serialization serialization;
    try {
      serialization = Serialization.valueOf(
          options.get("--serialization", "protobuf").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--serialization is protobuf or json");
    }
    if (options.has("--tls-keystore") != options.has("--tls-password")) {
      throw new UsageException("--tls-keystore and --tls-password go together");
    }
    String keystore = options.get("--tls-keystore", null);
    int idleSeconds = options.getInt("--idle-timeout",
        (int) ServerSettings.DEFAULT_IDLE_TIMEOUT.toSeconds());
    if (idleSeconds <= 0) {
      throw new UsageException("--idle-timeout needs a positive number of seconds");
    }
    return new ServerSettings(options.getInt("--port", ServerSettings.DEFAULT_PORT),
        serialization, usersFile, keystore == null ? null : Path.of(keystore),
        options.get("--tls-password", null), Duration.ofSeconds(idleSeconds), address);
  }

  private void announce(SparServer server, PgWireServer pg, ServerSettings settings,
      DefaultCredentials credentials, Path stateDirectory) throws IOException {
    String user = null;
    String password = null;
    if (settings.authenticated()) {
      // Placeholders where the password is not ours to know: the user wrote the users file.
      user = credentials == null ? "USER" : credentials.user();
      password = credentials == null || credentials.password() == null
          ? "PASSWORD" : credentials.password();
    }
    String url = RemoteUrl.of(server.port(), settings.tls(), settings.serialization(), user,
        password);
    boolean known = credentials != null && credentials.password() != null;
    new ClientSettings(url, known ? user : null, known ? password : null).write(stateDirectory);
    out.println("Connect with the Avatica remote JDBC driver (avatica-core) to:");
    out.println("  " + url);
    if (credentials != null && password == null) {
      out.println("(the password of user " + user + " is no longer known; set a new one with:"
          + " spar passwd " + settings.usersFile() + " " + user + ", and restart)");
    }
    out.println("or run: bin/spar sql");
    if (pg != null) {
      String credentialsPart = user == null ? "spar@" : user + ":" + password + "@";
      String postgresUrl = "postgresql://" + credentialsPart + "127.0.0.1:" + pg.port() + "/"
          + pg.database() + (settings.tls() ? "?sslmode=require" : "");
      out.println("Connect any PostgreSQL client to:");
      out.println("  " + postgresUrl);
      out.println("for example: psql '" + postgresUrl + "'");
    }
    out.println(READY + server.port() + " (SIGTERM or Ctrl-C stops it)");
    out.flush();
  }

  private void stop(SparServer server, PgWireServer pg, SparEngine engine,
      LocalCluster cluster) {
    if (pg != null) {
      pg.close();
    }
    if (server != null) {
      server.close();
    }
    try {
      LOG.info("Node connections after closing every remote connection: {}",
          PoolUsage.of(engine));
    } catch (SQLException e) {
      LOG.warn("Could not read the node connection pools", e);
    }
    EngineRegistry.closeAll();
    if (cluster != null) {
      cluster.close();
    }
    out.println("Spar server stopped");
    out.flush();
  }
}
