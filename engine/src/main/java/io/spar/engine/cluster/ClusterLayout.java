package io.spar.engine.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Persistent layout of a local cluster directory: node names, their ports and where each node keeps its files.
 *
 * <p>Ports live in {@value #FILE} so that restarting on the same directory reuses the same data directories and
 * ports, which keeps JDBC URLs stable across JVMs.
 */
final class ClusterLayout {

  static final String FILE = "spar-cluster.properties";
  static final String COORDINATOR = "coordinator";
  private static final String HOST = "127.0.0.1";
  // sun_path holds 108 bytes including the NUL; the socket file name adds up to 15 (".s.PGSQL.65535" plus '/').
  private static final int MAX_SOCKET_DIR_LENGTH = 107 - 15;

  private final Path directory;
  private final Map<String, Integer> ports;

  private ClusterLayout(Path directory, Map<String, Integer> ports) {
    this.directory = directory;
    this.ports = ports;
  }

  /**
   * Loads the layout persisted in {@code directory}, adding fresh ports for a coordinator and any of the first
   * {@code workers} workers that are not there yet, and persists the result.
   */
  static ClusterLayout loadOrCreate(Path directory, int workers) throws IOException {
    Path file = directory.resolve(FILE);
    Properties props = new Properties();
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        props.load(reader);
      }
    }
    List<String> names = new ArrayList<>();
    names.add(COORDINATOR);
    int persistedWorkers = Integer.parseInt(props.getProperty("workers", "0"));
    for (int i = 1; i <= Math.max(workers, persistedWorkers); i++) {
      names.add("worker" + i);
    }
    List<String> missing = names.stream().filter(n -> props.getProperty(n + ".port") == null).toList();
    List<Integer> fresh = freePorts(missing.size());
    for (int i = 0; i < missing.size(); i++) {
      props.setProperty(missing.get(i) + ".port", Integer.toString(fresh.get(i)));
    }
    props.setProperty("workers", Integer.toString(names.size() - 1));
    if (!missing.isEmpty()) {
      save(file, props);
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    // Only the requested workers are managed; extra persisted ones are left untouched.
    names.subList(0, workers + 1).forEach(n -> ports.put(n, Integer.parseInt(props.getProperty(n + ".port"))));
    return new ClusterLayout(directory, ports);
  }

  /** Returns the managed nodes, coordinator first and then workers in order. */
  List<PgNode> nodes() {
    List<PgNode> nodes = new ArrayList<>();
    ports.forEach((name, port) -> nodes.add(new PgNode(name, HOST, port, nodeDir(name).resolve("data"))));
    return nodes;
  }

  /** Returns the directory holding a node's data directory and logs. */
  Path nodeDir(String name) {
    return directory.resolve(name);
  }

  /** Returns the server log of a node. */
  Path serverLog(PgNode node) {
    return nodeDir(node.name()).resolve("postgres.log");
  }

  /** Returns the log that collects the output of pg_ctl and other tools run for a node. */
  Path toolLog(PgNode node) {
    return nodeDir(node.name()).resolve("pg_ctl.log");
  }

  /** Returns the Unix socket directory, inside the cluster directory unless that path would be too long. */
  Path socketDir() {
    Path inside = directory.resolve("sock");
    if (inside.toString().length() <= MAX_SOCKET_DIR_LENGTH) {
      return inside;
    }
    return Path.of("/tmp", "spar-sock-" + Integer.toHexString(directory.toString().hashCode()));
  }

  /** Fails if something other than a node of this cluster listens on the node's port. */
  static void checkPortFree(PgNode node) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // a recently stopped node may leave TIME_WAIT connections behind
      socket.bind(new InetSocketAddress(InetAddress.getByName(node.host()), node.port()));
    } catch (IOException e) {
      throw new IOException("Port " + node.port() + " of " + node.name() + " (persisted in " + FILE
          + ") is in use by another process; stop that process or use a fresh cluster directory", e);
    }
  }

  private static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      // Hold every socket until all are chosen so the kernel cannot hand out the same port twice.
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  private static void save(Path file, Properties props) throws IOException {
    Path temp = file.resolveSibling(FILE + ".tmp");
    try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
      props.store(writer, "Spar LocalCluster layout: node ports (worker count grows, never shrinks)");
    }
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
