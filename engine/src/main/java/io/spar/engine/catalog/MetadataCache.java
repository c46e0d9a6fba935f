package io.spar.engine.catalog;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide cache of the distribution metadata, invalidated when any process changes it.
 *
 * <p>Triggers on the metadata tables (and an event trigger on DDL) send a notification on
 * channel {@code spar_catalog_changed} when their transaction commits; a daemon thread listens
 * on a dedicated coordinator connection and drops the snapshot. Changes made through this
 * process invalidate synchronously as well, so a session always sees its own changes. While
 * the listener is disconnected every read reloads, so a missed notification cannot leave a
 * stale snapshot in use.
 */
public final class MetadataCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataCache.class);
  private static final String CHANNEL = "spar_catalog_changed";

  private final DataSource coordinator;
  private final ConnectionOpener listenerConnections;
  private final AtomicLong generation = new AtomicLong();
  private final Thread listener;
  private volatile CatalogSnapshot snapshot;
  private volatile boolean listening;
  private volatile boolean closed;

  /**
   * Creates a cache that loads through {@code coordinator} and listens on a connection from
   * {@code listenerConnections}, which must not be pooled (LISTEN outlives a pooled checkout).
   */
  public MetadataCache(DataSource coordinator, ConnectionOpener listenerConnections) {
    this.coordinator = coordinator;
    this.listenerConnections = listenerConnections;
    this.listener = new Thread(this::listen, "spar-catalog-listener");
    listener.setDaemon(true);
    listener.start();
  }

  /** Returns the current snapshot, loading it if it was invalidated. */
  public CatalogSnapshot snapshot() throws SQLException {
    CatalogSnapshot current = snapshot;
    if (current != null && listening) {
      return current;
    }
    long before = generation.get();
    try (Connection connection = coordinator.getConnection()) {
      current = CatalogStore.load(connection);
    }
    // Publish only if nothing was invalidated while loading, or a stale load would stick.
    if (generation.get() == before) {
      snapshot = current;
    }
    return current;
  }

  /**
   * Returns the snapshot in the cache now, without loading one: null if it was dropped (or the
   * listener is away) and the next {@link #snapshot()} will load.
   */
  public CatalogSnapshot cached() {
    return listening ? snapshot : null;
  }

  /**
   * Returns a counter that grows on every invalidation; callers key derived caches (relation
   * column lists, plans) on it.
   */
  public long generation() {
    return generation.get();
  }

  /** Drops the cached snapshot; the next read reloads it. */
  public void invalidate() {
    generation.incrementAndGet();
    snapshot = null;
  }

  private void listen() {
    while (!closed) {
      try (Connection connection = listenerConnections.open()) {
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN " + CHANNEL);
        }
        invalidate();
        listening = true;
        PGConnection pg = connection.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] notifications = pg.getNotifications(500);
          if (notifications != null && notifications.length > 0) {
            invalidate();
          }
        }
      } catch (SQLException e) {
        LOG.debug("catalog listener disconnected: {}", e.getMessage());
      } finally {
        listening = false;
        invalidate();
      }
      sleepBeforeReconnect();
    }
  }

  private void sleepBeforeReconnect() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    listener.interrupt();
  }
}
