package io.spar.engine.execution;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One node's pool of connections for sessions, lent in the order they were asked for.
 *
 * <p>HikariCP gives a returned connection first to the thread that returned it, so under load
 * a thread that keeps borrowing keeps its connection while others wait out their timeout. A
 * fair semaphore with one permit per connection stands in front of it: borrowers queue in
 * order, and one holding a permit always finds a connection (or room for a new one) in the
 * pool. A lent connection gives its permit back when it is closed.
 *
 * <p>A few of the permits are a reserve that only sessions holding a {@link NodePools} token
 * may use: those that already hold a connection and need one more. With as many reserve
 * permits as tokens, and one connection per node for each token holder, a token holder never
 * waits for a connection, so transactions that hold connections while they wait for others
 * cannot wait for each other in a cycle.
 */
final class FairPool implements AutoCloseable {
  private final HikariDataSource source;
  private final Semaphore permits;
  private final Semaphore reserve;

  /**
   * Creates the queue in front of {@code source}, which holds at most {@code size}, of which
   * {@code reserved} are for token holders only.
   */
  FairPool(HikariDataSource source, int size, int reserved) {
    this.source = source;
    this.permits = new Semaphore(size - reserved, true);
    this.reserve = new Semaphore(reserved, true);
  }

  /** Returns the HikariCP pool behind the queue. */
  HikariDataSource source() {
    return source;
  }

  /**
   * Borrows a connection, waiting at most {@code waitMillis} for one to come free; returns
   * null if none did.
   */
  Connection borrow(long waitMillis) throws SQLException {
    try {
      if (!permits.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a connection", "57014", e);
    }
    return lend(permits);
  }

  /**
   * Borrows a connection for a token holder: a free one if any, else one of the reserve, which
   * is never exhausted while each token holder holds at most one of it; null if it is.
   */
  Connection borrowWithToken() throws SQLException {
    if (permits.tryAcquire()) {
      return lend(permits);
    }
    return reserve.tryAcquire() ? lend(reserve) : null;
  }

  /** Returns whether {@code connection} came from the reserve. */
  static boolean fromReserve(Connection connection) {
    return Proxy.isProxyClass(connection.getClass())
        && Proxy.getInvocationHandler(connection) instanceof Lent lent
        && lent.returnTo == lent.owner().reserve;
  }

  /** Borrows a connection if one is free now, without waiting; returns null if none is. */
  Connection borrowIfFree() throws SQLException {
    return permits.tryAcquire() ? lend(permits) : null;
  }

  /** Returns how many connections could be borrowed now without waiting. */
  int free() {
    return permits.availablePermits();
  }

  /** Makes the pool close {@code connection}, one of its lent ones, instead of lending it again. */
  void evict(Connection connection) {
    if (Proxy.isProxyClass(connection.getClass())
        && Proxy.getInvocationHandler(connection) instanceof Lent lent) {
      source.evictConnection(lent.connection);
    } else {
      source.evictConnection(connection);
    }
  }

  private Connection lend(Semaphore from) throws SQLException {
    Connection connection;
    try {
      connection = source.getConnection();
    } catch (SQLException | RuntimeException e) {
      from.release();
      throw e;
    }
    try {
      return (Connection) LENT.invoke((InvocationHandler) new Lent(connection, from));
    } catch (Throwable e) {
      connection.close();
      from.release();
      throw new IllegalStateException("cannot wrap a lent connection", e);
    }
  }

  /**
   * The constructor of the lent connections' proxy class, found once: a connection is lent for
   * every statement, and {@link Proxy#newProxyInstance} looks its class up and constructs it
   * reflectively each time.
   */
  private static final MethodHandle LENT = lentConstructor();

  private static MethodHandle lentConstructor() {
    Class<?> type = Proxy.newProxyInstance(FairPool.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> null).getClass();
    try {
      return MethodHandles.publicLookup().findConstructor(type,
          MethodType.methodType(void.class, InvocationHandler.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public void close() {
    source.close();
  }

  /** A lent connection, which gives its permit back when it is closed, once. */
  private final class Lent implements InvocationHandler {
    private final Connection connection;
    private final Semaphore returnTo;
    private final AtomicBoolean returned = new AtomicBoolean();

    Lent(Connection connection, Semaphore returnTo) {
      this.connection = connection;
      this.returnTo = returnTo;
    }

    FairPool owner() {
      return FairPool.this;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getName().equals("close") && method.getParameterCount() == 0) {
        try {
          connection.close();
        } finally {
          if (returned.compareAndSet(false, true)) {
            returnTo.release();
          }
        }
        return null;
      }
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "Lent[" + connection + "]";
        };
      }
      try {
        return method.invoke(connection, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
