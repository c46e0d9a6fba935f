package io.spar.pgwire;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.spar.engine.SparEngine;
import io.spar.server.ScramVerifier;
import io.spar.server.UsersFile;
import io.spar.session.SparSession;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;

/**
 * The PostgreSQL wire protocol (version 3) endpoint of {@code spar serve}: any PostgreSQL
 * client connects to it as to one PostgreSQL server, and each connection gets a Spar session
 * of the engine.
 *
 * <p>Netty carries the bytes; the protocol is Spar's own ({@link MessageFraming},
 * {@link Startup}, {@link SimpleQuery}, {@link ExtendedQuery}, {@link CopyProtocol}). Each
 * connection has a thread of its own that reads, runs and answers its requests
 * ({@link ConnectionLoops}).
 */
public final class PgWireServer implements AutoCloseable {
  /** Default port: PostgreSQL's 5432 plus one, so that both can run on one machine. */
  public static final int DEFAULT_PORT = 5433;
  /**
   * Largest message accepted once the client has authenticated (before, only SASL messages of
   * at most 64 kB); PostgreSQL's own limit for most is 1 GB.
   */
  public static final int MAX_MESSAGE_LENGTH = 256 << 20;

  /**
   * How the endpoint runs.
   *
   * @param addresses the addresses to listen on
   * @param port the port (0 picks a free one)
   * @param usersFile the users file whose SCRAM verifiers authenticate clients, or null for no
   *     authentication
   * @param tls the TLS context SSLRequest starts, or null to decline it
   * @param requireTls whether clients must use TLS
   * @param schemaBasedSharding whether sessions' {@code CREATE SCHEMA} makes distributed
   *     schemas while they have not set {@code spar.enable_schema_based_sharding}
   */
  public record Settings(List<InetAddress> addresses, int port, Path usersFile, SslContext tls,
      boolean requireTls, boolean schemaBasedSharding) {
    /** Settings of an endpoint whose sessions distribute schemas only when they ask to. */
    public Settings(List<InetAddress> addresses, int port, Path usersFile, SslContext tls,
        boolean requireTls) {
      this(addresses, port, usersFile, tls, requireTls, false);
    }
  }

  private final SparEngine engine;
  private final Settings settings;
  private final String database;
  private final EventLoopGroup boss;
  private final ConnectionLoops loops = new ConnectionLoops();
  private final List<Channel> listening = new ArrayList<>();
  private final TypeCatalog types = new TypeCatalog();
  private final SecureRandom random = new SecureRandom();
  private final AtomicInteger processIds = new AtomicInteger();
  private final Map<Integer, Registered> sessions = new ConcurrentHashMap<>();

  private record Registered(WireSession session, int secret) {
  }

  private PgWireServer(SparEngine engine, Settings settings, String database) {
    this.engine = engine;
    this.settings = settings;
    this.database = database;
    this.boss = new MultiThreadIoEventLoopGroup(1, Transport.ioHandler());
  }

  /** Starts the endpoint for {@code engine} and returns it once it listens. */
  public static PgWireServer start(SparEngine engine, Settings settings)
      throws IOException, SQLException {
    String database;
    try (SparSession probe = new SparSession(engine)) {
      database = (String) probe.execute("SELECT pg_catalog.current_database()", List.of())
          .rows().rows().get(0)[0];
    }
    PgWireServer server = new PgWireServer(engine, settings, database);
    try {
      server.listen();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void listen() throws IOException {
    ServerBootstrap bootstrap = new ServerBootstrap().group(boss, loops)
        .channel(Transport.serverChannel())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(256 << 10, 1 << 20))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast("framing", new MessageFraming(MAX_MESSAGE_LENGTH));
            channel.pipeline().addLast("protocol", new WireChannel(PgWireServer.this,
                settings.tls()));
          }
        });
    int port = settings.port();
    for (InetAddress address : settings.addresses()) {
      try {
        Channel channel = bootstrap.bind(new InetSocketAddress(address, port)).sync().channel();
        listening.add(channel);
        // Every address listens on the port the first one got.
        port = ((InetSocketAddress) channel.localAddress()).getPort();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while binding " + address, e);
      }
    }
  }

  /** Returns the port the endpoint listens on. */
  public int port() {
    return ((InetSocketAddress) listening.get(0).localAddress()).getPort();
  }

  /** Returns how many client connections are open now. */
  public int connections() {
    return sessions.size();
  }

  SparEngine engine() {
    return engine;
  }

  /** Returns the name of the one database the endpoint serves: the coordinator's. */
  public String database() {
    return database;
  }

  /**
   * Returns the TLS context of the keystore (PKCS12 or JKS) that the HTTP side uses too, for
   * clients that send SSLRequest.
   */
  public static SslContext tls(Path keystore, String password) throws IOException {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(in, password.toCharArray());
      KeyManagerFactory keys = KeyManagerFactory.getInstance(
          KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password.toCharArray());
      return SslContextBuilder.forServer(keys).build();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the TLS keystore " + keystore + ": " + e.getMessage(),
          e);
    }
  }

  TypeCatalog types() {
    return types;
  }

  SecureRandom random() {
    return random;
  }

  boolean requiresTls() {
    return settings.requireTls();
  }

  boolean distributesSchemas() {
    return settings.schemaBasedSharding();
  }

  boolean isTls(Channel channel) {
    return channel.pipeline().get(SslHandler.class) != null;
  }

  /**
   * Returns the users and their SCRAM verifiers, read anew for each connection so that
   * {@code spar passwd} takes effect without a restart; empty if authentication is off.
   */
  Optional<Map<String, ScramVerifier>> users() throws SQLException {
    if (settings.usersFile() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(UsersFile.read(settings.usersFile()));
    } catch (IOException e) {
      throw new SQLException("cannot read the users file: " + e.getMessage(), "58030", e);
    }
  }

  /** Registers an authenticated connection; returns its process id and cancel secret. */
  int[] register(WireSession session) {
    int processId = processIds.incrementAndGet();
    int secret = random.nextInt();
    sessions.put(processId, new Registered(session, secret));
    return new int[] {processId, secret};
  }

  void forget(WireSession session) {
    sessions.values().removeIf(each -> each.session() == session);
  }

  /** Cancels the running statement of the connection with that key, as CancelRequest asks. */
  void cancel(int processId, int secret) {
    Registered registered = sessions.get(processId);
    if (registered != null && registered.secret() == secret
        && registered.session().session() != null) {
      registered.session().session().cancel();
    }
  }

  @Override
  public void close() {
    for (Channel each : listening) {
      each.close().syncUninterruptibly();
    }
    for (Registered each : List.copyOf(sessions.values())) {
      each.session().close();
    }
    boss.shutdownGracefully();
    // No quiet period: a connection's loop would poll through it, its thread busy.
    loops.shutdownGracefully(0, 5, TimeUnit.SECONDS);
  }
}
