package io.spar.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Where the time of a prepared point SELECT through the PostgreSQL port goes, by thread: the
 * CPU time (user and system) per statement of the client's thread, and of the port's
 * connection thread, next to the same statement through {@code jdbc:spar:} and straight to the
 * worker, with each path's median latency, in one JVM and one run. The port's connection
 * thread does what {@code jdbc:spar:} does on the caller's thread, plus the protocol: the
 * difference of the two is the protocol layer's own cost. JMH's latency of the port includes
 * more than that: the client driver's own round trip, and one more process to wake.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.spar.benchmarks.PortCpuProfile
 * [statements per round]}, from {@code benchmarks/} (the cluster is JMH's).
 */
public final class PortCpuProfile {
  private static final String SELECT = "SELECT * FROM " + BenchCluster.TABLE + " WHERE k = ?";
  private static final int KEYS = 1_000;
  private static final int ROUNDS = 3;

  private PortCpuProfile() {
  }

  /** A path of the statement: runs the point SELECT of one key. */
  private interface Path {
    void select(int offset) throws SQLException;
  }

  /**
   * Runs the profile and prints a table per round.
   *
   * @param args the statements per path and round (default 20,000)
   * @throws Exception if the cluster or a statement fails
   */
  public static void main(String[] args) throws Exception {
    int statements = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (BenchCluster cluster = BenchCluster.start()) {
      BenchCluster.KeyMap keys = cluster.keyMap(0, KEYS);
      cluster.load(keys);
      PreparedStatement embedded = cluster.spar().prepareStatement(SELECT);
      PreparedStatement port = cluster.postgresPort().prepareStatement(SELECT);
      PreparedStatement[] direct = cluster.prepareOnShards("SELECT * FROM %s WHERE k = ?");
      List<String> names = List.of("direct", "jdbc:spar:", "port");
      List<Path> paths = List.of(
          offset -> run(direct[keys.shardIndex(offset)], keys.key(offset)),
          offset -> run(embedded, keys.key(offset)),
          offset -> run(port, keys.key(offset)));
      for (int round = 1; round <= ROUNDS; round++) {
        System.out.printf("round %d, %,d statements per path; microseconds per statement%n",
            round, statements);
        System.out.printf("%-11s %8s %12s %11s %14s %13s%n", "path", "median",
            "client user", "client sys", "port thr user", "port thr sys");
        for (int p = 0; p < paths.size(); p++) {
          measure(paths.get(p), statements); // warm-up
          long[] server = portThreadTimes(threads);
          long user = threads.getCurrentThreadUserTime();
          long cpu = threads.getCurrentThreadCpuTime();
          long median = measure(paths.get(p), statements);
          long userSpent = threads.getCurrentThreadUserTime() - user;
          long sysSpent = threads.getCurrentThreadCpuTime() - cpu - userSpent;
          long[] serverAfter = portThreadTimes(threads);
          long serverUser = serverAfter[0] - server[0];
          long serverSys = serverAfter[1] - serverAfter[0] - (server[1] - server[0]);
          System.out.printf("%-11s %8.1f %12.1f %11.1f %14.1f %13.1f%n", names.get(p),
              median / 1e3, perStatement(userSpent, statements),
              perStatement(sysSpent, statements), perStatement(serverUser, statements),
              perStatement(serverSys, statements));
        }
      }
    }
  }

  private static long measure(Path path, int statements) throws SQLException {
    long[] nanos = new long[statements];
    for (int i = 0; i < statements; i++) {
      long start = System.nanoTime();
      path.select(i % KEYS);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos[statements / 2];
  }

  private static void run(PreparedStatement statement, long key) throws SQLException {
    statement.setLong(1, key);
    try (ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        rs.getString(2);
      }
    }
  }

  /** The user and total CPU nanoseconds of the port's connection threads so far. */
  private static long[] portThreadTimes(ThreadMXBean threads) {
    long user = 0;
    long total = 0;
    for (Thread each : Thread.getAllStackTraces().keySet()) {
      if (each.getName().startsWith("spar-pg-")) {
        user += Math.max(0, threads.getThreadUserTime(each.getId()));
        total += Math.max(0, threads.getThreadCpuTime(each.getId()));
      }
    }
    return new long[] {user, total};
  }

  private static double perStatement(long nanos, int statements) {
    return nanos / 1e3 / statements;
  }
}
