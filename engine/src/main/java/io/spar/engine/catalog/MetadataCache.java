package io.spar.engine.catalog;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 *
 * <p>Invalidation is per distributed table where the change allows it. A change to placements
 * only (a move, a repair, a placement marked INACTIVE, an operator's UPDATE of
 * {@code shard_placement}) names its table ({@code placements:<oid>}): the next read reloads
 * that table's placements, and the {@link #generation}, on which sessions key their plans,
 * stays, since plans look placements up when they run. A change of the workers reloads the
 * snapshot and keeps the plans too. DDL that only made objects ({@link DdlInvalidation}) names
 * them ({@code names:a,b}): plans whose text names one of them are made anew, others stay
 * ({@link #namesChangedSince}). Any other change (tables distributed or dropped, shards
 * created, other DDL) drops the snapshot and every plan.
 */
public final class MetadataCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataCache.class);
  private static final String CHANNEL = "spar_catalog_changed";

  private static final String PLACEMENTS = "placements:";
  private static final String NAMES = "names:";

  private final DataSource coordinator;
  private final ConnectionOpener listenerConnections;
  private final AtomicLong generation = new AtomicLong();
  /** Grows when DDL changes names; a name's entry is the value it grew to for that name. */
  private volatile long namesEpoch;
  private final Map<String, Long> nameChanges = new ConcurrentHashMap<>();
  private final Thread listener;
  private final AtomicReference<Cached> cached = new AtomicReference<>(Cached.dropped());
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

  /**
   * The snapshot in the cache (null once dropped) and the tables whose placements changed
   * since it was loaded.
   */
  private record Cached(CatalogSnapshot snapshot, Set<Long> stalePlacements) {
    /**
     * Returns a new state without a snapshot. Always a new object, never a shared one, so that
     * a load under way, which publishes only over the state it started from, sees that the
     * catalog changed since.
     */
    static Cached dropped() {
      return new Cached(null, Set.of());
    }
  }

  /** Returns the current snapshot, loading what was invalidated. */
  public CatalogSnapshot snapshot() throws SQLException {
    boolean trusted = listening;
    Cached current = cached.get();
    if (current.snapshot() != null && trusted && current.stalePlacements().isEmpty()) {
      return current.snapshot();
    }
    CatalogSnapshot loaded;
    try (Connection connection = coordinator.getConnection()) {
      loaded = current.snapshot() != null && trusted
          ? CatalogStore.reloadPlacements(connection, current.snapshot(),
              current.stalePlacements())
          : CatalogStore.load(connection);
    }
    // Publish only if nothing was invalidated while loading, or a stale load would stick.
    cached.compareAndSet(current, new Cached(loaded, Set.of()));
    return loaded;
  }

  /**
   * Returns the snapshot in the cache now, without loading one: null if it was dropped (or the
   * listener is away) and the next {@link #snapshot()} will load.
   */
  public CatalogSnapshot cached() {
    return listening ? cached.get().snapshot() : null;
  }

  /**
   * Returns a counter that grows on every invalidation; callers key derived caches (relation
   * column lists, plans) on it.
   */
  public long generation() {
    return generation.get();
  }

  /** Returns a counter that grows whenever DDL changes names (see {@link #namesChanged}). */
  public long namesEpoch() {
    return namesEpoch;
  }

  /**
   * Returns whether DDL changed any of {@code names} (identifiers as a statement's text holds
   * them) after names epoch {@code epoch}.
   */
  public boolean namesChangedSince(Set<String> names, long epoch) {
    for (String each : names) {
      Long changed = nameChanges.get(each);
      if (changed != null && changed > epoch) {
        return true;
      }
    }
    return false;
  }

  /**
   * Notes that DDL made objects called {@code names}: plans whose text names one of them must
   * be made anew, and only those.
   */
  public synchronized void namesChanged(Set<String> names) {
    long next = namesEpoch + 1;
    // The names first: a reader that sees the new epoch then sees them too.
    for (String each : names) {
      nameChanges.put(each, next);
    }
    namesEpoch = next;
  }

  /** Drops the cached snapshot and every session's plans; the next read reloads it. */
  public void invalidate() {
    generation.incrementAndGet();
    cached.set(Cached.dropped());
  }

  /**
   * Notes that only the placements of the tables {@code relationIds} changed: the next read
   * reloads them, and sessions keep their plans.
   */
  public void placementsChanged(Set<Long> relationIds) {
    if (relationIds.isEmpty()) {
      return;
    }
    cached.updateAndGet(current -> {
      if (current.snapshot() == null) {
        return Cached.dropped();
      }
      Set<Long> stale = new HashSet<>(current.stalePlacements());
      stale.addAll(relationIds);
      return new Cached(current.snapshot(), Set.copyOf(stale));
    });
  }

  /** Notes that only placements changed, of any table; sessions keep their plans. */
  public void placementsChanged() {
    CatalogSnapshot current = cached.get().snapshot();
    if (current == null) {
      // A load may be under way from before the change: it must not publish.
      cached.set(Cached.dropped());
    } else {
      Set<Long> all = new HashSet<>();
      current.tables().forEach(table -> all.add(table.relationId()));
      placementsChanged(all);
    }
  }

  /** Notes that the workers changed: the next read reloads the catalog; plans stay. */
  public void workersChanged() {
    cached.set(Cached.dropped());
  }

  /** Reacts to one batch of notifications; see the class comment for what each says. */
  private void notified(PGNotification[] notifications) {
    Set<Long> placements = new HashSet<>();
    Set<String> names = new HashSet<>();
    boolean workers = false;
    for (PGNotification each : notifications) {
      String payload = each.getParameter();
      if (payload.startsWith(NAMES)) {
        DdlInvalidation.identifiers(payload.substring(NAMES.length()), ',').stream()
            .filter(name -> !name.isEmpty()).forEach(names::add);
        continue;
      }
      if (payload.startsWith(PLACEMENTS) && payload.substring(PLACEMENTS.length())
          .matches("[0-9]{1,18}")) {
        placements.add(Long.parseLong(payload.substring(PLACEMENTS.length())));
      } else if (payload.equals("node")) {
        workers = true;
      } else {
        invalidate();
        return;
      }
    }
    if (workers) {
      workersChanged();
    }
    placementsChanged(placements);
    if (!names.isEmpty()) {
      namesChanged(names);
    }
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
            notified(notifications);
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
