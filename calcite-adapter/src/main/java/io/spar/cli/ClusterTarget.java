package io.spar.cli;

import java.nio.file.Path;
import java.util.Set;

/**
 * Which Spar a command runs on: a local cluster ({@code --local DIR}, with {@code --workers N})
 * or an existing coordinator ({@code --coordinator jdbc:postgresql://HOST:PORT/DB}, whose
 * credentials come from the URL's {@code user} and {@code password} parameters or from
 * {@code ~/.pgpass}). The default is the local cluster under {@code ./spar-data}.
 *
 * @param sparUrl the {@code jdbc:spar:} URL
 * @param localDirectory directory of the local cluster, or null for a coordinator
 * @param workers number of workers of the local cluster
 * @param stateDirectory where {@code spar serve} keeps its users file and client settings
 */
record ClusterTarget(String sparUrl, Path localDirectory, int workers, Path stateDirectory) {
  /** Default directory of the embedded cluster and of the server's files. */
  static final Path DEFAULT_DIRECTORY = Path.of("spar-data");
  /** Options that take a value. */
  static final Set<String> OPTIONS = Set.of("--local", "--coordinator", "--workers",
      "--pool-size", "--pool-wait", "--max-sessions");

  private static final int DEFAULT_WORKERS = 2;

  /** Returns the target that {@code options} name. */
  static ClusterTarget from(Options options) {
    if (options.has("--local") && options.has("--coordinator")) {
      throw new UsageException("give either --local DIR or --coordinator URL, not both");
    }
    int workers = options.getInt("--workers", DEFAULT_WORKERS);
    if (options.has("--coordinator")) {
      if (options.has("--workers")) {
        throw new UsageException("--workers applies to --local clusters only");
      }
      return new ClusterTarget("jdbc:spar:coordinator=" + options.get("--coordinator", null)
          + pool(options), null, 0, DEFAULT_DIRECTORY.toAbsolutePath());
    }
    Path directory = Path.of(options.get("--local", DEFAULT_DIRECTORY.toString()))
        .toAbsolutePath();
    return new ClusterTarget("jdbc:spar:local=" + directory + ";workers=" + workers
        + pool(options), directory, workers, directory);
  }

  /**
   * Returns the URL options for {@code --pool-size N}, {@code --pool-wait MS} and
   * {@code --max-sessions N}, if given.
   */
  private static String pool(Options options) {
    return (options.has("--pool-size") ? ";poolSize=" + options.getInt("--pool-size", 0) : "")
        + (options.has("--pool-wait") ? ";poolWait=" + options.getInt("--pool-wait", 0) : "")
        + (options.has("--max-sessions")
            ? ";maxSessions=" + options.getInt("--max-sessions", 0) : "");
  }

  /** Returns whether this is a local cluster started from a directory. */
  boolean isLocal() {
    return localDirectory != null;
  }
}
