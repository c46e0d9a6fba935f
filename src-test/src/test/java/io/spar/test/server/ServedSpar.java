package io.spar.test.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A {@code spar serve} process on a local cluster of its own under {@code target/}, with a
 * users file made by {@code spar passwd}, and connections to it through the plain Avatica
 * remote driver.
 */
public final class ServedSpar implements AutoCloseable {
  /** The user the users file holds. */
  static final String USER = "alice";
  /** Her password. */
  static final String PASSWORD = "correct horse battery staple";

  private static final String READY = "Spar server ready on port ";

  private final Path directory;
  private final SparProcess process;
  private final int port;

  private ServedSpar(Path directory, SparProcess process, int port) {
    this.directory = directory;
    this.process = process;
    this.port = port;
  }

  /**
   * Creates the users file and starts {@code spar serve} on a free port, with the options
   * {@code extra} besides the cluster, port and users file.
   */
  public static ServedSpar start(String name, String... extra)
      throws IOException, InterruptedException {
    Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
    Path directory = Files.createTempDirectory(target, name + "-");
    Path users = directory.resolve("users");
    SparProcess passwd = SparProcess.run(directory, PASSWORD + "\n", "passwd",
        users.toString(), USER);
    assertEquals(0, passwd.waitForExit(), passwd.errors());
    // A free port found here can be taken before spar binds it, by one of the PostgreSQL
    // nodes it starts first: spar then exits with the bind failure, and starts again on others.
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      List<String> args = new ArrayList<>(List.of("serve",
          "--local", directory.resolve("cluster").toString(), "--port", Integer.toString(port),
          "--auth-file", users.toString()));
      if (!List.of(extra).contains("--pg-port")) {
        // Servers of concurrent tests must not share the default PostgreSQL port.
        args.addAll(List.of("--pg-port", Integer.toString(freePort())));
      }
      args.addAll(List.of(extra));
      SparProcess serve = SparProcess.start(directory, args.toArray(String[]::new));
      if (attempt < 3 && serve.exitsWith("Failed to bind", READY)) {
        continue;
      }
      serve.awaitLine(READY);
      return new ServedSpar(directory, serve, port);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Returns the server's port. */
  int port() {
    return port;
  }

  /** Returns the directory of the server's files and cluster. */
  Path directory() {
    return directory;
  }

  /** Returns the server process. */
  SparProcess process() {
    return process;
  }

  /** Returns the remote URL with {@code user} and {@code password}. */
  String url(String user, String password) {
    return "jdbc:avatica:remote:url=http://127.0.0.1:" + port
        + ";serialization=PROTOBUF;authentication=BASIC;avatica_user=" + user
        + ";avatica_password=" + password;
  }

  /** Connects with the plain Avatica remote driver as {@link #USER}. */
  public Connection connect() throws SQLException {
    return connect(USER, PASSWORD);
  }

  /** Connects with the plain Avatica remote driver. */
  Connection connect(String user, String password) throws SQLException {
    return new org.apache.calcite.avatica.remote.Driver().connect(url(user, password),
        new Properties());
  }

  /**
   * Opens an embedded {@code jdbc:spar:} connection on the server's own cluster, for
   * comparing what a remote client sees with what an application in the same JVM sees.
   */
  Connection embedded() throws IOException, SQLException {
    Properties layout = new Properties();
    try (Reader reader = Files.newBufferedReader(
        directory.resolve("cluster").resolve("spar-cluster.properties"))) {
      layout.load(reader);
    }
    Properties user = new Properties();
    user.setProperty("user", "postgres");
    return new io.spar.jdbc.Driver().connect("jdbc:spar:coordinator=jdbc:postgresql://127.0.0.1:"
        + layout.getProperty("coordinator.port") + "/postgres", user);
  }

  /** Returns the ports of the nodes of the server's cluster, the coordinator's and workers'. */
  List<Integer> nodePorts() throws IOException {
    Properties layout = new Properties();
    try (Reader reader = Files.newBufferedReader(
        directory.resolve("cluster").resolve("spar-cluster.properties"))) {
      layout.load(reader);
    }
    List<Integer> ports = new ArrayList<>();
    for (String name : layout.stringPropertyNames()) {
      if (name.endsWith(".port")) {
        ports.add(Integer.parseInt(layout.getProperty(name)));
      }
    }
    return ports;
  }

  /** Returns the process ids in the {@code postmaster.pid} files of the server's cluster. */
  List<Long> postmasterPids() throws IOException {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> nodes = Files.newDirectoryStream(directory.resolve("cluster"))) {
      for (Path node : nodes) {
        Path pidFile = node.resolve("data").resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
          pids.add(Long.parseLong(Files.readAllLines(pidFile).get(0).strip()));
        }
      }
    }
    return pids;
  }

  /** Stops the server if a test left it running. */
  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
