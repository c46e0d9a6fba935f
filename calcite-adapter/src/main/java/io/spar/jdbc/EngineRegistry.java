package io.spar.jdbc;

import io.spar.engine.SparEngine;
import io.spar.engine.execution.PoolLimits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * JVM-wide registry of Spar engines, one per coordinator URL and user, so that all connections
 * of a JVM share one engine with its node pools and metadata cache.
 */
public final class EngineRegistry {
  private static final Map<Key, Entry> ENGINES = new HashMap<>();

  private EngineRegistry() {
  }

  /**
   * Returns the engine for {@code coordinatorUrl} and {@code user}, starting it on first use.
   *
   * <p>Because pooled connections authenticate only once, a caller whose password differs from
   * the one the engine was started with is checked with a direct connection to the coordinator
   * before it gets the shared engine.
   */
  public static SparEngine engine(String coordinatorUrl, String user, String password)
      throws SQLException {
    return engine(coordinatorUrl, user, password, PoolLimits.DEFAULTS);
  }

  /**
   * Returns the engine for {@code coordinatorUrl} and {@code user} whose pools keep to
   * {@code limits}, starting it on first use; connections that ask for other limits get an
   * engine of their own.
   */
  public static SparEngine engine(String coordinatorUrl, String user, String password,
      PoolLimits limits) throws SQLException {
    Key key = new Key(coordinatorUrl, user, limits);
    Entry entry;
    synchronized (ENGINES) {
      entry = ENGINES.get(key);
      if (entry == null) {
        entry = new Entry(SparEngine.start(coordinatorUrl, user, password, limits), password);
        ENGINES.put(key, entry);
        return entry.engine();
      }
    }
    if (!samePassword(entry.password(), password)) {
      authenticate(coordinatorUrl, user, password);
    }
    return entry.engine();
  }

  /**
   * Closes and forgets the engine that connections to the {@code jdbc:spar:coordinator=} URL
   * {@code sparUrl} share, if it runs (the one for its coordinator, user and pool limits),
   * releasing its pools and threads; its connections fail afterwards.
   */
  public static void close(String sparUrl) throws SQLException {
    SparUrl url = SparUrl.parse(sparUrl, null);
    Key key = new Key(url.coordinatorUrl(), url.user(), url.limits());
    Entry closed;
    synchronized (ENGINES) {
      closed = ENGINES.remove(key);
    }
    if (closed != null) {
      closed.engine().close();
    }
  }

  /**
   * Closes and forgets the engines for {@code coordinatorUrl} and {@code user}, if any run,
   * releasing their pools and threads; their connections fail afterwards.
   */
  public static void close(String coordinatorUrl, String user) {
    List<Entry> closed = new ArrayList<>();
    synchronized (ENGINES) {
      ENGINES.entrySet().removeIf(each -> {
        Key key = each.getKey();
        boolean match = key.coordinatorUrl().equals(coordinatorUrl)
            && Objects.equals(key.user(), user);
        if (match) {
          closed.add(each.getValue());
        }
        return match;
      });
    }
    closed.forEach(entry -> entry.engine().close());
  }

  /**
   * Closes every engine of this JVM; connections still open on them fail afterwards. Meant for
   * applications that embed Spar and want to release its pools and threads before exiting.
   */
  public static void closeAll() {
    List<Entry> engines;
    synchronized (ENGINES) {
      engines = new ArrayList<>(ENGINES.values());
      ENGINES.clear();
    }
    engines.forEach(entry -> entry.engine().close());
  }

  private static boolean samePassword(String expected, String actual) {
    if (expected == null || actual == null) {
      return expected == actual;
    }
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        actual.getBytes(StandardCharsets.UTF_8));
  }

  private static void authenticate(String coordinatorUrl, String user, String password)
      throws SQLException {
    Properties credentials = new Properties();
    if (user != null) {
      credentials.setProperty("user", user);
    }
    if (password != null) {
      credentials.setProperty("password", password);
    }
    // Opening the connection is the check.
    DriverManager.getConnection(coordinatorUrl, credentials).close();
  }

  private record Key(String coordinatorUrl, String user, PoolLimits limits) {
  }

  private record Entry(SparEngine engine, String password) {
  }
}
