package io.spar.jdbc;

import io.spar.engine.execution.PoolLimits;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Parsed {@code jdbc:spar:} URL: either an existing coordinator or a local cluster directory,
 * plus credentials.
 *
 * <p>The URL is {@code jdbc:spar:} followed by {@code key=value} pairs separated by {@code ;}.
 * A value runs to the next {@code ;}, so an embedded pgjdbc URL keeps its {@code :}, {@code /}
 * and {@code ?a=b&c=d} options. Options in the URL override the connection properties.
 *
 * @param coordinatorUrl pgjdbc URL of the coordinator, or null for a local cluster
 * @param localDirectory directory of the local cluster, or null for a coordinator URL
 * @param workers number of workers of the local cluster
 * @param user user name, or null to let pgjdbc choose
 * @param password password, or null
 * @param limits the engine's pool size ({@code poolSize}) and wait ({@code poolWait}, in ms)
 * @param schemaBasedSharding whether the connection's {@code CREATE SCHEMA} makes distributed
 *     schemas unless it sets {@code spar.enable_schema_based_sharding} itself
 *     ({@code schemaBasedSharding=on})
 */
record SparUrl(String coordinatorUrl, Path localDirectory, int workers, String user,
    String password, PoolLimits limits, boolean schemaBasedSharding) {
  /** Prefix of every Spar URL. */
  static final String PREFIX = "jdbc:spar:";
  static final int DEFAULT_WORKERS = 2;

  private static final String COORDINATOR = "coordinator";
  private static final String LOCAL = "local";
  private static final String WORKERS = "workers";
  private static final String USER = "user";
  private static final String PASSWORD = "password";
  private static final String POOL_SIZE = "poolsize";
  private static final String POOL_WAIT = "poolwait";
  /** Keys a URL may contain; anything else is a typo the user should hear about. */
  private static final String MAX_SESSIONS = "maxsessions";
  private static final String SCHEMA_BASED_SHARDING = "schemabasedsharding";
  static final Set<String> KEYS = Set.of(COORDINATOR, LOCAL, WORKERS, USER, PASSWORD,
      POOL_SIZE, POOL_WAIT, MAX_SESSIONS, SCHEMA_BASED_SHARDING);

  /** Returns whether {@code url} is a Spar URL. */
  static boolean accepts(String url) {
    return url != null && url.startsWith(PREFIX);
  }

  /** Parses {@code url}, taking user and password from {@code info} unless the URL has them. */
  static SparUrl parse(String url, Properties info) throws SQLException {
    if (!accepts(url)) {
      throw error("not a Spar URL (expected " + PREFIX + "...): " + url);
    }
    Map<String, String> options = options(url.substring(PREFIX.length()));
    String user = options.getOrDefault(USER, property(info, USER));
    String password = options.getOrDefault(PASSWORD, property(info, PASSWORD));
    String coordinator = options.get(COORDINATOR);
    String local = options.get(LOCAL);
    if ((coordinator == null) == (local == null)) {
      throw error("a Spar URL needs exactly one of coordinator=jdbc:postgresql://HOST:PORT/DB"
          + " or local=DIRECTORY: " + url);
    }
    PoolLimits limits = limits(options);
    boolean schemas = schemaBasedSharding(options.get(SCHEMA_BASED_SHARDING));
    if (coordinator != null) {
      return forCoordinator(coordinator, options, user, password, limits, schemas);
    }
    return new SparUrl(null, Path.of(local), workers(options.get(WORKERS)), user, password,
        limits, schemas);
  }

  /** Returns whether this URL names a local cluster rather than an existing coordinator. */
  boolean isLocal() {
    return localDirectory != null;
  }

  private static boolean schemaBasedSharding(String value) throws SQLException {
    if (value == null) {
      return false;
    }
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "on", "true", "yes", "1" -> true;
      case "off", "false", "no", "0" -> false;
      default -> throw error("schemaBasedSharding is on or off, not " + value);
    };
  }

  private static SparUrl forCoordinator(String coordinator, Map<String, String> options,
      String user, String password, PoolLimits limits, boolean schemas) throws SQLException {
    if (!coordinator.startsWith("jdbc:postgresql:")) {
      throw error("coordinator must be a jdbc:postgresql: URL: " + coordinator);
    }
    if (options.containsKey(WORKERS)) {
      throw error("workers applies only to local=DIRECTORY URLs");
    }
    // Credentials given the pgjdbc way, inside the embedded URL, count when none were given.
    Properties embedded = org.postgresql.Driver.parseURL(coordinator, new Properties());
    if (embedded == null) {
      throw error("invalid coordinator URL: " + coordinator);
    }
    return new SparUrl(coordinator, null, 0,
        user != null ? user : embedded.getProperty(USER),
        password != null ? password : embedded.getProperty(PASSWORD), limits, schemas);
  }

  /** Returns the pool limits the URL's {@code poolSize} and {@code poolWait} give. */
  private static PoolLimits limits(Map<String, String> options) throws SQLException {
    try {
      return new PoolLimits(
          Integer.parseInt(options.getOrDefault(POOL_SIZE,
              String.valueOf(PoolLimits.DEFAULTS.connectionsPerNode()))),
          Long.parseLong(options.getOrDefault(POOL_WAIT,
              String.valueOf(PoolLimits.DEFAULTS.waitMillis()))),
          Integer.parseInt(options.getOrDefault(MAX_SESSIONS,
              String.valueOf(PoolLimits.DEFAULTS.maxSessions()))));
    } catch (IllegalArgumentException e) {
      throw error("invalid poolSize, poolWait or maxSessions in Spar URL: " + e.getMessage());
    }
  }

  private static Map<String, String> options(String text) throws SQLException {
    Map<String, String> options = new LinkedHashMap<>();
    for (String pair : text.split(";")) {
      if (pair.isBlank()) {
        continue;
      }
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw error("expected key=value in Spar URL but found '" + pair + "'");
      }
      String key = pair.substring(0, equals).trim().toLowerCase(Locale.ROOT);
      if (!KEYS.contains(key)) {
        throw error("unknown Spar URL option '" + key + "'; known options are "
            + "coordinator, local, workers, user, password, poolSize, poolWait, maxSessions and"
            + " schemaBasedSharding");
      }
      if (options.put(key, pair.substring(equals + 1).trim()) != null) {
        throw error("Spar URL option '" + key + "' is given twice");
      }
    }
    return options;
  }

  private static int workers(String value) throws SQLException {
    if (value == null) {
      return DEFAULT_WORKERS;
    }
    try {
      int workers = Integer.parseInt(value);
      if (workers >= 0) {
        return workers;
      }
    } catch (NumberFormatException e) {
      // Reported below with the same message as a negative count.
    }
    throw error("workers must be a non-negative integer: " + value);
  }

  private static String property(Properties info, String key) {
    return info == null ? null : info.getProperty(key);
  }

  private static SQLException error(String message) {
    return new SQLException(message, JdbcErrors.CONNECTION_UNABLE_TO_CONNECT);
  }

  @Override
  public String toString() {
    // Never print the password: URLs end up in logs.
    String pool = limits.equals(PoolLimits.DEFAULTS) ? "" : ";poolSize="
        + limits.connectionsPerNode() + ";poolWait=" + limits.waitMillis()
        + (limits.maxSessions() == 0 ? "" : ";maxSessions=" + limits.maxSessions());
    return (isLocal() ? PREFIX + "local=" + localDirectory + ";workers=" + workers
        : PREFIX + "coordinator=" + coordinatorUrl + (user == null ? "" : ";user=" + user))
        + pool;
  }
}
